package io.bpf4j.testing;

import io.bpf4j.toolchain.BpfHeaders;
import io.bpf4j.toolchain.Clang;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The USDT test pair: {@code src/test/usdt/usdt_target.c} (+ usdt_guarded.c), a host program with
 * SystemTap SDT probes built with clang at test time, and {@code src/test/bpf/usdt.bpf.c} compiled
 * with {@code -DUSDT_BINARY="<that program>"} so its sections name the whole target. Both live in
 * bpf4j-core; the CLI's tests find them from their own module directory too.
 */
public final class UsdtTarget {
    private static Path binary;
    private static Path object;

    private UsdtTarget() {
    }

    /** sys/sdt.h where Debian's systemtap-sdt-dev puts it (or a plain /usr/include). */
    public static Optional<Path> sdtHeader() {
        return java.util.stream.Stream.of("/usr/include/x86_64-linux-gnu/sys/sdt.h", "/usr/include/aarch64-linux-gnu/sys/sdt.h",
                "/usr/include/sys/sdt.h").map(Path::of).filter(Files::isRegularFile).findFirst();
    }

    /** bpf4j-core/src/test, from the core module or a sibling module's directory. */
    private static Path coreTestDir() {
        for (Path p : List.of(Path.of("src/test"), Path.of("../bpf4j-core/src/test"))) {
            if (Files.isRegularFile(p.resolve("bpf/usdt.bpf.c"))) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new AssertionError("bpf4j-core/src/test/bpf/usdt.bpf.c not found from " + Path.of("").toAbsolutePath());
    }

    private static Path outputDir() throws IOException {
        return Files.createDirectories(Path.of("target/test-usdt").toAbsolutePath());
    }

    /** The probed program, built once per run with clang for the host at -O0 (see usdt_target.c). */
    public static synchronized Path binary() throws IOException, InterruptedException {
        if (binary == null) {
            Path usdt = coreTestDir().resolve("usdt");
            Path out = outputDir().resolve("usdt_target");
            run(List.of(Clang.require().executable().toString(), "-O0", "-g", "-o", out.toString(),
                    usdt.resolve("usdt_target.c").toString(), usdt.resolve("usdt_guarded.c").toString()));
            binary = out;
        }
        return binary;
    }

    /** usdt.bpf.c compiled against {@link #binary()}. */
    public static synchronized Path object() throws IOException, InterruptedException {
        if (object == null) {
            Path target = binary();
            Path out = outputDir().resolve("usdt.bpf.o");
            List<Path> includes = new ArrayList<>(List.of(TestPrograms.vmlinuxHeader().getParent()));
            BpfHeaders.find().ifPresent(includes::add);
            Clang.require().compile(coreTestDir().resolve("bpf/usdt.bpf.c"), out, includes,
                    List.of("-DUSDT_BINARY=\"" + target + "\""));
            object = out;
        }
        return object;
    }

    /** Runs {@code command}, returning its output; fails on a non-zero exit. */
    public static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}

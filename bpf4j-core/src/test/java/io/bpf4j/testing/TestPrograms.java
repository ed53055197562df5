package io.bpf4j.testing;

import io.bpf4j.toolchain.BpfHeaders;
import io.bpf4j.toolchain.Clang;
import io.bpf4j.toolchain.SourceBuild;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Compiles the test BPF programs of {@code src/test/bpf/} with clang at test time (no .o file is
 * checked in) into {@code target/test-bpf/}, once per run. The output directory is on the include
 * path, so a vmlinux.h written there is what sources that include "vmlinux.h" see.
 */
public final class TestPrograms {
    private static final ConcurrentHashMap<String, Path> COMPILED = new ConcurrentHashMap<>();

    private TestPrograms() {
    }

    /** The source directory of the module under test: {@code src/test/bpf}. */
    public static Path sourceDir() {
        return Path.of("src/test/bpf").toAbsolutePath();
    }

    public static Path outputDir() {
        Path out = Path.of("target/test-bpf").toAbsolutePath();
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static volatile Path vmlinuxHeader;

    /**
     * Writes {@code target/test-bpf/vmlinux.h} from /sys/kernel/btf/vmlinux with bpf4j's own writer
     * (the one {@code bpf4j run} uses), once per run, so test sources can {@code #include "vmlinux.h"}.
     */
    public static synchronized Path vmlinuxHeader() {
        if (vmlinuxHeader == null) {
            Path out = outputDir().resolve("vmlinux.h");
            SourceBuild.writeVmlinuxHeader(out);
            vmlinuxHeader = out;
        }
        return vmlinuxHeader;
    }

    private static boolean includesVmlinuxHeader(Path src) {
        try {
            return Files.readString(src).contains("#include \"vmlinux.h\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every {@code *.bpf.c} in the source directory. */
    public static List<String> all() {
        try (Stream<Path> s = Files.list(sourceDir())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".bpf.c")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compiles {@code src/test/bpf/NAME} (e.g. "maps.bpf.c") and returns the object's path. */
    public static Path compile(String name) {
        return COMPILED.computeIfAbsent(name, TestPrograms::doCompile);
    }

    private static Path doCompile(String name) {
        Path src = sourceDir().resolve(name);
        if (!Files.isRegularFile(src)) {
            throw new AssertionError("no test program " + src);
        }
        if (includesVmlinuxHeader(src)) {
            vmlinuxHeader();
        }
        Path obj = outputDir().resolve(name.replaceAll("\\.c$", ".o"));
        List<Path> includes = new ArrayList<>();
        includes.add(outputDir());
        includes.add(sourceDir());
        BpfHeaders.find().ifPresent(includes::add);
        Clang.require().compile(src, obj, includes, List.of());
        return obj;
    }
}

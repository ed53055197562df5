package io.bpf4j.toolchain;

import io.bpf4j.Bpf4jException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds clang and compiles BPF C sources with it, the way users of libbpf do by hand:
 * {@code clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -c prog.bpf.c -o prog.bpf.o}.
 */
public final class Clang {
    private static final Pattern VERSIONED = Pattern.compile("clang-(\\d+)");
    private static final Pattern VERSION_LINE = Pattern.compile("clang version (\\d+(?:\\.\\d+)*)");

    private final Path executable;

    private Clang(Path executable) {
        this.executable = executable;
    }

    public Path executable() {
        return executable;
    }

    /**
     * The clang to use: {@code $BPF4J_CLANG} if set, otherwise the newest {@code clang-N} on the PATH,
     * otherwise plain {@code clang}.
     */
    public static Optional<Clang> find() {
        String override = System.getenv("BPF4J_CLANG");
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            return Files.isExecutable(p) ? Optional.of(new Clang(p)) : Optional.empty();
        }
        List<Path> versioned = new ArrayList<>();
        Path plain = null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path d = Path.of(dir.isEmpty() ? "." : dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> files = Files.list(d)) {
                files.filter(f -> VERSIONED.matcher(f.getFileName().toString()).matches() && Files.isExecutable(f))
                        .forEach(versioned::add);
            } catch (IOException | SecurityException ignored) {
                // An unreadable PATH entry is not an error: keep looking in the others.
            }
            Path c = d.resolve("clang");
            if (plain == null && Files.isExecutable(c)) {
                plain = c;
            }
        }
        Optional<Path> newest = versioned.stream().max(Comparator.comparingInt(Clang::majorFromName));
        if (newest.isPresent()) {
            return Optional.of(new Clang(newest.get()));
        }
        return Optional.ofNullable(plain).map(Clang::new);
    }

    /** The clang to use, or an error that says how to install one. */
    public static Clang require() {
        return find().orElseThrow(() -> new Bpf4jException(
                "clang was not found on the PATH: it compiles BPF C sources. Install it with "
                        + "'apt-get install clang-19 llvm-19 libbpf-dev' (or set BPF4J_CLANG to a clang binary)"));
    }

    private static int majorFromName(Path p) {
        Matcher m = VERSIONED.matcher(p.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** The version clang reports, e.g. "19.1.7". */
    public String version() {
        String out = run(List.of(executable.toString(), "--version"), null).output();
        Matcher m = VERSION_LINE.matcher(out);
        return m.find() ? m.group(1) : out.lines().findFirst().orElse("unknown");
    }

    /** The target architecture macro libbpf's bpf_tracing.h expects, from the JVM's architecture. */
    public static String targetArchDefine() {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86";
            case "aarch64" -> "arm64";
            case "riscv64" -> "riscv";
            case "s390x" -> "s390";
            case "ppc64le" -> "powerpc";
            default -> System.getProperty("os.arch");
        };
        return "-D__TARGET_ARCH_" + arch;
    }

    /** /usr/include/TRIPLE (e.g. x86_64-linux-gnu) when it exists. */
    static Optional<Path> multiarchIncludeDir() {
        String triple = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64" -> "aarch64-linux-gnu";
            case "riscv64" -> "riscv64-linux-gnu";
            case "s390x" -> "s390x-linux-gnu";
            case "ppc64le" -> "powerpc64le-linux-gnu";
            default -> null;
        };
        if (triple == null) {
            return Optional.empty();
        }
        Path dir = Path.of("/usr/include", triple);
        return Files.isDirectory(dir.resolve("asm")) ? Optional.of(dir) : Optional.empty();
    }

    /**
     * Compiles one BPF C source to an object. Fails with clang's own diagnostics (file:line:col) in the
     * message when the source does not compile.
     */
    public void compile(Path source, Path object, List<Path> includeDirs, List<String> extraFlags) {
        List<String> cmd = new ArrayList<>(List.of(executable.toString(), "-g", "-O2", "-target", "bpf",
                targetArchDefine(), "-Wall", "-Wno-unused-variable", "-Wno-unused-function"));
        for (Path inc : includeDirs) {
            cmd.add("-I" + inc);
        }
        // With -target bpf clang does not search the multiarch directory where Debian keeps
        // <asm/types.h>, which <linux/types.h> includes; add it so UAPI headers compile as-is.
        multiarchIncludeDir().ifPresent(d -> cmd.add("-idirafter" + d));
        cmd.addAll(extraFlags);
        cmd.addAll(List.of("-c", source.toString(), "-o", object.toString()));
        Result r = run(cmd, null);
        if (r.exitCode() != 0) {
            throw new Bpf4jException("clang could not compile " + source + ":\n" + r.output().stripTrailing()
                    + "\nFix the errors above and run again.");
        }
    }

    record Result(int exitCode, String output) {
    }

    private static Result run(List<String> cmd, Path dir) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new Bpf4jException("clang did not finish within 5 minutes: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Bpf4jException("could not run " + cmd.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Bpf4jException("interrupted while running " + cmd.getFirst(), e);
        }
    }
}

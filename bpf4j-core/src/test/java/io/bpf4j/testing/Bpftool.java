package io.bpf4j.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs bpftool, the reference implementation bpf4j's output is compared with in differential tests. */
public final class Bpftool {
    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/sbin/bpftool"), Path.of("/usr/bin/bpftool"),
            Path.of("/usr/local/sbin/bpftool"), Path.of("/usr/local/bin/bpftool"));

    private Bpftool() {
    }

    public static Optional<Path> find() {
        return CANDIDATES.stream().filter(Files::isExecutable).findFirst();
    }

    /** Runs bpftool with the arguments and returns its standard output; fails the test on a non-zero exit. */
    public static String run(String... args) {
        Result r = tryRun(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("bpftool " + String.join(" ", args) + " exited " + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    public record Result(int exitCode, String stdout, String stderr) {
    }

    public static Result tryRun(String... args) {
        Path exe = find().orElseThrow(() -> new AssertionError("bpftool not found"));
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(List.of(args));
        try {
            Path err = Files.createTempFile("bpftool", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(2, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError("bpftool timed out: " + cmd);
                }
                return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(err));
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("could not run bpftool: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

package io.bpf4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the CLI as a separate process (signals, exit codes, clean-up after death are per process). */
final class CliProcess {
    private CliProcess() {
    }

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "io.bpf4j.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Process start(Path output, String... args) throws IOException {
        return new ProcessBuilder(withDefaultSigint(command(args))).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /**
     * A test run started as a background job (cmd &) inherits SIGINT ignored, and exec passes that on
     * (POSIX), so the CLI under test would ignore Ctrl-C as no interactive user's would: perl (in every
     * Debian, perl-base is essential) puts the default action back before it execs the CLI.
     */
    private static List<String> withDefaultSigint(List<String> cmd) throws IOException {
        String ignored = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("SigIgn:"))
                .map(l -> l.substring("SigIgn:".length()).strip()).findFirst().orElse("0");
        if ((Long.parseUnsignedLong(ignored, 16) & (1L << (2 - 1))) == 0) { // SIGINT is signal 2
            return cmd;
        }
        List<String> out = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\\n\""));
        out.addAll(cmd);
        return out;
    }

    record Result(int code, String output) {
    }

    static Result run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("bpf4j-cli", ".out");
        try {
            Process p = start(out, args);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bpf4j " + String.join(" ", args) + " did not finish");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Waits until the output file contains {@code text}. */
    static void awaitOutput(Path out, String text, long seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.readString(out, StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + text + "' in: " + Files.readString(out, StandardCharsets.UTF_8));
    }
}

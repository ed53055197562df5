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
        return new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(output.toFile()).start();
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

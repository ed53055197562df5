package io.bpf4j.testing.qemu;

/**
 * The guest did not get through its job: QEMU failed to start, the kernel panicked, a module did
 * not load, or the timeout struck. The message carries the end of the console output.
 */
public final class GuestFailure extends RuntimeException {
    private final String consoleOutput;

    GuestFailure(String what, String consoleOutput) {
        super(what + "\n--- guest console (last lines) ---\n" + tail(consoleOutput, 60));
        this.consoleOutput = consoleOutput;
    }

    public String consoleOutput() {
        return consoleOutput;
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\r?\n");
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }
}

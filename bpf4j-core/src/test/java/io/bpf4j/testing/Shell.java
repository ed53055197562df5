package io.bpf4j.testing;

/** Runs a shell command for a test's set-up (ip, bash's /dev/udp) and fails the test when it fails. */
public final class Shell {
    private Shell() {
    }

    public static void run(String cmd) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(cmd + " failed: " + out);
        }
    }
}

package io.bpf4j.testing.qemu;

import java.util.HashMap;
import java.util.Map;

/**
 * The lines a guest program prints as {@code TAG key=value key=value} or {@code TAG free text}, read
 * from a finished job; asking for a tag the job did not print is an {@link AssertionError} that
 * shows the whole output.
 */
public record GuestLines(GuestResult result) {
    /** The lines of a job whose script exited 0; otherwise an {@link AssertionError} with its output. */
    public static GuestLines ofSuccessful(GuestResult result) {
        if (result.exitCode() != 0) {
            throw new AssertionError("the guest job failed (exit " + result.exitCode() + "):\n" + result.jobOutput());
        }
        return new GuestLines(result);
    }

    /** What follows {@code "TAG "} on the first line starting so. */
    public String rest(String tag) {
        return result.jobOutput().lines().filter(l -> l.startsWith(tag + " ")).findFirst()
                .map(l -> l.substring(tag.length() + 1))
                .orElseThrow(() -> new AssertionError("no " + tag + " line in the guest output:\n" + result.jobOutput()));
    }

    /** The {@code key=value} words of that line. */
    public Map<String, String> pairs(String tag) {
        Map<String, String> values = new HashMap<>();
        for (String word : rest(tag).split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                values.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return values;
    }
}

package io.bpf4j.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The number of possible CPUs (/sys/devices/system/cpu/possible): per-CPU map values hold one slot
 * per possible CPU, and perf event arrays get one entry per possible CPU by default.
 */
public final class PossibleCpus {
    private static volatile int count;

    private PossibleCpus() {
    }

    public static int count() {
        int c = count;
        if (c == 0) {
            c = parse(read());
            count = c;
        }
        return c;
    }

    private static String read() {
        try {
            return Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip();
        } catch (IOException e) {
            return "0-" + (Runtime.getRuntime().availableProcessors() - 1);
        }
    }

    /** "0-3,5,7-8" gives the highest CPU number plus one (per-CPU slots are indexed up to it). */
    static int parse(String ranges) {
        int max = -1;
        for (String part : ranges.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            int hi = Integer.parseInt(dash < 0 ? p : p.substring(dash + 1));
            max = Math.max(max, hi);
        }
        return max + 1;
    }
}

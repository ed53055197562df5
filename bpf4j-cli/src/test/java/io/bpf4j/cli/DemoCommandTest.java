package io.bpf4j.cli;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bpf4j demo}, the README's main job, as a user runs it: a process of its own, as root. */
@Requires({Requirement.ROOT, Requirement.CLANG})
class DemoCommandTest {
    // "   true-1234   [001]  16262.148530: Elapsed time: 123044 nanoseconds": comm-pid, CPU, time, message
    private static final Pattern ELAPSED = Pattern.compile("(?m)^\\s+(.+)-(\\d+)\\s+\\[\\d+\\].*: Elapsed time: (\\d+) nanoseconds$");
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) empty bpf_printk lines were\\s+hidden, (\\d+) 'Elapsed time' lines shown");
    private static final Pattern PROGRAMS = Pattern.compile("kernel programs: (\\d+) before, (\\d+) after");

    @Test
    void compilesLoadsAttachesTriggersShowsAndCleansUp() throws Exception {
        CliProcess.Result r = CliProcess.run("demo");
        String out = r.output();
        assertEquals(0, r.code(), out);
        for (String step : List.of("== 1. vmlinux.h and clang", "== 2. load and attach", "== 3. trigger: running /bin/true 3 times",
                "== 4. cleaned up")) {
            assertTrue(out.contains(step), step + " in: " + out);
        }
        assertFalse(out.contains("Exception"), out);

        // Every process exit on the machine runs the program; the three triggers must be among them,
        // each with a real duration, and none of bpf4j's own threads (a thread of the loader that
        // ended while attached once showed up here).
        Matcher m = ELAPSED.matcher(out);
        int lines = 0;
        int fromTrue = 0;
        while (m.find()) {
            lines++;
            assertTrue(Long.parseLong(m.group(3)) > 0, m.group());
            assertFalse(m.group(1).trim().startsWith("bpf4j"), "a bpf4j thread ran the program: " + m.group());
            if (m.group(1).trim().equals("true")) {
                fromTrue++;
            }
        }
        assertTrue(fromTrue >= 3, "one line per /bin/true run: " + out);

        Matcher summary = SUMMARY.matcher(out);
        assertTrue(summary.find(), out);
        assertEquals(lines, Integer.parseInt(summary.group(2)), "the count it reports is the lines it showed");
        // Each exit prints 1000 empty lines before its result; an exit at the moment the reader stops
        // may have shown some of them and not its result yet.
        long empty = Long.parseLong(summary.group(1));
        assertTrue(empty >= 1000L * lines && empty < 1000L * (lines + 2), empty + " empty lines for " + lines + " results");

        Matcher programs = PROGRAMS.matcher(out);
        assertTrue(programs.find(), out);
        assertEquals(programs.group(1), programs.group(2), "the program is unloaded again: " + programs.group());
    }
}

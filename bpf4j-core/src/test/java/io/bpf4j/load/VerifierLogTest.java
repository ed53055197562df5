package io.bpf4j.load;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verifier log of an accepted program, asked for with {@link BpfObject#logLevel}: big_log.bpf.c's
 * level-2 log (every instruction the verifier walks, with its state) is several MiB, more than the first buffer, which the kernel answers with ENOSPC even
 * though it accepts the program. The count of processed instructions the log ends with is checked
 * against the kernel's own bpf_prog_info.verified_insns.
 */
@Requires({Requirement.ROOT, Requirement.CLANG})
class VerifierLogTest {
    private static final Pattern PROCESSED = Pattern.compile("processed (\\d+) insns");

    private static BpfObject load(int level) throws IOException {
        return BpfObject.open(TestPrograms.compile("big_log.bpf.c")).logLevel(level).load();
    }

    private static int processed(String log) {
        Matcher m = PROCESSED.matcher(log);
        assertTrue(m.find(), "the statistics line: " + log.substring(Math.max(0, log.length() - 500)));
        return Integer.parseInt(m.group(1));
    }

    @Test
    void aLogLargerThanTheFirstBufferIsFetchedWhole() throws IOException {
        try (BpfObject o = load(2)) {
            BpfProgram p = o.program("long_loop");
            String log = p.verifierLog();
            assertTrue(log.length() > 1 << 20, "more than the first 1 MiB buffer: " + log.length());
            assertTrue(log.startsWith("func#0 @0") || log.startsWith("0: "), log.substring(0, 200));
            assertEquals(p.info().verifiedInsns(), processed(log));
        }
    }

    @Test
    void levelFourIsTheStatisticsAlone() throws IOException {
        try (BpfObject o = load(4)) {
            BpfProgram p = o.program("long_loop");
            assertTrue(p.verifierLog().length() < 4096, p.verifierLog());
            assertEquals(p.info().verifiedInsns(), processed(p.verifierLog()));
        }
    }

    @Test
    void levelOneOfAnAcceptedProgramIsItsSummary() throws IOException {
        try (BpfObject o = load(1)) {
            BpfProgram p = o.program("long_loop");
            assertTrue(p.verifierLog().length() < 4096, "level 1 logs the path to a failure only: " + p.verifierLog());
            assertEquals(p.info().verifiedInsns(), processed(p.verifierLog()));
        }
    }

    @Test
    void levelZeroKeepsNoLog() throws IOException {
        try (BpfObject o = load(0)) {
            assertEquals("", o.program("long_loop").verifierLog());
        }
    }
}

package io.bpf4j.cli;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.UsdtTarget;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bpf4j run with USDT programs: the ones whose section names the probe attach by themselves, the other by --attach. */
@Requires({Requirement.ROOT, Requirement.CLANG, Requirement.SDT_HEADER})
class RunUsdtTest {
    @Test
    void runAttachesUsdtProgramsAndTheTriggerFiresThem() throws Exception {
        Path bin = UsdtTarget.binary();
        CliProcess.Result r = CliProcess.run("run", UsdtTarget.object().toString(), "--no-trace", "--show-globals",
                "--attach", "on_twice=" + bin + ":test:twice", "--", bin.toString());
        String out = r.output();
        assertEquals(0, r.code(), out);
        assertTrue(out.contains("attached on_args to usdt " + bin + ":test:args (1 call site)"), out);
        assertTrue(out.contains("attached on_guarded to usdt " + bin + ":test:guarded (1 call site)"), out);
        assertTrue(out.contains("attached on_twice to usdt " + bin + ":test:twice (2 call sites)"), out);
        assertTrue(out.contains("semaphore 1"), "the trigger saw the semaphore raised: " + out);
        assertTrue(out.matches("(?s).*args_hits = 1\\b.*"), out);
        assertTrue(out.matches("(?s).*guarded_arg = 42\\b.*"), out);
        assertTrue(out.matches("(?s).*twice_hits = 2\\b.*"), out);
        assertTrue(out.matches("(?s).*twice_sites = 6\\b.*"), out);
    }
}

package io.bpf4j.link;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import io.bpf4j.testing.qemu.GuestFile;
import io.bpf4j.testing.qemu.GuestJob;
import io.bpf4j.testing.qemu.GuestLines;
import io.bpf4j.testing.qemu.GuestResult;
import io.bpf4j.testing.qemu.GuestRuntime;
import io.bpf4j.testing.qemu.QemuGuest;
import io.bpf4j.testing.qemu.SharedBoot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * freplace and fexit on a BPF program, attached by bpf4j for real: this host refuses BPF trampolines
 * (TargetFunctionTest checks the explanation), Debian's 6.1 kernel in QEMU allows them.
 * {@link ProgramTargetGuestCheck} runs there; xdp_entry's verdict (XDP_PASS = 2 from its decide(),
 * XDP_DROP = 1 from the replacement) and the counters of both objects show what ran.
 */
@Requires({Requirement.QEMU, Requirement.CLANG})
class ProgramTargetGuestTest {
    private static final String TARGET = "/job/freplace_target.bpf.o";
    private static final String REPLACEMENTS = "/job/freplace.bpf.o";
    private static final SharedBoot BOOT = new SharedBoot(() -> {
        GuestResult r = QemuGuest.defaultGuest().run(GuestJob.of(GuestRuntime.javaCommand(ProgramTargetGuestCheck.class.getName(),
                        TARGET, REPLACEMENTS))
                .withFiles(GuestFile.testClasspath(),
                        GuestFile.copyOf(TestPrograms.compile("freplace_target.bpf.c"), TARGET),
                        GuestFile.copyOf(TestPrograms.compile("freplace.bpf.c"), REPLACEMENTS))
                .withTimeout(Duration.ofSeconds(180)));
        System.err.println(r.report("boot + freplace/fexit on a program"));
        return r;
    });

    private static Map<String, String> line(String tag) {
        return GuestLines.ofSuccessful(BOOT.get()).pairs(tag);
    }

    @Test
    void ranOnAKernelThatAllowsTrampolines() {
        assertTrue(line("KERNEL").get("release").startsWith("6.1."), line("KERNEL").toString());
        assertEquals("2", line("BEFORE").get("retvals"), "decide() says XDP_PASS before anything is attached");
    }

    @Test
    void linksNameTheFunctionAndTheProgram() {
        Map<String, String> links = line("LINKS");
        assertTrue(links.get("freplace").matches("freplace_decide_of_program_xdp_entry_\\(id_\\d+\\)"), links.toString());
        assertTrue(links.get("fexit").matches("fexit_xdp_entry_of_program_xdp_entry_\\(id_\\d+\\)"), links.toString());
    }

    @Test
    void theReplacementDecidesWhileAttachedAndAgainAfterReattaching() {
        assertEquals("1,1,1", line("PHASE_A").get("retvals"), "XDP_DROP from drop_instead");
        assertEquals("3", line("PHASE_A").get("replaced"));
        assertEquals("2,2", line("PHASE_B").get("retvals"), "decide() again once the link closed");
        assertEquals("3", line("PHASE_B").get("replaced"));
        assertEquals("1", line("PHASE_C").get("retvals"), "a second link to the same target");
        assertEquals("4", line("PHASE_C").get("replaced"));
        assertEquals("2", line("PHASE_D").get("retvals"));
        assertEquals("4", line("PHASE_D").get("replaced"));
    }

    @Test
    void theFexitSeesEveryRunAndItsVerdictWhileAttached() {
        assertEquals(Map.of("exits", "3", "verdict", "1"), pick(line("PHASE_A")), "three runs, each XDP_DROP");
        assertEquals(Map.of("exits", "5", "verdict", "2"), pick(line("PHASE_B")), "two more, XDP_PASS");
        assertEquals(Map.of("exits", "6", "verdict", "1"), pick(line("PHASE_C")));
        assertEquals(Map.of("exits", "6", "verdict", "1"), pick(line("PHASE_D")), "nothing after its link closed");
        assertEquals("8", line("PHASE_D").get("entry_runs"), "xdp_entry itself ran 1 + 3 + 2 + 1 + 1 times");
    }

    @Test
    void whatTheKernelRefusesIsExplained() {
        GuestLines out = GuestLines.ofSuccessful(BOOT.get());
        String twice = out.rest("TWICE");
        assertTrue(twice.startsWith("AttachException ") && twice.contains("another program already replaces or traces that function"),
                twice);
        String again = out.rest("REATTACH_FEXIT");
        assertTrue(again.startsWith("AttachException ") && again.contains("once per load; load the object again"), again);
    }

    private static Map<String, String> pick(Map<String, String> phase) {
        return Map.of("exits", phase.get("exits"), "verdict", phase.get("verdict"));
    }
}

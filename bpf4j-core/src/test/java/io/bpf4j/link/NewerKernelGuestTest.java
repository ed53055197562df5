package io.bpf4j.link;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import io.bpf4j.testing.qemu.DebianKernelPackage;
import io.bpf4j.testing.qemu.GuestFile;
import io.bpf4j.testing.qemu.GuestJob;
import io.bpf4j.testing.qemu.GuestLines;
import io.bpf4j.testing.qemu.GuestResult;
import io.bpf4j.testing.qemu.GuestRuntime;
import io.bpf4j.testing.qemu.QemuGuest;
import io.bpf4j.testing.qemu.SharedBoot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kprobe.multi and kretprobe.multi attached by bpf4j for real. They need the kernel's fprobe, which
 * neither this host's kernel nor Debian 6.1 has: {@link GuestMultiProbeCheck} runs in a QEMU guest
 * booting Debian's 6.12 cloud kernel (CONFIG_FPROBE=y), pinned to one vCPU as in {@link GuestAttachTest}.
 * One boot serves every test; counts are the guest program's own calls, filtered by its tgid.
 */
@Requires({Requirement.QEMU, Requirement.CLANG})
class GuestMultiProbeTest {
    private static final String OBJECT = "/job/guest_multi.bpf.o";
    private static final SharedBoot BOOT = new SharedBoot(() -> {
        QemuGuest guest = new QemuGuest(DebianKernelPackage.latest("6.12"), GuestRuntime.javaBase(), 1024, 2);
        GuestResult r = guest.run(GuestJob.of(GuestRuntime.javaCommand(GuestMultiProbeCheck.class.getName(), OBJECT))
                .withFiles(GuestFile.testClasspath(), GuestFile.copyOf(TestPrograms.compile("guest_multi.bpf.c"), OBJECT))
                .withTimeout(Duration.ofSeconds(150)));
        System.err.println("GuestMultiProbeTest: boot + load + attach took " + r.elapsed().toMillis() + " ms");
        return r;
    });

    private static GuestResult boot() {
        return BOOT.get();
    }

    private static Map<String, String> line(String tag) {
        GuestResult r = boot();
        assertEquals(0, r.exitCode(), "the guest program failed:\n" + r.jobOutput());
        return new GuestLines(r).pairs(tag);
    }

    @Test
    void ranOnTheDebian612Kernel() {
        assertTrue(line("KERNEL").get("release").startsWith("6.12."), line("KERNEL").toString());
    }

    @Test
    void eachProgramIsOneLinkOverTheFunctionsItsGlobMatches() {
        List<String> links = boot().jobOutput().lines().filter(l -> l.startsWith("LINK ")).toList();
        assertEquals(3, links.size(), links.toString());
        assertEquals("LINK on_multi bpf_link=true description=kprobe.multi___do_sys_getppi?_(1_function)", links.get(0));
        assertEquals("LINK on_multi_ret bpf_link=true description=kretprobe.multi___do_sys_getppi?_(1_function)", links.get(1));
        int wide = Integer.parseInt(links.get(2).replaceAll(".*_\\((\\d+)_functions\\)$", "$1"));
        assertTrue(wide >= 2, "__do_sys_getpid and __do_sys_getppid at least: " + links.get(2));
    }

    @Test
    void entryAndReturnCountExactlyTheCallsMadeWhileAttached() {
        assertEquals(Map.of("multi", "5", "multi_ret", "5", "wide", "8"), line("ATTACHED"),
                "5 getppid and 3 getpid calls; the wide glob covers both");
        assertEquals(Map.of("multi", "5", "multi_ret", "5", "wide", "8"), line("RESULT"), "nothing after the links closed");
    }

    @Test
    void aGlobThatMatchesNothingIsAClearError() {
        String missing = boot().jobOutput().lines().filter(l -> l.startsWith("MISSING ")).findFirst().orElseThrow();
        assertTrue(missing.startsWith("MISSING AttachException ") && missing.contains("no kernel function matches"), missing);
    }
}

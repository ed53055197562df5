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
 * kprobe.multi, kretprobe.multi and netkit attached by bpf4j for real. They need the kernel's fprobe
 * and netkit devices, which neither this host's kernel nor Debian 6.1 has: {@link NewerKernelGuestCheck}
 * runs in a QEMU guest booting Debian's 6.12 cloud kernel (CONFIG_FPROBE=y, CONFIG_NETKIT=y), pinned to
 * one vCPU as in {@link GuestAttachTest}. One boot serves every test; probe counts are the guest
 * program's own calls, filtered by its tgid.
 */
@Requires({Requirement.QEMU, Requirement.CLANG})
class NewerKernelGuestTest {
    private static final String OBJECT = "/job/guest_newer.bpf.o";
    private static final SharedBoot BOOT = new SharedBoot(() -> {
        QemuGuest guest = new QemuGuest(DebianKernelPackage.latest("6.12"), GuestRuntime.javaBase(), 1024, 2);
        GuestResult r = guest.run(GuestJob.of(GuestRuntime.javaCommand(NewerKernelGuestCheck.class.getName(), OBJECT))
                .withFiles(GuestFile.testClasspath(), GuestFile.copyOf(TestPrograms.compile("guest_newer.bpf.c"), OBJECT))
                .withTimeout(Duration.ofSeconds(150)));
        System.err.println("NewerKernelGuestTest: boot + load + attach took " + r.elapsed().toMillis() + " ms");
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
    void aNetkitPrimaryProgramSeesWhatLeavesThroughItsDevice() {
        assertEquals("0", line("NETKIT_CREATE").get("rc"), "RTM_NEWLINK of a netkit pair");
        assertEquals("bpf_link=true type=NETKIT description=netkit/primary_on_bpf4jnk", new GuestLines(boot()).rest("NETKIT_LINK"));
        Map<String, String> n = line("NETKIT");
        assertEquals("3", n.get("during"), "the 3 datagrams to 10.99.0.2 left through bpf4jnk: " + n);
        assertEquals("3", n.get("after"), "none of the 2 sent after the link closed: " + n);
        String wrong = new GuestLines(boot()).rest("NOT_NETKIT");
        assertTrue(wrong.startsWith("AttachException ") && wrong.contains("lo is not a netkit device"), wrong);
    }

    @Test
    void aGlobThatMatchesNothingIsAClearError() {
        String missing = boot().jobOutput().lines().filter(l -> l.startsWith("MISSING ")).findFirst().orElseThrow();
        assertTrue(missing.startsWith("MISSING AttachException ") && missing.contains("no kernel function matches"), missing);
    }
}

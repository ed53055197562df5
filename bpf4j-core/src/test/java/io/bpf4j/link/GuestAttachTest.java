package io.bpf4j.link;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import io.bpf4j.testing.qemu.GuestFile;
import io.bpf4j.testing.qemu.GuestJob;
import io.bpf4j.testing.qemu.GuestResult;
import io.bpf4j.testing.qemu.GuestRuntime;
import io.bpf4j.testing.qemu.QemuGuest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kprobe, kretprobe, fentry and fexit attached by bpf4j for real, on a second kernel: this host's
 * kernel has no kprobes and refuses fentry, so {@link GuestAttachCheck} runs in a QEMU guest booting
 * Debian's 6.1 cloud kernel, with the object compiled here. One boot serves every test below; the
 * counts are the getppid(2) calls the guest program made, filtered by its own tgid.
 */
@Requires({Requirement.QEMU, Requirement.CLANG})
class GuestAttachTest {
    private static final String OBJECT = "/job/guest_attach.bpf.o";
    private static final String HS_ERR = "/job/hs_err.log";
    private static final List<String> KINDS = List.of("kprobe", "kretprobe", "fentry", "fexit");
    private static GuestResult boot;
    /** A boot that failed (a timeout, a panic, no kernel package) fails or skips every test, without booting again. */
    private static RuntimeException bootFailure;

    private static synchronized GuestResult boot() {
        if (bootFailure != null) {
            throw bootFailure;
        }
        if (boot == null) {
            try {
                boot = runInGuest();
                if (jitCrash(boot).isPresent()) {
                    System.err.println("GuestAttachTest: the guest JVM crashed in JIT-compiled code (an emulation fault, see "
                            + "runInGuest); booting once more. hs_err:\n" + jitCrash(boot).get());
                    boot = runInGuest();
                }
            } catch (RuntimeException e) {
                bootFailure = e;
                throw e;
            }
            System.err.println("QEMU guest: boot + load + attach of 4 kinds took " + boot.elapsed().toMillis() + " ms; in the guest: "
                    + String.join(", ", boot.jobOutput().lines().filter(l -> l.startsWith("TIME ")).toList()));
        }
        return boot;
    }

    /**
     * One boot running {@link GuestAttachCheck}. The JVM is pinned to CPU 1 of the two: HotSpot
     * patches compiled code while it may run on another CPU, which QEMU's multi-threaded TCG has
     * been seen to get wrong (a SIGILL a few bytes into a compiled method, in 2 of 6 unpinned
     * runs); on one CPU the patching is seen in order. CPU 1 also shows that a kprobe fires off
     * CPU 0, the CPU its perf event is opened on.
     */
    private static GuestResult runInGuest() {
        String java = GuestRuntime.javaCommand(GuestAttachCheck.class.getName(), OBJECT)
                .replace(GuestRuntime.JAVA + " ", GuestRuntime.JAVA + " -XX:ErrorFile=" + HS_ERR + " ");
        return QemuGuest.defaultGuest().run(GuestJob.of(java)
                .withFiles(GuestFile.testClasspath(), GuestFile.copyOf(TestPrograms.compile("guest_attach.bpf.c"), OBJECT))
                .withCollected(HS_ERR)
                .withTimeout(Duration.ofSeconds(150)));
    }

    /** The head of the guest JVM's crash report when it died of a SIGILL in JIT-compiled code. */
    private static Optional<String> jitCrash(GuestResult r) {
        return r.file(HS_ERR).map(b -> new String(b, StandardCharsets.UTF_8))
                .filter(t -> t.contains("SIGILL") && t.lines().anyMatch(l -> l.startsWith("# J ")))
                .map(GuestAttachTest::head);
    }

    private static String head(String text) {
        return text.lines().limit(20).collect(Collectors.joining("\n"));
    }

    /** The {@code key=value} pairs of the guest's output line starting with {@code tag}. */
    private static Map<String, String> line(String tag) {
        GuestResult r = boot();
        assertEquals(0, r.exitCode(), "the guest program failed:\n" + r.jobOutput()
                + r.file(HS_ERR).map(b -> "\nthe JVM's crash report:\n" + head(new String(b, StandardCharsets.UTF_8))).orElse(""));
        String line = r.jobOutput().lines().filter(l -> l.startsWith(tag + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + tag + " line in the guest output:\n" + r.jobOutput()));
        Map<String, String> values = new HashMap<>();
        for (String pair : line.substring(tag.length() + 1).split(" ")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return values;
    }

    @Test
    void ranOnTheDebian61Kernel() {
        String release = line("KERNEL").get("release");
        assertTrue(release.startsWith("6.1."), release);
        assertEquals(QemuGuest.defaultGuest().kernel().release(), release);
    }

    @Test
    void eachKindIsABpfLinkNamedAfterItsTarget() {
        List<String> links = boot().jobOutput().lines().filter(l -> l.startsWith("LINK ")).toList();
        assertEquals(List.of(
                "LINK kind=kprobe bpf_link=true description=kprobe___do_sys_getppid",
                "LINK kind=kretprobe bpf_link=true description=kretprobe___do_sys_getppid",
                "LINK kind=fentry bpf_link=true description=fentry___do_sys_getppid",
                "LINK kind=fexit bpf_link=true description=fexit___do_sys_getppid"), links);
    }

    @Test
    void everyKindCountsExactlyTheCallsMadeWhileAttached() {
        Map<String, String> attached = line("ATTACHED");
        for (String kind : KINDS) {
            assertEquals("4", attached.get(kind), kind + " after 4 getppid calls: " + attached);
        }
    }

    @Test
    void returnSideProbesSeeWhatGetppidReturned() {
        Map<String, String> attached = line("ATTACHED");
        assertTrue(Integer.parseInt(attached.get("getppid")) > 1, "the guest JVM's parent is the job shell: " + attached);
        assertEquals(attached.get("getppid"), attached.get("kretprobe_ret"), "kretprobe's PT_REGS_RC");
        assertEquals(attached.get("getppid"), attached.get("fexit_ret"), "fexit's return value argument");
    }

    @Test
    void aKprobeFiresOnEveryCpuNotOnlyTheOneItsPerfEventIsOpenedOn() {
        assertEquals("1", line("ATTACHED").get("kprobe_cpu"), "the guest JVM runs pinned to CPU 1");
    }

    /** Links closed one after the other with 3, 2, 1 and 5 calls after each: each count stops when its link closes. */
    @Test
    void closingALinkStopsItsProgramAndOnlyIt() {
        Map<String, String> result = line("RESULT");
        assertEquals(Map.of("kprobe", "4", "kretprobe", "7", "fentry", "9", "fexit", "10"), result);
    }

    @Test
    void kprobeOnAMissingFunctionIsAClearAttachError() {
        String missing = boot().jobOutput().lines().filter(l -> l.startsWith("MISSING ")).findFirst().orElseThrow();
        assertTrue(missing.startsWith("MISSING AttachException "), missing);
        assertTrue(missing.contains("bpf4j_no_such_function"), "names the function: " + missing);
        assertTrue(missing.contains("on_missing_function"), "names the program: " + missing);
        assertTrue(missing.contains("/proc/kallsyms"), "says where to look: " + missing);
    }
}

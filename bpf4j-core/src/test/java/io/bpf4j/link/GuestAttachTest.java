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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kprobe, kretprobe, fentry, fexit, ksyscall, kretsyscall, fmod_ret, lsm and lsm.s attached by bpf4j
 * for real, on a second kernel: this host's kernel has no kprobes and refuses BPF trampolines, so
 * {@link GuestAttachCheck} runs in a QEMU guest booting Debian's 6.1 cloud kernel, with the objects
 * compiled here. One boot serves every test but the last; the counts are the calls the guest program
 * made, filtered by its own tgid. The last test boots a second time, with bpf left out of lsm=.
 */
@Requires({Requirement.QEMU, Requirement.CLANG})
class GuestAttachTest {
    private static final String OBJECT = "/job/guest_attach.bpf.o";
    private static final String KINDS_OBJECT = "/job/guest_kinds.bpf.o";
    private static final String HS_ERR = "/job/hs_err.log";
    private static final List<String> KINDS = List.of("kprobe", "kretprobe", "fentry", "fexit");
    private static final SharedBoot BOOT = new SharedBoot(() -> {
        GuestResult r = bootRetryingJitCrash(GuestAttachTest::runInGuest);
        System.err.println(r.report("boot + load + attach of 9 kinds"));
        return r;
    });
    private static final SharedBoot LSM_INACTIVE_BOOT = new SharedBoot(GuestAttachTest::lsmInactiveBoot);

    private static GuestResult boot() {
        return BOOT.get();
    }

    /** A guest JVM that died of an emulation fault in JIT code (see runInGuest) gets a second boot. */
    private static GuestResult bootRetryingJitCrash(java.util.function.Supplier<GuestResult> run) {
        GuestResult r = run.get();
        if (jitCrash(r).isPresent()) {
            System.err.println("GuestAttachTest: the guest JVM crashed in JIT-compiled code (an emulation fault); "
                    + "booting once more. hs_err:\n" + jitCrash(r).get());
            r = run.get();
        }
        return r;
    }

    /**
     * One boot running {@link GuestAttachCheck}. The JVM is pinned to CPU 1 of the two: HotSpot
     * patches compiled code while it may run on another CPU, which QEMU's multi-threaded TCG has
     * been seen to get wrong (a SIGILL a few bytes into a compiled method, in 2 of 6 unpinned
     * runs); on one CPU the patching is seen in order. CPU 1 also shows that a kprobe fires off
     * CPU 0, the CPU its perf event is opened on.
     */
    private static GuestResult runInGuest() {
        return QemuGuest.defaultGuest().run(guestJob("attach", OBJECT, KINDS_OBJECT).withTimeout(Duration.ofSeconds(180)));
    }

    private static GuestJob guestJob(String... args) {
        // setsid: the JVM leads its own process group, so the pgid fmod_ret lets through is its pid,
        // not the 0 every process under the guest's /init has.
        String java = GuestRuntime.javaCommand(GuestAttachCheck.class.getName(), args)
                .replace(GuestRuntime.JAVA + " ", GuestRuntime.JAVA + " -XX:ErrorFile=" + HS_ERR + " ");
        return GuestJob.of("setsid " + java)
                .withFiles(GuestFile.testClasspath(), GuestFile.copyOf(TestPrograms.compile("guest_attach.bpf.c"), OBJECT),
                        GuestFile.copyOf(TestPrograms.compile("guest_kinds.bpf.c"), KINDS_OBJECT))
                .withCollected(HS_ERR);
    }

    /**
     * A second boot with the LSMs the first one ran minus bpf (lsm= replaces the kernel's built-in
     * list), running {@link GuestAttachCheck}'s lsm-inactive mode. The LSM set is fixed at boot, so
     * this cannot share the first boot.
     */
    private static GuestResult lsmInactiveBoot() {
        List<String> withoutBpf = Arrays.stream(line("KERNEL").get("lsm").split(",")).filter(l -> !l.equals("bpf")).toList();
        GuestJob job = guestJob("lsm-inactive", KINDS_OBJECT).withKernelArgs("lsm=" + String.join(",", withoutBpf))
                .withTimeout(Duration.ofSeconds(150));
        GuestResult r = bootRetryingJitCrash(() -> QemuGuest.defaultGuest().run(job));
        System.err.println("QEMU guest without the BPF LSM: boot + load + attach took " + r.elapsed().toMillis()
                + " ms; the guest's output:\n" + r.jobOutput());
        return r;
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
        return line(boot(), tag);
    }

    private static Map<String, String> line(GuestResult r, String tag) {
        assertEquals(0, r.exitCode(), "the guest program failed:\n" + r.jobOutput()
                + r.file(HS_ERR).map(b -> "\nthe JVM's crash report:\n" + head(new String(b, StandardCharsets.UTF_8))).orElse(""));
        return new GuestLines(r).pairs(tag);
    }

    /** Debian's 6.1 builds CONFIG_LSM with bpf last, so the BPF LSM is active without an lsm= argument. */
    @Test
    void ranOnTheDebian61KernelWithTheBpfLsmActive() {
        String release = line("KERNEL").get("release");
        assertTrue(release.startsWith("6.1."), release);
        assertEquals(QemuGuest.defaultGuest().kernel().release(), release);
        assertTrue(List.of(line("KERNEL").get("lsm").split(",")).contains("bpf"), line("KERNEL").toString());
    }

    @Test
    void eachKindIsABpfLinkNamedAfterItsTarget() {
        List<String> links = boot().jobOutput().lines().filter(l -> l.startsWith("LINK ")).toList();
        assertEquals(List.of(
                "LINK kind=kprobe bpf_link=true description=kprobe___do_sys_getppid",
                "LINK kind=kretprobe bpf_link=true description=kretprobe___do_sys_getppid",
                "LINK kind=fentry bpf_link=true description=fentry___do_sys_getppid",
                "LINK kind=fexit bpf_link=true description=fexit___do_sys_getppid",
                "LINK kind=ksyscall bpf_link=true description=ksyscall_getpgid_(__x64_sys_getpgid)",
                "LINK kind=kretsyscall bpf_link=true description=kretsyscall_getpgid_(__x64_sys_getpgid)",
                "LINK kind=fmod_ret bpf_link=true description=fmod_ret_security_task_getpgid",
                "LINK kind=lsm bpf_link=true description=lsm_file_open",
                "LINK kind=lsm_s bpf_link=true description=lsm.s_file_open"), links);
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

    /** The kprobe_events fallback for kernels without the kprobe PMU: exact counts, and no event left defined. */
    @Test
    void kprobesThroughTracefsCountAndLeaveNothingInKprobeEvents() {
        assertEquals("kprobe___do_sys_getppid_(tracefs) kretprobe___do_sys_getppid_(tracefs)", new GuestLines(boot()).rest("TRACEFS_LINK"));
        Map<String, String> t = line("TRACEFS");
        assertEquals("3", t.get("kprobe"), "3 calls while attached, none counted of the 2 after: " + t);
        assertEquals("3", t.get("kretprobe"), t.toString());
        assertEquals(line("ATTACHED").get("getppid"), t.get("kretprobe_ret"), "the return value through the tracefs kretprobe");
        assertEquals("2", t.get("defined"), "both events were in kprobe_events while attached");
        assertEquals("0", t.get("left"), "closing the links removed them");
    }

    @Test
    void kprobeOnAMissingFunctionIsAClearAttachError() {
        String missing = boot().jobOutput().lines().filter(l -> l.startsWith("MISSING ")).findFirst().orElseThrow();
        assertTrue(missing.startsWith("MISSING AttachException "), missing);
        assertTrue(missing.contains("bpf4j_no_such_function"), "names the function: " + missing);
        assertTrue(missing.contains("on_missing_function"), "names the program: " + missing);
        assertTrue(missing.contains("/proc/kallsyms"), "says where to look: " + missing);
    }

    /**
     * BPF_KSYSCALL reads the arguments from the user's registers the __x64_sys_ wrapper is handed
     * (LINUX_HAS_SYSCALL_WRAPPER): the program sees getpgid's argument, not the wrapper's pointer.
     */
    @Test
    void ksyscallSeesTheSyscallArgumentAndKretsyscallItsResult() {
        Map<String, String> k = line("KSYSCALL");
        assertEquals("errno=3,errno=3,errno=3", k.get("user"), "getpgid of a pid nobody has is ESRCH: " + k);
        assertEquals(Integer.toString(GuestAttachCheck.NO_SUCH_PID), k.get("arg"), "the argument ksyscall saw: " + k);
        assertEquals("-3", k.get("ret"), "the -ESRCH kretsyscall saw: " + k);
        assertEquals("3", k.get("ksyscall"), k.toString());
        assertEquals("3", k.get("kretsyscall"), k.toString());
    }

    /** 3 calls with both attached, 2 more after ksyscall's link closed, 1 after both. */
    @Test
    void closingASyscallLinkStopsItsProgramAndOnlyIt() {
        assertEquals(Map.of("ksyscall", "3", "kretsyscall", "5"), line("KSYSCALL_RESULT"));
    }

    @Test
    void fmodRetReplacesWhatUserSpaceGetsOnlyWhileAttached() {
        Map<String, String> f = line("FMOD");
        String injected = Integer.toString(GuestAttachCheck.INJECTED_PGID);
        assertTrue(f.get("before").matches("\\d+") && !f.get("before").equals(injected), "the shell's real pgid: " + f);
        assertEquals(injected + "," + injected, f.get("during"), "getpgid of the targeted pid returns what the program returned: " + f);
        assertEquals(f.get("self"), f.get("own"), "a pid the program lets through keeps its real pgid (the JVM leads its group): " + f);
        assertEquals(f.get("self"), f.get("own_expected"), "getpgid(0), which does not reach the hook: " + f);
        assertEquals(f.get("before"), f.get("after"), "after the link closed the kernel answers again: " + f);
        assertEquals("3", f.get("calls"), "the hook ran for the three getpgid calls made while attached: " + f);
        assertEquals("2", f.get("injected"), f.toString());
    }

    @Test
    void lsmProgramsRefuseTheirFileWhileAttached() {
        Map<String, String> l = line("LSM");
        assertEquals("ok,ok", l.get("before"), "before attaching both files open: " + l);
        assertEquals("errno=1,errno=1", l.get("denied"), "lsm returned -EPERM: " + l);
        assertEquals("errno=13", l.get("s_denied"), "lsm.s returned -EACCES: " + l);
        assertEquals("ok", l.get("allowed"), "a third file is left alone: " + l);
        assertEquals("2", l.get("lsm"), l.toString());
        assertEquals("1", l.get("lsm_s"), l.toString());
    }

    @Test
    void closingAnLsmLinkLiftsItsRefusalOnly() {
        assertEquals(Map.of("denied", "ok", "s_denied", "errno=13", "lsm", "2", "lsm_s", "2"), line("LSM_AFTER_LSM"));
        assertEquals(Map.of("denied", "ok", "s_denied", "ok", "lsm", "2", "lsm_s", "2"), line("LSM_AFTER_ALL"));
    }

    /**
     * Booted without bpf in lsm=, the kernel loads and attaches an lsm program and never runs it;
     * bpf4j refuses the attach instead and names the boot parameter that fixes it.
     */
    @Test
    void lsmWithoutTheBpfLsmIsAClearAttachErrorNamingTheBootParameter() {
        GuestResult r = LSM_INACTIVE_BOOT.get();
        Map<String, String> kernel = line(r, "KERNEL");
        assertFalse(List.of(kernel.get("lsm").split(",")).contains("bpf"), kernel.toString());
        String inactive = r.jobOutput().lines().filter(l -> l.startsWith("INACTIVE ")).findFirst()
                .orElseThrow(() -> new AssertionError("no INACTIVE line:\n" + r.jobOutput()));
        assertTrue(inactive.startsWith("INACTIVE AttachException "), inactive);
        assertTrue(inactive.contains("on_lsm"), "names the program: " + inactive);
        assertTrue(inactive.contains("lsm=" + kernel.get("lsm") + ",bpf"), "gives the boot parameter: " + inactive);
        assertEquals(Map.of("attached", "true", "open", "ok", "lsm", "0"), line(r, "INACTIVE_RAW"),
                "the kernel takes the attachment but never calls the program");
    }
}

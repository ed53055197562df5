package io.bpf4j.load;

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
 * {@code __ksym} kernel variables for real, on Debian's 6.1 kernel in QEMU ({@link KsymGuestCheck}
 * runs there): this host's kernel lacks CONFIG_KALLSYMS_ALL, so no variable has an address here
 * (ExternsTest checks the explanation). Typeless ones are addresses bpf4j takes from kallsyms, typed
 * ones BTF ids the kernel resolves; absent weak ones are 0. One boot serves every test.
 */
@Requires({Requirement.QEMU, Requirement.CLANG})
class KsymGuestTest {
    private static final String TYPELESS_OBJECT = "/job/ksyms_typeless.bpf.o";
    private static final String TYPED_OBJECT = "/job/ksyms_typed.bpf.o";
    private static final String MODULE_OBJECT = "/job/ksyms_module.bpf.o";
    private static final SharedBoot BOOT = new SharedBoot(KsymGuestTest::runInGuest);

    private static GuestResult runInGuest() {
        QemuGuest guest = QemuGuest.defaultGuest();
        GuestResult r = guest.run(GuestJob.of(GuestRuntime.javaCommand(KsymGuestCheck.class.getName(), TYPELESS_OBJECT, TYPED_OBJECT,
                        MODULE_OBJECT))
                .withFiles(GuestFile.testClasspath(),
                        GuestFile.copyOf(TestPrograms.compile("ksyms_typeless.bpf.c"), TYPELESS_OBJECT),
                        GuestFile.copyOf(TestPrograms.compile("ksyms_typed.bpf.c"), TYPED_OBJECT),
                        GuestFile.copyOf(TestPrograms.compile("ksyms_module.bpf.c"), MODULE_OBJECT))
                .withModules("x_tables")
                .withTimeout(Duration.ofSeconds(180)));
        System.err.println(r.report("boot + ksym checks"));
        return r;
    }

    private static GuestLines output() {
        return GuestLines.ofSuccessful(BOOT.get());
    }

    private static Map<String, String> pairs(String tag) {
        return output().pairs(tag);
    }

    /** The one address kallsyms lists for the name, as 16 hex digits. */
    private static String kallsymsAddress(String name) {
        String listed = pairs("KALLSYMS").get(name);
        assertTrue(listed != null && !listed.equals("none") && !listed.contains(","), "exactly one " + name + " in kallsyms: " + listed);
        return listed.substring(0, listed.indexOf('/'));
    }

    @Test
    void ranOnTheDebian61KernelWhoseBtfHasPerCpuVariablesOnly() {
        assertTrue(pairs("KERNEL").get("release").startsWith("6.1."), output().rest("KERNEL"));
        Map<String, String> btf = pairs("BTF");
        assertEquals(".data..percpu", btf.get("datasecs"), "6.1's vmlinux BTF describes per-cpu variables only");
        assertEquals("true", btf.get("var_runqueues"));
        assertEquals("true", btf.get("var_cpu_number"));
        assertEquals("false", btf.get("var_jiffies"));
        assertTrue(!kallsymsAddress("runqueues").equals("0000000000000000") && !kallsymsAddress("jiffies").equals("0000000000000000"),
                "root sees real addresses: " + output().rest("KALLSYMS"));
    }

    /** Typeless: the program stored the very address /proc/kallsyms lists, and jiffies read through it is live. */
    @Test
    void typelessKsymsAreTheKallsymsAddresses() {
        Map<String, String> t = pairs("TYPELESS");
        assertEquals("6", t.get("hits"), "3 getppid calls, two programs: " + output().rest("TYPELESS"));
        assertEquals("0", t.get("warnings"));
        assertEquals(kallsymsAddress("runqueues"), t.get("runqueues_address"), "per-cpu: the offset kallsyms lists");
        assertEquals(kallsymsAddress("jiffies"), t.get("jiffies_address"), "a plain global, absent from 6.1's BTF");
        long value = Long.parseLong(t.get("jiffies_value"));
        long before = Long.parseLong(t.get("schedstat_before"));
        long after = Long.parseLong(t.get("schedstat_after"));
        assertTrue(before > 0 && before <= value && value <= after,
                "jiffies read through the address lies between /proc/schedstat's before and after: " + output().rest("TYPELESS"));
    }

    @Test
    void anAbsentWeakTypelessKsymIsZero() {
        assertEquals("0", pairs("TYPELESS").get("weak_address"), "the global starts as 1; the program stored 0");
    }

    /** Typed per-cpu variables through bpf_this_cpu_ptr / bpf_per_cpu_ptr, on the CPU the JVM is pinned to (1). */
    @Test
    void typedPerCpuKsymsReadTheRunningCpusData() {
        Map<String, String> t = pairs("TYPED");
        String all = output().rest("TYPED");
        assertEquals("6", t.get("hits"), all);
        assertEquals("0", t.get("warnings"), all);
        assertEquals("1", t.get("smp_id"), "taskset 2 pins the guest JVM to CPU 1: " + all);
        assertEquals("1", t.get("this_rq_cpu"), "bpf_this_cpu_ptr(&runqueues)->cpu: " + all);
        assertEquals("0", t.get("rq0_cpu"), "bpf_per_cpu_ptr(&runqueues, 0)->cpu: " + all);
        assertEquals("1", t.get("rq1_cpu"), all);
        assertEquals("1", t.get("this_cpu_number"), "*bpf_this_cpu_ptr(&cpu_number), an int: " + all);
        assertEquals("0", t.get("cpu_number_of_0"), all);
        assertEquals("1", t.get("cpu_number_of_1"), all);
    }

    /** The kernel's own kallsyms lookup (typed, by BTF id) and bpf4j's (typeless, /proc/kallsyms) agree. */
    @Test
    void theKernelResolvedTheTypedRunqueuesToTheSameAddress() {
        assertEquals(kallsymsAddress("runqueues"), pairs("TYPED").get("runqueues_address"));
    }

    @Test
    void anAbsentWeakTypedKsymIsZeroAndItsBranchIsDead() {
        Map<String, String> t = pairs("TYPED");
        assertEquals("0", t.get("weak_address"));
        assertEquals("1", t.get("weak_absent"));
        assertEquals("-1", t.get("weak_value"), "the branch reading it never ran");
    }

    /**
     * x_tables' per-cpu xt_recseq is in the module's BTF, not vmlinux's: the kernel resolved the VAR in
     * the module's BTF (named by fd) to the address kallsyms lists for it, and the program read it.
     */
    @Test
    void aTypedVariableOfAModuleResolvesThroughTheModulesBtf() {
        String listed = pairs("KALLSYMS_MODULE").get("xt_recseq");
        assertTrue(listed != null && !listed.equals("none") && !listed.contains(","), "exactly one xt_recseq in kallsyms: " + listed);
        Map<String, String> seen = pairs("MODULE_TYPED");
        assertEquals("3", seen.get("hits"), "three getppid calls: " + seen);
        assertEquals(listed.substring(0, listed.indexOf('/')), seen.get("address"));
        assertTrue(Long.parseLong(seen.get("sequence")) % 2 == 0, "a seqcount nobody is writing is even: " + seen);
    }

    @Test
    void missingKsymsAreLoadErrorsNamingThem() {
        String typeless = output().rest("MISSING-TYPELESS");
        assertTrue(typeless.startsWith("LoadException cause=none ") && typeless.contains("'bpf4j_missing_symbol'")
                && typeless.contains("/proc/kallsyms does not list"), typeless);
        String typed = output().rest("MISSING-TYPED");
        assertTrue(typed.startsWith("LoadException cause=none ") && typed.contains("'bpf4j_missing_variable'")
                && typed.contains("/proc/kallsyms does not list"), typed);
    }

    /** jiffies is in kallsyms but not in 6.1's BTF: as a typed extern the error says to declare it typeless. */
    @Test
    void aTypedNonPerCpuVariableOn61SaysToDeclareItTypeless() {
        String m = output().rest("TYPED-JIFFIES");
        assertTrue(m.startsWith("LoadException cause=none ") && m.contains("'jiffies'") && m.contains("per-cpu variables only")
                && m.contains("extern const void jiffies __ksym;"), m);
    }
}

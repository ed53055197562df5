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
 * What this host cannot show, on Debian's 6.1 kernel in QEMU ({@link ModuleKfuncGuestCheck} runs
 * there): kfuncs defined in a module (nf_conntrack's bpf_xdp_ct_lookup / bpf_ct_release, reached
 * through fd_array), the error when that module is not loaded, and a map type the kernel lacks
 * (CGRP_STORAGE, Linux 6.2). One boot serves every test.
 */
@Requires({Requirement.QEMU, Requirement.CLANG})
class ModuleKfuncGuestTest {
    private static final String KFUNC_OBJECT = "/job/module_kfunc.bpf.o";
    private static final String MAP_OBJECT = "/job/map_type_new.bpf.o";
    private static final String MODULE = "/job/nf_conntrack.ko";
    private static final SharedBoot BOOT = new SharedBoot(ModuleKfuncGuestTest::runInGuest);

    /**
     * The harness insmods nf_conntrack with its dependencies (nf_defrag_ipv4/6, libcrc32c); the script
     * unloads nf_conntrack alone so the check starts without it and loads it again itself.
     */
    private static GuestResult runInGuest() {
        QemuGuest guest = QemuGuest.defaultGuest();
        String script = "rmmod nf_conntrack || exit 3\n"
                + GuestRuntime.javaCommand(ModuleKfuncGuestCheck.class.getName(), KFUNC_OBJECT, MAP_OBJECT, MODULE);
        GuestResult r = guest.run(GuestJob.of(script)
                .withModules("nf_conntrack")
                .withFiles(GuestFile.testClasspath(),
                        GuestFile.copyOf(TestPrograms.compile("module_kfunc.bpf.c"), KFUNC_OBJECT),
                        GuestFile.copyOf(TestPrograms.compile("map_type_new.bpf.c"), MAP_OBJECT),
                        GuestFile.copyOf(guest.kernel().module("nf_conntrack").file(), MODULE))
                .withTimeout(Duration.ofSeconds(180)));
        System.err.println(r.report("boot + module kfunc checks"));
        return r;
    }

    private static GuestLines output() {
        return GuestLines.ofSuccessful(BOOT.get());
    }

    private static String rest(String tag) {
        return output().rest(tag);
    }

    private static Map<String, String> pairs(String tag) {
        return output().pairs(tag);
    }

    @Test
    void ranOnTheDebian61KernelWhoseVmlinuxLacksTheConntrackKfuncs() {
        assertTrue(pairs("KERNEL").get("release").startsWith("6.1."), rest("KERNEL"));
        assertEquals("false", pairs("VMLINUX").get("defines_ct_lookup"), "nf_conntrack is a module there, not built in");
    }

    @Test
    void moduleKfuncsLoadThroughFdArrayAndRunOnAPacket() {
        assertEquals("true", pairs("LOADED").get("module_btf"), "/sys/kernel/btf/nf_conntrack after insmod");
        Map<String, String> run = pairs("RUN");
        assertEquals("1", run.get("retval"), "XDP_DROP: the program's answer to 'no connection found'; " + rest("RUN"));
        assertEquals("1", run.get("lookups"));
        assertEquals("-2", run.get("lookup_error"), "bpf_xdp_ct_lookup set opts.error to -ENOENT");
    }

    @Test
    void moduleBtfFdsAreClosedAfterLoadAndAfterAFailedLoad() {
        assertEquals("0", pairs("UNLOADED").get("btf_fds"));
        assertEquals("0", pairs("UNLOADED-AFTER").get("btf_fds"), "the failed load left no BTF fd open");
        assertEquals("1", pairs("LOADED-FDS").get("btf_fds"), "only the object's own BTF stays open while it is loaded");
        assertEquals("0", pairs("CLOSED").get("btf_fds"));
    }

    @Test
    void withoutTheModuleTheErrorNamesTheKfuncAndTheMissingModule() {
        assertEquals("false", pairs("UNLOADED").get("module_loaded"));
        String m = rest("UNLOADED-RESULT");
        assertTrue(m.startsWith("LoadException "), m);
        assertTrue(m.contains("bpf_xdp_ct_lookup") || m.contains("bpf_ct_release"), "names the kfunc: " + m);
        assertTrue(m.contains("module must be loaded"), "says to load its module: " + m);
        assertTrue(m.contains("nf_defrag_ipv4"), "lists the module BTF it searched: " + m);
    }

    @Test
    void aMapTypeTheKernelLacksIsNamedWithTheReleaseThatAddedIt() {
        assertEquals("false", pairs("FEATURES").get("cgrp_storage"));
        String m = rest("MAPTYPE");
        assertTrue(m.startsWith("LoadException "), m);
        assertTrue(m.contains("map per_cgroup") && m.contains("BPF_MAP_TYPE_CGRP_STORAGE"), "names map and type: " + m);
        assertTrue(m.contains("running kernel (Linux 6.1.") && m.contains("lacks"), "says the kernel lacks it: " + m);
        assertTrue(m.contains("added in Linux 6.2"), "says since when: " + m);
    }

    /** 6.1 has ENUM64 (Linux 6.0): the sanitiser's pre-6.0 case cannot be shown on this guest, only forced (BtfSanitizerTest). */
    @Test
    void theGuestKernelAlreadyHasEnum64() {
        assertEquals("true", pairs("FEATURES").get("btf_enum64"));
    }
}

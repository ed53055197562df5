package io.bpf4j.load;

import io.bpf4j.host.KernelConfig;
import io.bpf4j.host.KernelRelease;
import io.bpf4j.link.Attacher;
import io.bpf4j.link.Link;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.Syscalls;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** .kconfig and .ksyms externs get the running kernel's values: checked against /proc. */
@Requires({Requirement.ROOT, Requirement.CLANG, Requirement.KERNEL_BTF})
class ExternsTest {
    @Test
    void kconfigExternsCarryTheRunningKernelsValues() throws Throwable {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("kconfig_ksyms.bpf.c")).load();
             Link l = Attacher.attach(obj.program("read_kconfig"))) {
            assertEquals(java.util.List.of(), obj.warnings(), "the kernel took the BTF with its typeless runqueues");
            Syscalls.getppid(1);
            assertEquals((long) KernelRelease.versionCode(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip()),
                    obj.globalValue("seen_version"));
            long hz = KernelConfig.running().value("CONFIG_HZ").map(Long::parseLong).orElse(0L);
            assertEquals(hz, ((Number) obj.globalValue("seen_hz")).longValue(), "CONFIG_HZ as /proc/config.gz has it");
            assertEquals(1L, obj.globalValue("seen_bpf_syscall"));
        }
    }

    /** A kernel variable needs its address from kallsyms, which has variables only with CONFIG_KALLSYMS_ALL. */
    @Test
    void ksymVariableResolvesOrSaysWhyNot() throws Throwable {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("kconfig_ksyms.bpf.c")).autoload("read_ksym", true)) {
            if (!KernelConfig.running().enabled("CONFIG_KALLSYMS_ALL")) {
                LoadException e = assertThrows(LoadException.class, obj::load);
                assertTrue(e.getMessage().contains("CONFIG_KALLSYMS_ALL") && e.getMessage().contains("runqueues"), e.getMessage());
                return;
            }
            obj.load();
            try (Link l = Attacher.attach(obj.program("read_ksym"))) {
                Syscalls.getppid(1);
                assertTrue(((Number) obj.globalValue("ksym_address")).longValue() != 0, "the ksym resolved to an address");
            }
        }
    }

    /** A typed ksym is looked up in kallsyms by the kernel itself: the same explanation when it cannot be. */
    @Test
    void typedKsymVariableSaysWhyNotWithoutKallsymsAll() throws Exception {
        if (KernelConfig.running().enabled("CONFIG_KALLSYMS_ALL")) {
            return; // resolved for real in KsymGuestTest; this host's kernel lacks it
        }
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("ksyms_typed.bpf.c")).autoload("typed", true)) {
            LoadException e = assertThrows(LoadException.class, obj::load);
            assertTrue(e.getMessage().contains("CONFIG_KALLSYMS_ALL") && e.getMessage().contains("runqueues"), e.getMessage());
        }
    }

    /** An absent __weak ksym, typeless or typed, is 0 (the branch that would read it is dead) and the program loads and runs. */
    @Test
    void absentWeakKsymsAreZeroAndTheProgramsRun() throws Throwable {
        try (BpfObject typeless = BpfObject.open(TestPrograms.compile("ksyms_typeless.bpf.c")).autoload("weak_typeless", true);
             BpfObject typed = BpfObject.open(TestPrograms.compile("ksyms_typed.bpf.c")).autoload("weak_typed", true)) {
            String tgid = Integer.toString(io.bpf4j.sys.Os.getpid());
            typeless.setGlobal("target_tgid", tgid).load();
            typed.setGlobal("target_tgid", tgid).load();
            assertEquals(java.util.List.of(), typeless.warnings(), "the kernel took the object's BTF, typeless externs included");
            assertEquals(java.util.List.of(), typed.warnings());
            try (Link a = Attacher.attach(typeless.program("weak_typeless")); Link b = Attacher.attach(typed.program("weak_typed"))) {
                Syscalls.getppid(2);
            }
            assertEquals(2L, ((Number) typeless.globalValue("hits")).longValue());
            assertEquals(0L, ((Number) typeless.globalValue("weak_address")).longValue(), "starts as 1; the program stored 0");
            assertEquals(2L, ((Number) typed.globalValue("hits")).longValue());
            assertEquals(0L, ((Number) typed.globalValue("weak_address")).longValue());
            assertEquals(1L, ((Number) typed.globalValue("weak_absent")).longValue(), "took the 'absent' branch");
            assertEquals(-1L, ((Number) typed.globalValue("weak_value")).longValue());
        }
    }

    /** A ksym neither kallsyms nor the kernel's BTF has, not __weak: a LoadException naming it, before the kernel is asked. */
    @Test
    void aMissingKsymIsALoadErrorNamingIt() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("ksyms_typed.bpf.c")).autoload("missing_typed", true)) {
            LoadException e = assertThrows(LoadException.class, obj::load);
            assertTrue(e.getMessage().contains("program missing_typed") && e.getMessage().contains("'bpf4j_missing_variable'")
                    && e.getMessage().contains("which neither /sys/kernel/btf/vmlinux nor") && e.getMessage().contains("modprobe")
                    && e.getMessage().contains("__weak"),
                    e.getMessage());
            assertEquals(null, e.getCause(), "bpf4j's own finding, not a kernel error");
        }
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("ksyms_typeless.bpf.c")).autoload("missing_typeless", true)) {
            LoadException e = assertThrows(LoadException.class, obj::load);
            assertTrue(e.getMessage().contains("program missing_typeless") && e.getMessage().contains("'bpf4j_missing_symbol'")
                    && e.getMessage().contains("__weak"), e.getMessage());
            assertEquals(null, e.getCause());
        }
    }

    /** bpf_task_from_pid(our pid)->pid must be our pid: the kfunc really ran. */
    @Test
    void kfuncCallsResolveAgainstTheKernel() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("kfuncs.bpf.c"))) {
            obj.setGlobal("target_tgid", Integer.toString(io.bpf4j.sys.Os.getpid())).load();
            assertEquals(java.util.List.of(), obj.warnings(), "the kernel took the object's BTF, kfunc declarations included");
            try (Link l = Attacher.attach(obj.program("use_kfunc"))) {
                Syscalls.getppid(1);
                assertEquals((long) io.bpf4j.sys.Os.getpid(), ((Number) obj.globalValue("found_pid")).longValue());
            }
        }
    }
}

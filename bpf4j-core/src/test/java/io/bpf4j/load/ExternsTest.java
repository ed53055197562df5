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

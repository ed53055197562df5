package io.bpf4j.host;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DoctorTest {
    @Test
    void kernelConfigAgreesWithZcat() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/config.gz")), "no /proc/config.gz on this kernel");
        Process p = new ProcessBuilder("sh", "-c", "zcat /proc/config.gz | grep -E '^(CONFIG_KPROBES|CONFIG_DEBUG_INFO_BTF|CONFIG_BPF_SYSCALL)=' || true").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        KernelConfig cfg = KernelConfig.running();
        for (String option : List.of("CONFIG_KPROBES", "CONFIG_DEBUG_INFO_BTF", "CONFIG_BPF_SYSCALL")) {
            boolean setInZcat = out.lines().anyMatch(l -> l.startsWith(option + "=y") || l.startsWith(option + "=m"));
            assertEquals(setInZcat, cfg.enabled(option), option);
        }
    }

    @Test
    void everyWarningAndFailureSaysTheFix() {
        List<Check> checks = Doctor.run();
        assertFalse(checks.isEmpty());
        for (Check c : checks) {
            if (c.status() != Check.Status.OK) {
                assertFalse(c.fix().isBlank(), c.name() + " has no fix");
            }
        }
    }

    @Test
    void kprobeAndBtfLinesTellTheTruth() throws IOException {
        Map<String, Check> byName = Doctor.run().stream().collect(Collectors.toMap(Check::name, c -> c, (a, b) -> a));
        boolean btf = Files.isRegularFile(Path.of("/sys/kernel/btf/vmlinux"));
        assertEquals(btf ? Check.Status.OK : Check.Status.FAIL, byName.get("btf").status());
        assumeTrue(KernelConfig.running().available(), "no kernel config to compare with");
        Check kprobes = byName.get("CONFIG_KPROBES");
        assertEquals(KernelConfig.running().enabled("CONFIG_KPROBES") ? Check.Status.OK : Check.Status.WARN, kprobes.status());
        if (kprobes.status() != Check.Status.OK) {
            assertTrue(kprobes.fix().contains("tracepoint/"), kprobes.fix());
        }
    }

    @Test
    void capabilitiesMatchProcStatus() throws IOException {
        String capEff = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow().substring(7).strip();
        Capabilities caps = Capabilities.ofCurrentProcess();
        assertEquals(Long.parseUnsignedLong(capEff, 16), caps.effective());
        // CAP_BPF is bit 39 (linux/capability.h)
        assertEquals((Long.parseUnsignedLong(capEff, 16) >>> 39 & 1) == 1, caps.has(Capabilities.Cap.CAP_BPF));
    }

    @Test
    void versionCodeFollowsKernelVersionMacro() {
        assertEquals((6 << 16) + (18 << 8) + 44, KernelRelease.versionCode("6.18.44-fc-v782"));
        assertEquals((4 << 16) + (19 << 8) + 255, KernelRelease.versionCode("4.19.300"));
        assertEquals((5 << 16) + (11 << 8), KernelRelease.versionCode("5.11"));
    }
}

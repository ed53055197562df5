package io.bpf4j.link;

import io.bpf4j.load.BpfObject;
import io.bpf4j.sys.Os;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Requires({Requirement.ROOT, Requirement.CLANG, Requirement.KERNEL_BTF})
class IterAndPerfEventTest {
    @Test
    void taskIteratorListsThisProcess() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("iter_perf.bpf.c")).autoload("on_sample", false).load();
             Link it = Attacher.attach(obj.program("dump_task"))) {
            String out = Attacher.runIterator(it);
            assertTrue(out.lines().anyMatch(l -> l.startsWith(Os.getpid() + " java")), "this JVM is among the tasks:\n"
                    + out.lines().limit(20).toList());
            assertTrue(out.lines().anyMatch(l -> l.equals("2 kthreadd")), "and kernel threads, kthreadd first: "
                    + out.lines().limit(5).toList());
        }
    }

    @Test
    void cpuClockSamplesArrive() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("iter_perf.bpf.c")).autoload("dump_task", false).load();
             Link l = Attacher.attach(obj.program("on_sample"), Optional.of("cpu-clock:999"))) {
            long end = System.nanoTime() + 500_000_000L;
            long spin = 0;
            while (System.nanoTime() < end) {
                spin++;
            }
            assertTrue(spin > 0);
            // 999 Hz for 0.5 s of a busy CPU: hundreds of samples; at least a few whatever the scheduler does.
            assertTrue(((Number) obj.globalValue("samples")).longValue() >= 10, "samples: " + obj.globalValue("samples"));
            AttachException bad = assertThrows(AttachException.class, () -> Attacher.attach(obj.program("on_sample"), Optional.of("cycles-of-doom")));
            assertTrue(bad.getMessage().contains("cpu-clock"), bad.getMessage());
        }
    }

    /** One BPF link per CPU: pinning keeps every one of them, and the kernel lists each pin as a perf_event link. */
    @Test
    void pinningAPerCpuAttachmentPinsEveryLink() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of("/sys/fs/bpf", "bpf4j-test-pin-" + ProcessHandle.current().pid());
        java.nio.file.Files.createDirectories(dir);
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("iter_perf.bpf.c")).autoload("dump_task", false).load();
             Link l = Attacher.attach(obj.program("on_sample"), Optional.of("cpu-clock:99"))) {
            java.util.List<java.nio.file.Path> pins = l.pin(dir.resolve("on_sample_link"));
            assertEquals(io.bpf4j.load.PossibleCpus.count(), pins.size(), pins.toString());
            for (java.nio.file.Path pin : pins) {
                try (io.bpf4j.sys.Fd fd = io.bpf4j.sys.Bpf.objGet(pin, 0)) {
                    assertEquals("PERF_EVENT", io.bpf4j.sys.Bpf.linkInfo(fd).linkType().name(), pin.toString());
                }
            }
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(dir);
        }
    }
}

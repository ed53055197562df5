package io.bpf4j.link;

import io.bpf4j.load.BpfObject;
import io.bpf4j.load.LoadException;
import io.bpf4j.sys.Os;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.Syscalls;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each kind: a real attach, a trigger from this process, and the count the program kept. */
@Requires({Requirement.ROOT, Requirement.CLANG})
class AttacherTest {
    private static BpfObject open() throws Exception {
        BpfObject obj = BpfObject.open(TestPrograms.compile("attach_kinds.bpf.c"));
        obj.setGlobal("target_tgid", Integer.toString(Os.getpid()));
        return obj;
    }

    @Test
    void tracepointCountsExactlyTheCallsMade() throws Throwable {
        try (BpfObject obj = open().load(); Link link = Attacher.attach(obj.program("on_tracepoint"))) {
            assertEquals("tracepoint syscalls/sys_enter_getppid", link.description());
            Syscalls.getppid(5);
            assertEquals(5L, obj.globalValue("tracepoint_hits"));
            link.close();
            Syscalls.getppid(3);
            assertEquals(5L, obj.globalValue("tracepoint_hits"), "nothing counted after detach");
        }
    }

    @Test
    void rawTracepointAndTpBtfFire() throws Throwable {
        try (BpfObject obj = open().load();
             Link raw = Attacher.attach(obj.program("on_raw_tp"));
             Link btf = Attacher.attach(obj.program("on_tp_btf"))) {
            assertTrue(raw.isBpfLink() && btf.isBpfLink());
            Syscalls.getppid(10);
            assertTrue((Long) obj.globalValue("raw_tp_hits") >= 10, "every syscall of this process counts: " + obj.globalValue("raw_tp_hits"));
            assertTrue((Long) obj.globalValue("tp_btf_hits") >= 10);
        }
    }

    @Test
    void uprobeOnALibcFunction() throws Throwable {
        try (BpfObject obj = open().autoload("on_uprobe", true).load()) {
            String libc = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.contains("libc.so")).map(l -> l.substring(l.indexOf('/'))).findFirst().orElseThrow();
            try (Link link = Attacher.attach(obj.program("on_uprobe"), Optional.of(libc + ":getppid"))) {
                Syscalls.getppid(4);
                assertEquals(4L, obj.globalValue("uprobe_hits"), link.description());
            }
        }
    }

    @Test
    void uprobeWithAPidFiresInThatProcessOnly() throws Throwable {
        try (BpfObject obj = open().autoload("on_uprobe_any", true).load()) {
            String libc = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.contains("libc.so")).map(l -> l.substring(l.indexOf('/'))).findFirst().orElseThrow();
            int self = (int) ProcessHandle.current().pid();
            Optional<String> target = Optional.of(libc + ":getppid");
            try (Link link = Attacher.attach(obj.program("on_uprobe_any"), target, self)) {
                assertTrue(link.description().endsWith("in process " + self), link.description());
                Syscalls.getppid(5);
                otherProcessCallsGetppid();
                assertEquals(5L, obj.globalValue("uprobe_any_hits"), "only this JVM's 5 calls, not the child's");
            }
            // The control: without a pid the same child is counted, so the filter above did the work.
            try (Link link = Attacher.attach(obj.program("on_uprobe_any"), target)) {
                otherProcessCallsGetppid();
                assertTrue((Long) obj.globalValue("uprobe_any_hits") > 5L, "the child's getppid counts without a pid");
            }
            AttachException gone = assertThrows(AttachException.class,
                    () -> Attacher.attach(obj.program("on_uprobe_any"), target, Integer.MAX_VALUE - 1));
            assertTrue(gone.getMessage().contains("no process"), gone.getMessage());
            AttachException zero = assertThrows(AttachException.class, () -> Attacher.attach(obj.program("on_uprobe_any"), target, 0));
            assertTrue(zero.getMessage().contains("0 is not a process id"), zero.getMessage());
        }
    }

    @Test
    void uprobeMultiPutsOneLinkOnEveryMatchingFunction() throws Throwable {
        try (BpfObject obj = open().autoload("on_uprobe_multi", true).load()) {
            String libc = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.contains("libc.so")).map(l -> l.substring(l.indexOf('/'))).findFirst().orElseThrow();
            try (Link link = Attacher.attach(obj.program("on_uprobe_multi"), Optional.of(libc + ":getppi?"))) {
                assertTrue(link.isBpfLink() && link.description().endsWith("(1 function)"), link.description());
                assertEquals("UPROBE_MULTI", io.bpf4j.sys.Bpf.linkInfo(link.fd()).linkType().name());
                Syscalls.getppid(6);
                assertEquals(6L, obj.globalValue("uprobe_multi_hits"));
            }
            Syscalls.getppid(2);
            assertEquals(6L, obj.globalValue("uprobe_multi_hits"), "nothing after the link closed");
            // nm -D lists getpid, getppid and getpgid in libc: the glob takes each once.
            try (Link wide = Attacher.attach(obj.program("on_uprobe_multi"), Optional.of(libc + ":getp*id"))) {
                int n = Integer.parseInt(wide.description().replaceAll(".*\\((\\d+) functions\\)$", "$1"));
                assertTrue(n >= 3, wide.description());
            }
            AttachException none = assertThrows(AttachException.class,
                    () -> Attacher.attach(obj.program("on_uprobe_multi"), Optional.of(libc + ":no_such_fn*")));
            assertTrue(none.getMessage().contains("no function of") && none.getMessage().contains("nm -D"), none.getMessage());
        }
    }

    /** A session program runs at entry and, as it returns 0 there, again at return: twice per call. */
    @Test
    void uprobeSessionRunsAtEntryAndReturn() throws Throwable {
        try (BpfObject obj = open().autoload("on_uprobe_session", true).load()) {
            String libc = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.contains("libc.so")).map(l -> l.substring(l.indexOf('/'))).findFirst().orElseThrow();
            try (Link link = Attacher.attach(obj.program("on_uprobe_session"), Optional.of(libc + ":getppi?"))) {
                assertTrue(link.description().startsWith("uprobe.session ") && link.description().endsWith("(1 function)"),
                        link.description());
                Syscalls.getppid(5);
                assertEquals(10L, obj.globalValue("uprobe_session_hits"));
            }
            Syscalls.getppid(2);
            assertEquals(10L, obj.globalValue("uprobe_session_hits"), "nothing after the link closed");
        }
    }

    @Test
    void kprobeMultiAttachesOrSaysWhyNot() throws Exception {
        try (BpfObject obj = open().autoload("on_kprobe_multi", true).load()) {
            boolean fprobe = io.bpf4j.host.KernelConfig.running().enabled("CONFIG_FPROBE");
            if (fprobe) {
                try (Link l = Attacher.attach(obj.program("on_kprobe_multi"))) {
                    assertEquals("kprobe.multi __x64_sys_getppi? (1 function)", l.description());
                }
            } else {
                AttachException e = assertThrows(AttachException.class, () -> Attacher.attach(obj.program("on_kprobe_multi")));
                assertTrue(e.getMessage().contains("CONFIG_FPROBE") && e.getMessage().contains("tracepoint/"), e.getMessage());
            }
        }
    }

    /** dash reads its parent's pid with getppid(2) when it starts (for $PPID). */
    private static void otherProcessCallsGetppid() throws Exception {
        assertEquals(0, new ProcessBuilder("sh", "-c", "echo $PPID >/dev/null").start().waitFor());
    }

    @Test
    void kprobesSayWhyAndWhatToUse() throws Exception {
        try (BpfObject obj = open().autoload("on_kprobe", true).load()) {
            boolean pmu = java.nio.file.Files.exists(java.nio.file.Path.of("/sys/bus/event_source/devices/kprobe"));
            if (!pmu) {
                AttachException e = assertThrows(AttachException.class, () -> Attacher.attach(obj.program("on_kprobe")));
                assertTrue(e.getMessage().contains("kprobes are not available"), e.getMessage());
                assertTrue(e.getMessage().contains("tracepoint/"), e.getMessage());
            } else {
                try (Link l = Attacher.attach(obj.program("on_kprobe"))) {
                    assertTrue(l.description().startsWith("kprobe"));
                }
            }
        }
    }

    @Test
    void fentryRefusalIsExplained() throws Exception {
        try (BpfObject obj = open().autoload("on_fentry", true)) {
            try {
                obj.load();
                try (Link l = Attacher.attach(obj.program("on_fentry"))) {
                    assertTrue(l.isBpfLink(), "this kernel allows fentry");
                }
            } catch (LoadException | AttachException e) {
                assertTrue(e.getMessage().contains("fentry") && e.getMessage().contains("tracepoint/"), e.getMessage());
            }
        }
    }

    @Test
    void missingTracepointIsAClearError() throws Exception {
        try (BpfObject obj = open().load()) {
            AttachException e = assertThrows(AttachException.class,
                    () -> Attacher.attach(obj.program("on_tracepoint"), Optional.of("syscalls/sys_enter_no_such_call")));
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        }
    }
}

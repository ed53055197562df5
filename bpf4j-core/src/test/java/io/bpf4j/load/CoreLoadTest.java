package io.bpf4j.load;

import io.bpf4j.link.Attacher;
import io.bpf4j.link.Link;
import io.bpf4j.sys.Os;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.Syscalls;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A CO-RE program loaded and run for real: what it reads must be what /proc and bpftool say. */
@Requires({Requirement.ROOT, Requirement.CLANG, Requirement.KERNEL_BTF, Requirement.BPFTOOL})
class CoreLoadTest {
    @Test
    void readsTheCallingTaskThroughCoRe() throws Throwable {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("core_reads.bpf.c"))) {
            obj.setGlobal("target_tgid", Integer.toString(Os.getpid())).load();
            try (Link l = Attacher.attach(obj.program("read_task"))) {
                int ppid = Syscalls.getppid(1);
                assertEquals((long) Os.getpid(), ((Number) obj.globalValue("seen_tgid")).longValue());
                assertEquals((long) ppid, ((Number) obj.globalValue("seen_parent_tgid")).longValue());
                assertEquals((long) ppid, ((Number) obj.globalValue("flavoured_parent_tgid")).longValue());
                assertEquals(1L, obj.globalValue("has_pid_field"));
                assertEquals(taskStructSizeFromBpftool(), ((Number) obj.globalValue("task_size")).longValue());
            }
        }
    }

    private static long taskStructSizeFromBpftool() {
        String raw = Bpftool.run("btf", "dump", "file", "/sys/kernel/btf/vmlinux");
        Matcher m = Pattern.compile("STRUCT 'task_struct' size=(\\d+)").matcher(raw);
        assertTrue(m.find(), "bpftool lists struct task_struct");
        return Long.parseLong(m.group(1));
    }
}

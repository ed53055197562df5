package io.bpf4j.cli;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 'bpf4j object disasm' as a user runs it, on disasm.bpf.c: what it names beside the instructions. */
@Requires(Requirement.CLANG)
class ObjectCommandTest {
    private static List<String> listing() throws Exception {
        CliProcess.Result r = CliProcess.run("object", "disasm", TestPrograms.compile("disasm.bpf.c").toString());
        assertEquals(0, r.code(), r.output());
        return r.output().lines().toList();
    }

    @Test
    void coreAccessesCallsCallbacksAndGlobalsAreNamed() throws Exception {
        List<String> lines = listing();
        String all = String.join("\n", lines);
        assertTrue(lines.stream().anyMatch(l -> l.matches(" *\\d+: \\(b7\\) r\\d = 4 +; CO-RE field_byte_offset struct task_struct\\.tgid")),
                "tgid is at byte 4 of the object's task_struct, and the record says so:\n" + all);
        assertTrue(lines.stream().anyMatch(l -> l.matches(" *\\d+: \\(85\\) call pc\\+\\d+ +; calls read_tgid")), all);
        assertTrue(lines.stream().anyMatch(l -> l.matches(" *\\d+: \\(18\\) r2 = subprog\\[\\+\\d+] +; callback step")), all);
        assertTrue(lines.stream().anyMatch(l -> l.contains("; .bss+0 (seen)")), all);
        assertTrue(lines.contains("read_tgid:") && lines.contains("step:"), "subprograms start where they were placed:\n" + all);
    }

    @Test
    void aSourceLineIsShownOncePerRun() throws Exception {
        List<String> comments = listing().stream().filter(l -> l.startsWith("; ")).toList();
        for (int i = 1; i < comments.size(); i++) {
            assertNotEquals(comments.get(i - 1), comments.get(i), "the same line twice in a row: " + comments);
        }
    }
}

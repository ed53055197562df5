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

    /**
     * object info --json on test_run.bpf.c: names, sections and types as declared there; instruction
     * counts and data-section sizes as llvm-readelf reports the sections.
     */
    @Test
    void infoDescribesProgramsMapsAndGlobals() throws Exception {
        java.nio.file.Path obj = TestPrograms.compile("test_run.bpf.c");
        CliProcess.Result r = CliProcess.run("object", "info", obj.toString(), "--json");
        assertEquals(0, r.code(), r.output());
        String json = r.output().replaceAll("\\s", "");
        java.nio.file.Path clang = io.bpf4j.toolchain.Clang.require().executable();
        java.nio.file.Path llvmReadelf = clang.resolveSibling(clang.getFileName().toString().replace("clang", "llvm-readelf"));
        String exe = java.nio.file.Files.isExecutable(llvmReadelf) ? llvmReadelf.toString() : "readelf";
        Process readelf = new ProcessBuilder(exe, "-S", "--wide", obj.toString()).redirectErrorStream(true).start();
        String sections = new String(readelf.getInputStream().readAllBytes());
        assertEquals(0, readelf.waitFor(), sections);
        // Two programs share the xdp section: their instructions together fill it.
        assertEquals(sectionSize(sections, "xdp") / 8, instructions(json, "xdp_twice") + instructions(json, "xdp_mark"), json);
        assertTrue(json.contains("{\"name\":\"xdp_twice\",\"section\":\"xdp\",\"type\":\"xdp\",\"attach_type\":\"xdp\","), json);
        assertTrue(json.contains("{\"name\":\"syscall_sum\",\"section\":\"syscall\",\"type\":\"syscall\",\"attach_type\":\"-\","
                + "\"instructions\":" + sectionSize(sections, "syscall") / 8 + ","), json);
        assertTrue(json.contains("{\"name\":\".bss\",\"type\":\"array\",\"key_size\":4,\"key_type\":null,\"value_size\":"
                + sectionSize(sections, ".bss") + ","), json);
        assertTrue(json.contains("{\"name\":\"factor\",\"section\":\".rodata\",\"type\":\"constvolatileint\",\"size\":4}"), json);
        assertTrue(json.contains("{\"name\":\"where\",\"section\":\".bss\",\"type\":\"structpoint\",\"size\":12}"), json);
        assertTrue(json.contains("{\"name\":\"word\",\"section\":\".data\",\"type\":\"char[6]\",\"size\":6}"), json);
        assertTrue(json.contains("\"license\":\"GPL\""), json);
    }

    private static long instructions(String json, String program) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"name\":\"" + program + "\",[^}]*\"instructions\":(\\d+)").matcher(json);
        assertTrue(m.find(), program + " in " + json);
        return Long.parseLong(m.group(1));
    }

    /** The size column of one section in llvm-readelf -S --wide output. */
    private static long sectionSize(String readelf, String name) {
        return readelf.lines().map(l -> l.replaceFirst("^\\s*\\[\\s*\\d+]\\s+", "").split("\\s+"))
                .filter(f -> f[0].equals(name)).mapToLong(f -> Long.parseLong(f[4], 16)).findFirst().orElseThrow();
    }

    @Test
    void aSourceLineIsShownOncePerRun() throws Exception {
        List<String> comments = listing().stream().filter(l -> l.startsWith("; ")).toList();
        for (int i = 1; i < comments.size(); i++) {
            assertNotEquals(comments.get(i - 1), comments.get(i), "the same line twice in a row: " + comments);
        }
    }
}

package io.bpf4j.reloc;

import io.bpf4j.toolchain.Clang;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CO-RE relocations as {@code llvm-objdump -dr} reports them: byte offset in the section, kind
 * and the accessed thing in clang's own words ("struct task_struct::pid"). An oracle independent of
 * bpf4j's .BTF.ext parsing and access-string walking.
 */
final class ObjdumpCoreRelocations {
    /** One "CO-RE <kind> [id] what (access)" line under section {@code section}. */
    record Line(String section, long offset, String kind, String what) {
        String key() {
            return "<" + kind + "> " + what;
        }
    }

    private static final Pattern SECTION = Pattern.compile("^Disassembly of section (.*):$");
    private static final Pattern CORE = Pattern.compile("^\\s+([0-9a-f]+):\\s+CO-RE <(\\w+)> \\[\\d+\\] (.*?)(?: \\([0-9:]+\\))?(?: = .*)?$");

    static List<Line> of(Path object) throws Exception {
        Path clang = Clang.require().executable();
        Path objdump = clang.resolveSibling(clang.getFileName().toString().replace("clang", "llvm-objdump"));
        String exe = Files.isExecutable(objdump) ? objdump.toString() : "llvm-objdump";
        Process p = new ProcessBuilder(exe, "-dr", object.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("llvm-objdump failed: " + out);
        }
        List<Line> lines = new ArrayList<>();
        String section = null;
        for (String l : out.split("\n")) {
            Matcher s = SECTION.matcher(l);
            if (s.matches()) {
                section = s.group(1);
                continue;
            }
            Matcher c = CORE.matcher(l);
            if (c.matches()) {
                lines.add(new Line(section, Long.parseLong(c.group(1), 16), c.group(2), c.group(3)));
            }
        }
        return lines;
    }
}

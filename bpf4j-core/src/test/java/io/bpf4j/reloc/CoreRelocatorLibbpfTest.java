package io.bpf4j.reloc;

import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Differential test against libbpf: bpftool (libbpf 1.x inside) loads the same object with debug
 * output on, and its log says, for every CO-RE relocation, which instruction it patched and to what
 * (or that it poisoned it). bpf4j must do exactly the same to the same instructions.
 */
@Requires({Requirement.ROOT, Requirement.CLANG, Requirement.BPFTOOL, Requirement.KERNEL_BTF})
class CoreRelocatorLibbpfTest {
    private static final Pattern PATCHED = Pattern.compile(
            "libbpf: prog '(\\w+)': relo #\\d+: patched insn #(\\d+) \\([^)]*\\) (imm|imm64|off|mem_sz) (\\d+) -> (\\d+)");
    private static final Pattern POISONED = Pattern.compile(
            "libbpf: prog '(\\w+)': relo #\\d+: substituting insn #(\\d+) w/ invalid insn");

    @BeforeAll
    static void header() {
        TestPrograms.vmlinuxHeader();
    }

    @ParameterizedTest
    @ValueSource(strings = {"core.bpf.c", "core_direct.bpf.c", "core_matches.bpf.c"})
    void sameInstructionsAsLibbpf(String source) throws Exception {
        Path obj = TestPrograms.compile(source);
        Map<String, String> libbpf = libbpfPatches(obj);
        assertFalse(libbpf.isEmpty(), "libbpf reported CO-RE patches");

        RelocatedObject r = RelocatedObject.relocate(obj, List.of(TestKernel.vmlinux()));
        Map<String, String> ours = new TreeMap<>();
        for (RelocatedObject.Function f : r.functions().values()) {
            for (CoreRelocationAtIndex at : f.relocations()) {
                int i = at.insnIndex();
                RelocatedObject.Insn after = f.after(i);
                String key = f.spec().name() + " #" + String.format("%03d", i);
                if (after.isPoison()) {
                    ours.put(key, "poisoned");
                    continue;
                }
                int code = f.before()[i * 8] & 0xff;
                int cls = code & 7;
                if (code == 0x18) {
                    ours.put(key, "imm64 " + Long.toUnsignedString(after.imm64()));
                } else if (cls == 1 || cls == 2 || cls == 3) {
                    String v = "off " + after.off();
                    RelocatedObject.Insn before = new RelocatedObject.Insn(f.before(), i);
                    if (before.memSize() != after.memSize()) {
                        v += " mem_sz " + after.memSize();
                    }
                    ours.put(key, v);
                } else {
                    ours.put(key, "imm " + Integer.toUnsignedLong(after.imm()));
                }
            }
        }
        assertEquals(String.join("\n", libbpf.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList()),
                String.join("\n", ours.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList()));
    }

    /** "prog #insn" to what libbpf did there, from bpftool's debug log. The load itself may fail. */
    private static Map<String, String> libbpfPatches(Path obj) throws IOException {
        Path pins = Path.of("/sys/fs/bpf/bpf4j-core-test-" + ProcessHandle.current().pid());
        if (!Files.readString(Path.of("/proc/mounts")).contains(" /sys/fs/bpf bpf ")) {
            throw new AssertionError("bpffs is not mounted on /sys/fs/bpf: mount -t bpf bpf /sys/fs/bpf");
        }
        try {
            Bpftool.Result res = Bpftool.tryRun("-d", "prog", "loadall", obj.toString(), pins.toString());
            Map<String, String> out = new TreeMap<>();
            for (String line : res.stderr().split("\n")) {
                Matcher p = PATCHED.matcher(line);
                if (p.find()) {
                    String key = p.group(1) + " #" + String.format("%03d", Integer.parseInt(p.group(2)));
                    String what = p.group(3).equals("mem_sz") ? " mem_sz " + p.group(5) : p.group(3) + " " + p.group(5);
                    out.merge(key, what, String::concat);
                    continue;
                }
                Matcher q = POISONED.matcher(line);
                if (q.find()) {
                    out.put(q.group(1) + " #" + String.format("%03d", Integer.parseInt(q.group(2))), "poisoned");
                }
            }
            return out;
        } finally {
            removePins(pins);
        }
    }

    private static void removePins(Path pins) throws IOException {
        if (!Files.exists(pins)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(pins)) {
            s.forEach(all::add);
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}

package io.bpf4j.btf;

import io.bpf4j.btf.BtfExt.CoreRelocation;
import io.bpf4j.btf.BtfExt.LineInfo;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfSymbol;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.DebianKernel;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.bpf4j.testing.TextDiff.assertSameText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model's lookups, layout answers, re-encoding and .BTF.ext, checked against bpftool, clang's ELF and the sources. */
class BtfModelTest {
    private static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");

    @Test
    @Requires(Requirement.KERNEL_BTF)
    void findsKernelTypesByNameAndKindAndResolvesTypedefs() throws IOException {
        Btf btf = Btf.read(KERNEL_BTF);
        int task = btf.findId("task_struct", BtfKind.STRUCT).orElseThrow();
        BtfType.Struct s = assertInstanceOf(BtfType.Struct.class, btf.type(task));
        assertEquals(s.size(), btf.sizeOf(task));
        BtfType.Member pid = s.members().stream().filter(m -> m.name().equals("pid")).findFirst().orElseThrow();
        // pid_t is a typedef chain down to a 4-byte signed int.
        int resolved = btf.resolve(pid.type());
        BtfType.Int i = assertInstanceOf(BtfType.Int.class, btf.type(resolved));
        assertTrue(i.isSigned());
        assertEquals(4, btf.sizeOf(pid.type()));
        assertEquals(4, btf.alignOf(pid.type()));
        assertEquals(8, btf.pointerSize());
        assertEquals(0, pid.bitOffset() % 32, "pid is an aligned plain member");
        // task_struct has bitfields (sched_reset_on_fork: 1 and friends).
        assertTrue(s.members().stream().anyMatch(m -> m.bitfieldSize() == 1));
        assertTrue(btf.alignOf(task) >= 8);
        assertTrue(btf.findId("no_such_type_in_any_kernel").isEmpty());
        assertEquals(BtfKind.FUNC, btf.type(btf.findId("bpf_map_lookup_elem", BtfKind.FUNC).orElseThrow()).kind());
    }

    @Test
    @Requires({Requirement.KERNEL_BTF, Requirement.BPFTOOL})
    void encodedKernelBtfIsTheSameToBpftool() throws IOException {
        Btf btf = Btf.read(KERNEL_BTF);
        byte[] encoded = btf.encode();
        Btf again = Btf.parse(encoded);
        assertEquals(btf.types(), again.types());
        Path tmp = Files.createTempFile("encoded", ".btf");
        try {
            Files.write(tmp, encoded);
            assertSameText(Bpftool.run("btf", "dump", "file", KERNEL_BTF.toString()),
                    Bpftool.run("btf", "dump", "file", tmp.toString()), "bpftool's dump of re-encoded vmlinux BTF");
        } finally {
            Files.delete(tmp);
        }
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(KERNEL_BTF), btf.rawBytes()));
    }

    @Test
    @Requires(Requirement.BPFTOOL)
    void encodedModuleBtfStaysSplitOnItsBase() throws IOException {
        DebianKernel kernel = DebianKernel.require();
        Btf base = BtfDumpDifferentialTest.baseOf(kernel);
        Path ko = kernel.module("nf_tables.ko");
        Btf btf = Btf.read(ko, base);
        Btf again = Btf.parse(btf.encode(), base);
        assertEquals(btf.types(), again.types());
        assertEquals(btf.firstId(), again.firstId());
        Path tmp = Files.createTempFile("module", ".btf");
        try {
            Files.write(tmp, btf.encode());
            String b = kernel.vmlinux().toString();
            assertSameText(Bpftool.run("btf", "dump", "file", ko.toString(), "--base-btf", b),
                    Bpftool.run("btf", "dump", "file", tmp.toString(), "--base-btf", b), "bpftool's dump of re-encoded module BTF");
        } finally {
            Files.delete(tmp);
        }
    }

    @Test
    @Requires(Requirement.CLANG)
    void datasecVariablesMatchTheElfSymbols() throws IOException {
        Path obj = TestPrograms.compile("btf_kinds.bpf.c");
        ElfFile elf = ElfFile.read(obj);
        Btf btf = Btf.fromElf(elf, null);
        int checked = 0;
        for (int id = btf.firstId(); id < btf.typeCount(); id++) {
            if (!(btf.type(id) instanceof BtfType.Datasec d)) {
                continue;
            }
            for (Btf.SectionVariable v : btf.sectionVariables(id)) {
                ElfSymbol sym = elf.symbols().stream().filter(s -> s.name().equals(v.var().name())).findFirst().orElseThrow();
                assertEquals(d.name(), elf.section(sym.sectionIndex()).name(), v.var().name() + "'s section");
                // clang leaves DATASEC offsets (and sizes) 0 in objects: the loader takes them from the symbols.
                assertEquals(0, v.offset(), v.var().name() + "'s offset as clang wrote it");
                assertEquals(sym.size(), v.size(), v.var().name() + "'s size");
                assertEquals(v.size(), btf.sizeOf(v.varId()), v.var().name() + "'s type size");
                checked++;
            }
        }
        assertTrue(checked >= 10, "checked " + checked + " variables");
        BtfType.Struct bits = (BtfType.Struct) btf.type(btf.findId("bits", BtfKind.STRUCT).orElseThrow());
        assertTrue(bits.bitfieldEncoded());
        assertEquals(List.of(3, 5, 7, 40, 0, 4), bits.members().stream().map(BtfType.Member::bitfieldSize).toList());
        assertEquals(1, btf.alignOf(btf.findId("packed_header", BtfKind.STRUCT).orElseThrow()));
        // BTF has no alignment attribute: an over-aligned member only shows as a gap, so the natural 8 is all it can say.
        assertEquals(8, btf.alignOf(btf.findId("aligned_block", BtfKind.STRUCT).orElseThrow()));
        BtfType.Enum64 wide = (BtfType.Enum64) btf.type(btf.findId("wide64", BtfKind.ENUM64).orElseThrow());
        assertEquals(0x100000000L, wide.values().get(1).value());
        BtfType.Enum small = (BtfType.Enum) btf.type(btf.findId("small_signed", BtfKind.ENUM).orElseThrow());
        assertTrue(small.signed());
        assertEquals(-2, small.values().get(0).value());
    }

    @Test
    @Requires({Requirement.CLANG, Requirement.BPFTOOL})
    void datasecFixedUpFromSymbolsIsWhatBpftoolReadsBack() throws IOException {
        Path obj = TestPrograms.compile("btf_kinds.bpf.c");
        ElfFile elf = ElfFile.read(obj);
        Btf btf = Btf.fromElf(elf, null);
        int bss = btf.findId(".bss", BtfKind.DATASEC).orElseThrow();
        BtfType.Datasec d = (BtfType.Datasec) btf.type(bss);
        List<BtfType.VarSecinfo> placed = new ArrayList<>();
        for (BtfType.VarSecinfo v : d.vars()) {
            String name = btf.type(v.type()).name();
            ElfSymbol sym = elf.symbols().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
            placed.add(new BtfType.VarSecinfo(v.type(), (int) sym.value(), v.size()));
        }
        int size = (int) elf.section(".bss").orElseThrow().size();
        Btf fixed = btf.withType(bss, new BtfType.Datasec(".bss", size, placed));
        assertEquals(btf.typeCount(), fixed.typeCount());
        Path tmp = Files.createTempFile("fixed", ".btf");
        try {
            Files.write(tmp, fixed.encode());
            String dump = Bpftool.run("btf", "dump", "file", tmp.toString());
            assertTrue(dump.contains("DATASEC '.bss' size=" + size + " vlen=" + placed.size()), dump);
            for (BtfType.VarSecinfo v : placed) {
                assertTrue(dump.contains("type_id=" + v.type() + " offset=" + v.offset() + " size=" + v.size()
                        + " (VAR '" + btf.type(v.type()).name() + "')"), dump);
            }
        } finally {
            Files.delete(tmp);
        }
        Btf rebuilt = Btf.of(fixed.types(), null);
        assertEquals(fixed.types(), rebuilt.types());
    }

    @Test
    @Requires(Requirement.CLANG)
    void lineInfoPointsAtTheSourceLines() throws IOException {
        Path obj = TestPrograms.compile("minimal.bpf.c");
        ElfFile elf = ElfFile.read(obj);
        Btf btf = Btf.fromElf(elf, null);
        BtfExt ext = BtfExt.fromElf(elf, btf).orElseThrow();
        var funcs = ext.funcInfos().get("socket");
        assertEquals(1, funcs.size());
        assertEquals("count_packets", btf.type(funcs.get(0).typeId()).name());
        assertEquals(0, funcs.get(0).insnOffset());
        List<String> source = Files.readAllLines(TestPrograms.sourceDir().resolve("minimal.bpf.c"));
        List<LineInfo> lines = ext.lineInfos().get("socket");
        assertFalse(lines.isEmpty());
        for (LineInfo l : lines) {
            assertTrue(l.fileName().endsWith("minimal.bpf.c"), l.fileName());
            assertEquals(source.get(l.lineNumber() - 1), l.line(), "line " + l.lineNumber());
        }
        assertTrue(ext.coreRelocations().isEmpty());
    }

    @Test
    @Requires({Requirement.CLANG, Requirement.KERNEL_BTF})
    void coreRelocationsWalkToTheFieldsTheSourceReads() throws IOException {
        Path obj = TestPrograms.compile("core_task.bpf.c");
        ElfFile elf = ElfFile.read(obj);
        Btf btf = Btf.fromElf(elf, null);
        BtfExt ext = BtfExt.fromElf(elf, btf).orElseThrow();
        List<CoreRelocation> relos = ext.coreRelocations().get("tracepoint/sched/sched_process_exec");
        Set<String> reached = new TreeSet<>();
        for (CoreRelocation r : relos) {
            reached.add(btf.type(r.typeId()).name() + "." + walk(btf, r.typeId(), r.accessString()));
        }
        // BPF_CORE_READ(task, pid), (task, real_parent, tgid) and (task, comm) in the source.
        assertTrue(reached.containsAll(Set.of("task_struct.pid", "task_struct.real_parent", "task_struct.tgid", "task_struct.comm")), reached.toString());
    }

    /** Follows an access string ("0:12:3") from a type and returns the last member name reached. */
    private static String walk(Btf btf, int typeId, String access) {
        String[] steps = access.split(":");
        int id = typeId;
        String last = "";
        List<String> path = new ArrayList<>();
        for (int i = 1; i < steps.length; i++) {
            int idx = Integer.parseInt(steps[i]);
            BtfType t = btf.type(btf.resolve(id));
            if (t instanceof BtfType.Composite c) {
                BtfType.Member m = c.members().get(idx);
                last = m.name();
                path.add(last);
                id = m.type();
            } else if (t instanceof BtfType.Array a) {
                id = a.elementType();
            }
        }
        return last;
    }
}

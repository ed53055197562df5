package io.bpf4j.asm;

import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfSection;
import io.bpf4j.elf.ElfSymbol;
import io.bpf4j.host.KernelSymbols;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.MapCreateAttr;
import io.bpf4j.sys.MapType;
import io.bpf4j.sys.ProgInfo;
import io.bpf4j.sys.ProgLoadAttr;
import io.bpf4j.sys.ProgType;
import io.bpf4j.sys.TestRun;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The instruction model against two references: llvm-objdump's decoding of a clang object, and
 * bpftool's disassembly of the instructions the kernel translated (xlated) after loading them.
 */
class DisassemblerTest {
    /** One function of an object: its name and its instructions as clang wrote them. */
    record Function(String name, byte[] bytes) {
    }

    static List<Function> functions(Path object, String section) throws IOException {
        ElfFile elf = ElfFile.read(object);
        ElfSection text = elf.section(section).orElseThrow();
        byte[] all = elf.contents(text);
        List<Function> out = new ArrayList<>();
        for (ElfSymbol sym : elf.symbols()) {
            if (sym.type() == ElfSymbol.STT_FUNC && sym.sectionIndex() == text.index()) {
                out.add(new Function(sym.name(),
                        Arrays.copyOfRange(all, (int) sym.value(), (int) (sym.value() + sym.size()))));
            }
        }
        return out;
    }

    @Test
    @Requires({Requirement.CLANG})
    void decodingMatchesLlvmObjdump() throws Exception {
        Path obj = TestPrograms.compile("arith.bpf.c");
        ElfFile elf = ElfFile.read(obj);
        ElfSection text = elf.section("socket").orElseThrow();
        List<Instruction> ours = Instruction.decode(ByteBuffer.wrap(elf.contents(text)).order(elf.byteOrder()));

        // llvm-objdump prints one line per 8-byte slot: "      12:\t07 04 00 00 07 00 00 00\tr4 += 0x7".
        String dump = run("llvm-objdump-19", "-d", "--section=socket", obj.toString());
        Pattern line = Pattern.compile("^\\s*(\\d+):\\s+((?:[0-9a-f]{2} ){7}[0-9a-f]{2})\\s*(.*)$");
        List<int[]> slots = new ArrayList<>();
        List<String> mnemonics = new ArrayList<>();
        for (String l : dump.split("\n")) {
            Matcher m = line.matcher(l);
            if (m.matches()) {
                String[] hex = m.group(2).split(" ");
                int[] bytes = new int[8];
                for (int i = 0; i < 8; i++) {
                    bytes[i] = Integer.parseInt(hex[i], 16);
                }
                slots.add(bytes);
                mnemonics.add(m.group(3));
            }
        }
        int slotCount = ours.stream().mapToInt(Instruction::slots).sum();
        assertEquals(slots.size(), slotCount, "slots");
        int slot = 0;
        for (Instruction insn : ours) {
            int[] ref = slots.get(slot);
            assertEquals(ref[0], insn.opcode(), "opcode at slot " + slot + ": " + mnemonics.get(slot));
            assertEquals(ref[1] & 0xf, insn.dst(), "dst at slot " + slot);
            assertEquals(ref[1] >> 4, insn.src(), "src at slot " + slot);
            slot += insn.slots();
        }
        // And the encoder gives back clang's bytes exactly.
        assertTrue(Arrays.equals(elf.contents(text), Instruction.encode(ours)));
        assertTrue(mnemonics.stream().anyMatch(m -> m.startsWith("call 0x5")), "ktime_get_ns call present");
    }

    @Test
    @Requires({Requirement.ROOT, Requirement.CLANG, Requirement.BPFTOOL})
    void xlatedDisassemblyMatchesBpftool() throws Exception {
        Path obj = TestPrograms.compile("arith.bpf.c");
        KernelSymbols ksyms = KernelSymbols.read();
        Disassembler xlated = new Disassembler(Disassembler.xlated(
                ksyms.address("__bpf_call_base").orElseThrow(), ksyms::nameAt));
        List<Function> fns = functions(obj, "socket");
        assertEquals(2, fns.size());
        for (Function fn : fns) {
            try (Fd prog = Bpf.progLoad(ProgLoadAttr.of(ProgType.SOCKET_FILTER, fn.bytes(), "GPL").withName(fn.name()))) {
                assertTrue(Bpf.progTestRun(prog, TestRun.ofData(new byte[64])).retval() >= 0);
                compareWithBpftool(prog, xlated);
            }
        }
    }

    @Test
    @Requires({Requirement.ROOT, Requirement.BPFTOOL})
    void mapReferencesAndInlinedLookupMatchBpftool() {
        KernelSymbols ksyms = KernelSymbols.read();
        Disassembler xlated = new Disassembler(Disassembler.xlated(
                ksyms.address("__bpf_call_base").orElseThrow(), ksyms::nameAt));
        // Direct value access (BPF_PSEUDO_MAP_VALUE) needs a single-entry array, as global data uses.
        try (Fd map = Bpf.mapCreate(MapCreateAttr.of(MapType.ARRAY, 4, 16, 1).withName("bpf4j_dis"))) {
            // r6 = the u64 at offset 8 of the value (direct access); then look element 0 up through the
            // helper, which the verifier inlines for arrays; return the element plus r6.
            List<Instruction> insns = List.of(
                    Instruction.loadMapValue(1, map.value(), 8),
                    Instruction.load(Opcodes.DW, 6, 1, 0),
                    Instruction.storeImm(Opcodes.W, 10, -4, 0),
                    Instruction.mov64Reg(2, 10),
                    Instruction.alu64(Opcodes.ADD, 2, -4),
                    Instruction.loadMapFd(1, map.value()),
                    Instruction.call(Helpers.id("bpf_map_lookup_elem").orElseThrow()),
                    Instruction.jump(Opcodes.JEQ, 0, 0, 2),
                    Instruction.load(Opcodes.DW, 0, 0, 0),
                    Instruction.alu64Reg(Opcodes.ADD, 0, 6),
                    Instruction.exit());
            try (Fd prog = Bpf.progLoad(ProgLoadAttr.of(ProgType.SOCKET_FILTER, Instruction.encode(insns), "GPL"))) {
                String ours = compareWithBpftool(prog, xlated);
                int mapId = Bpf.mapInfo(map).id();
                assertTrue(ours.contains("r1 = map[id:" + mapId + "]"), ours);
                assertTrue(ours.contains("r1 = map[id:" + mapId + "][0]+8"), ours);
            }
            // Before loading, BY_ID naming prints the helper's name and id as the verifier log does.
            String listing = new Disassembler().listing(insns);
            assertTrue(listing.contains("   6: (18) r1 = map[id:" + map.value() + "]"), listing);
            assertTrue(listing.contains("   8: (85) call bpf_map_lookup_elem#1"), listing);
        }
    }

    @Test
    @Requires({Requirement.ROOT})
    @SuppressWarnings("try")
    void verifierLogUsesTheSameNotation() {
        // r0 = skb->len is unknown to the verifier, so it walks both sides of the branch.
        List<Instruction> insns = List.of(Instruction.load(Opcodes.W, 0, 1, 0), Instruction.alu64(Opcodes.LSH, 0, 2),
                Instruction.jump(Opcodes.JGT, 0, 3, 1), Instruction.mov64(0, -1), Instruction.exit());
        Bpf.LoadedProgram p = Bpf.progLoadWithLog(ProgLoadAttr.of(ProgType.SOCKET_FILTER,
                Instruction.encode(insns), "GPL").withLog(2, 1 << 20));
        try (Fd fd = p.fd()) {
            Disassembler d = new Disassembler();
            int slot = 0;
            for (Instruction insn : insns) {
                // The verifier's level-2 log prints "N: (op) text" for every instruction it walks.
                String expected = slot + ": " + d.format(insn);
                assertTrue(p.log().contains(expected), "missing '" + expected + "' in\n" + p.log());
                slot += insn.slots();
            }
        }
    }

    /** Compares our listing of the program's xlated instructions with bpftool's, line by line. */
    static String compareWithBpftool(Fd prog, Disassembler d) {
        ProgInfo info = Bpf.progInfo(prog, true);
        String ours = d.listing(Instruction.decode(info.xlatedInsns()));
        String theirs = Bpftool.run("prog", "dump", "xlated", "id", Integer.toString(info.id()));
        assertEquals(theirs.strip().lines().map(String::stripTrailing).toList(),
                ours.strip().lines().map(String::stripTrailing).toList(), "program " + info.name());
        return ours;
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}

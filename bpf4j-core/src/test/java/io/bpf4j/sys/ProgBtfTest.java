package io.bpf4j.sys;

import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfSection;
import io.bpf4j.elf.ElfSymbol;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROG_LOAD with the program's BTF, func_info and line_info, taken from the clang object's .BTF and
 * .BTF.ext (format: Documentation/bpf/btf.rst, section 4.2) the way a loader would.
 */
@Requires({Requirement.ROOT, Requirement.CLANG, Requirement.BPFTOOL})
class ProgBtfTest {
    /** The func_info or line_info records of one function, insn_off rebased and turned into slots. */
    static byte[] records(ElfFile elf, byte[] ext, boolean lineInfo, String section, long fnStart, long fnEnd,
                          int[] recSizeOut) {
        ByteBuffer b = ByteBuffer.wrap(ext).order(ByteOrder.LITTLE_ENDIAN);
        int hdrLen = b.getInt(4);
        int off = hdrLen + b.getInt(lineInfo ? 16 : 8);
        int len = b.getInt(lineInfo ? 20 : 12);
        byte[] btf = elf.contents(elf.section(".BTF").orElseThrow());
        ByteBuffer h = ByteBuffer.wrap(btf).order(ByteOrder.LITTLE_ENDIAN);
        int strStart = h.getInt(4) + h.getInt(16);
        int recSize = b.getInt(off);
        recSizeOut[0] = recSize;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int p = off + 4;
        while (p < off + len) {
            int nameOff = b.getInt(p);
            int n = b.getInt(p + 4);
            p += 8;
            int end = strStart + nameOff;
            while (btf[end] != 0) {
                end++;
            }
            String name = new String(btf, strStart + nameOff, end - strStart - nameOff, StandardCharsets.UTF_8);
            for (int i = 0; i < n; i++, p += recSize) {
                int insnOff = b.getInt(p);
                if (name.equals(section) && insnOff >= fnStart && insnOff < fnEnd) {
                    byte[] rec = Arrays.copyOfRange(ext, p, p + recSize);
                    // In the object insn_off is a byte offset in the section; the kernel wants the
                    // instruction index inside this program.
                    ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) ((insnOff - fnStart) / 8));
                    out.writeBytes(rec);
                }
            }
        }
        return out.toByteArray();
    }

    @Test
    void loadsWithFuncAndLineInfoAndBpftoolShowsTheSource() throws Exception {
        ElfFile elf = ElfFile.read(TestPrograms.compile("arith.bpf.c"));
        ElfSection text = elf.section("socket").orElseThrow();
        ElfSymbol fn = elf.symbols().stream().filter(s -> s.name().equals("arith")).findFirst().orElseThrow();
        byte[] insns = Arrays.copyOfRange(elf.contents(text), (int) fn.value(), (int) (fn.value() + fn.size()));
        byte[] ext = elf.contents(elf.section(".BTF.ext").orElseThrow());
        int[] funcRecSize = new int[1];
        int[] lineRecSize = new int[1];
        byte[] funcInfo = records(elf, ext, false, "socket", fn.value(), fn.value() + fn.size(), funcRecSize);
        byte[] lineInfo = records(elf, ext, true, "socket", fn.value(), fn.value() + fn.size(), lineRecSize);
        assertEquals(8, funcRecSize[0]);
        assertEquals(16, lineRecSize[0]);
        assertEquals(8, funcInfo.length, "one function");
        try (Fd btf = Bpf.btfLoad(elf.contents(elf.section(".BTF").orElseThrow()));
             Fd prog = Bpf.progLoad(ProgLoadAttr.of(ProgType.SOCKET_FILTER, insns, "GPL").withName("arith")
                     .withBtf(btf.value(), funcInfo, funcRecSize[0], lineInfo, lineRecSize[0]))) {
            ProgInfo info = Bpf.progInfo(prog);
            assertEquals(Bpf.btfInfo(btf).id(), info.btfId());
            String dump = Bpftool.run("prog", "dump", "xlated", "id", Integer.toString(info.id()));
            assertTrue(dump.contains("int arith(struct __sk_buff * skb):"), dump);
            assertTrue(dump.contains("; __u32 len = skb->len;"), dump);
        }
    }
}

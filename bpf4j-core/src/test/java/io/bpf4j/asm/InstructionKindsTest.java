package io.bpf4j.asm;

import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.ProgLoadAttr;
import io.bpf4j.sys.ProgType;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.bpf4j.asm.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every instruction family the disassembler knows, formatted by us and by the kernel: the
 * verifier's level-2 log prints each instruction it walks in the kernel's notation, so each of our
 * lines must appear in it verbatim.
 */
class InstructionKindsTest {
    static Instruction insn(int opcode, int dst, int src, int off, long imm) {
        return new Instruction(opcode, dst, src, off, imm);
    }

    static List<Instruction> everyKind() {
        return List.of(
                Instruction.mov64Reg(6, 1),                      // r6 = r1 (LD_ABS wants the ctx in r6)
                Instruction.mov64(7, 0),
                insn(LD | ABS | B, 0, 0, 0, 12),                 // r0 = *(u8 *)skb[12]
                insn(LD | IND | H, 0, 7, 0, 2),                  // r0 = *(u16 *)skb[r7 + 2]
                insn(ALU | MOV | X, 1, 0, 0, 0),                 // w1 = w0
                insn(ALU | ADD | K, 1, 0, 0, 3),
                insn(ALU | ARSH | K, 1, 0, 0, 1),
                insn(ALU | END | TO_BE, 1, 0, 0, 16),
                insn(ALU | END | TO_LE, 1, 0, 0, 32),
                insn(ALU64 | END, 1, 0, 0, 64),                  // bswap64
                insn(ALU64 | MOV | X, 2, 1, 8, 0),               // r2 = (s8)r1
                insn(ALU64 | DIV | K, 2, 0, 1, 3),               // r2 s/= 3
                insn(ALU64 | MOD | K, 2, 0, 1, 5),               // r2 s%= 5
                insn(ALU64 | NEG, 2, 0, 0, 0),
                Instruction.store(DW, 10, -8, 2),
                insn(STX | ATOMIC | DW, 10, 2, -8, ADD),         // lock ... += r2
                Instruction.mov64(3, 1),
                insn(STX | ATOMIC | DW, 10, 3, -8, ADD | FETCH),
                insn(STX | ATOMIC | DW, 10, 3, -8, OR | FETCH),
                insn(STX | ATOMIC | DW, 10, 3, -8, XCHG),
                Instruction.mov64(0, 0),
                insn(STX | ATOMIC | DW, 10, 3, -8, CMPXCHG),
                Instruction.storeImm(W, 10, -16, 7),
                insn(STX | ATOMIC | W, 10, 3, -16, XOR),        // lock *(u32 *) ^= w3
                insn(LDX | MEMSX | W, 4, 10, -16, 0),            // r4 = *(s32 *)(r10 -16)
                insn(LDX | MEM | H, 5, 10, -16, 0),
                insn(JMP32 | JGT | K, 4, 0, 1, 2),               // if w4 > 0x2 goto pc+1
                insn(ALU64 | ARSH | K, 4, 0, 0, 2),
                insn(JMP | JSLT | X, 4, 3, 0, 0),
                insn(JMP | JSET | K, 4, 0, 0, -1),               // imm printed as 0xffffffff
                Instruction.loadImm64(5, 0x123456789aL),
                Instruction.alu64Reg(XOR, 5, 4),
                Instruction.goTo(0),
                Instruction.mov64(0, 0),
                Instruction.exit());
    }

    @Test
    @Requires({Requirement.ROOT})
    void ourNotationIsTheVerifiers() {
        List<Instruction> insns = everyKind();
        Bpf.LoadedProgram p = Bpf.progLoadWithLog(ProgLoadAttr.of(ProgType.SOCKET_FILTER,
                Instruction.encode(insns), "GPL").withLog(2, 1 << 20));
        try (Fd fd = p.fd()) {
            assertTrue(fd.isOpen());
            Disassembler d = new Disassembler();
            List<String> missing = new ArrayList<>();
            int slot = 0;
            for (Instruction insn : insns) {
                String line = slot + ": " + d.format(insn);
                if (!p.log().contains(line)) {
                    missing.add(line);
                }
                slot += insn.slots();
            }
            assertEquals(List.of(), missing, p.log());
        }
    }

    @Test
    void encodeDecodeRoundTrip() {
        List<Instruction> insns = everyKind();
        assertEquals(insns, Instruction.decode(Instruction.encode(insns)));
    }

    @Test
    void truncatedWideInstructionIsATypedError() {
        byte[] half = new byte[8];
        half[0] = (byte) LD_IMM64;
        InstructionFormatException e = org.junit.jupiter.api.Assertions.assertThrows(
                InstructionFormatException.class, () -> Instruction.decode(half));
        assertTrue(e.getMessage().contains("LD_IMM64"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(InstructionFormatException.class,
                () -> Instruction.decode(new byte[12]));
    }
}

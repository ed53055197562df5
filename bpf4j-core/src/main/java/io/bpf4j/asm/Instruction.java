package io.bpf4j.asm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static io.bpf4j.asm.Opcodes.*;

/**
 * One BPF instruction: {@code struct bpf_insn} (opcode, dst_reg:4, src_reg:4, off:16, imm:32), or the
 * wide {@code LD_IMM64} that takes two 8-byte slots and whose 64-bit immediate is held whole in
 * {@link #imm()}. For every other instruction {@code imm} is the sign-extended 32-bit value.
 *
 * @param opcode 0..255
 * @param dst    destination register 0..10 (0..15 encodable)
 * @param src    source register, or the pseudo kind for LD_IMM64 and calls
 * @param off    signed 16-bit offset
 */
public record Instruction(int opcode, int dst, int src, int off, long imm) {
    public static final int SLOT_SIZE = 8;

    public Instruction {
        if ((opcode & ~0xff) != 0 || (dst & ~0xf) != 0 || (src & ~0xf) != 0 || off != (short) off) {
            throw new InstructionFormatException("instruction fields out of range: opcode=" + opcode + " dst=" + dst
                    + " src=" + src + " off=" + off);
        }
        if (opcode != LD_IMM64 && imm != (int) imm) {
            throw new InstructionFormatException("immediate " + imm + " does not fit 32 bits in opcode 0x"
                    + Integer.toHexString(opcode) + "; only LD_IMM64 takes a 64-bit immediate");
        }
    }

    /** True for the two-slot LD_IMM64. */
    public boolean isWide() {
        return opcode == LD_IMM64;
    }

    /** 8-byte slots this instruction takes: 2 for LD_IMM64, else 1. */
    public int slots() {
        return isWide() ? 2 : 1;
    }

    public int instructionClass() {
        return opcode & CLASS_MASK;
    }

    /** The low 32 bits of the immediate, as stored in the (first) slot. */
    public int imm32() {
        return (int) imm;
    }

    public Instruction withImm(long newImm) {
        return new Instruction(opcode, dst, src, off, newImm);
    }

    public Instruction withSrc(int newSrc) {
        return new Instruction(opcode, dst, newSrc, off, imm);
    }

    public Instruction withOff(int newOff) {
        return new Instruction(opcode, dst, src, newOff, imm);
    }

    public boolean isCall() {
        return opcode == (JMP | CALL);
    }

    public boolean isHelperCall() {
        return isCall() && src == 0;
    }

    public boolean isExit() {
        return opcode == (JMP | EXIT);
    }

    // ------------------------------------------------------------------ building

    /** dst = imm (64-bit move of a sign-extended 32-bit value). */
    public static Instruction mov64(int dst, int imm) {
        return new Instruction(ALU64 | MOV | K, dst, 0, 0, imm);
    }

    /** dst = src (64-bit). */
    public static Instruction mov64Reg(int dst, int src) {
        return new Instruction(ALU64 | MOV | X, dst, src, 0, 0);
    }

    /** dst op= imm (64-bit), op one of {@link Opcodes#ADD} ... {@link Opcodes#ARSH}. */
    public static Instruction alu64(int op, int dst, int imm) {
        return new Instruction(ALU64 | op | K, dst, 0, 0, imm);
    }

    /** dst op= src (64-bit). */
    public static Instruction alu64Reg(int op, int dst, int src) {
        return new Instruction(ALU64 | op | X, dst, src, 0, 0);
    }

    /** dst = *(size *)(src + off). */
    public static Instruction load(int size, int dst, int src, int off) {
        return new Instruction(LDX | size | MEM, dst, src, off, 0);
    }

    /** *(size *)(dst + off) = src. */
    public static Instruction store(int size, int dst, int off, int src) {
        return new Instruction(STX | size | MEM, dst, src, off, 0);
    }

    /** *(size *)(dst + off) = imm. */
    public static Instruction storeImm(int size, int dst, int off, int imm) {
        return new Instruction(ST | size | MEM, dst, 0, off, imm);
    }

    /** if dst op imm goto pc+off (64-bit compare). */
    public static Instruction jump(int op, int dst, int imm, int off) {
        return new Instruction(JMP | op | K, dst, 0, off, imm);
    }

    /** if dst op src goto pc+off (64-bit compare). */
    public static Instruction jumpReg(int op, int dst, int src, int off) {
        return new Instruction(JMP | op | X, dst, src, off, 0);
    }

    public static Instruction goTo(int off) {
        return new Instruction(JMP | JA, 0, 0, off, 0);
    }

    /** call a helper by its id (enum bpf_func_id). */
    public static Instruction call(int helperId) {
        return new Instruction(JMP | CALL, 0, 0, 0, helperId);
    }

    public static Instruction exit() {
        return new Instruction(JMP | EXIT, 0, 0, 0, 0);
    }

    /** dst = imm64 (two slots). */
    public static Instruction loadImm64(int dst, long imm) {
        return new Instruction(LD_IMM64, dst, 0, 0, imm);
    }

    /** dst = the map behind {@code fd} (LD_IMM64 with src = BPF_PSEUDO_MAP_FD). */
    public static Instruction loadMapFd(int dst, int fd) {
        return new Instruction(LD_IMM64, dst, PSEUDO_MAP_FD, 0, fd & 0xffffffffL);
    }

    /** dst = address of the map's value at {@code offset} (BPF_PSEUDO_MAP_VALUE). */
    public static Instruction loadMapValue(int dst, int fd, int offset) {
        return new Instruction(LD_IMM64, dst, PSEUDO_MAP_VALUE, 0, ((long) offset << 32) | (fd & 0xffffffffL));
    }

    // ------------------------------------------------------------------ bytes

    /** Decodes a little-endian instruction stream (what clang emits for bpfel and the kernel returns). */
    public static List<Instruction> decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * Decodes every instruction from the buffer's position to its limit, in the buffer's byte order
     * (big-endian objects keep dst in the high nibble of the register byte).
     */
    public static List<Instruction> decode(ByteBuffer buffer) {
        ByteBuffer b = buffer.slice().order(buffer.order());
        if (b.remaining() % SLOT_SIZE != 0) {
            throw new InstructionFormatException("instruction bytes must be a multiple of 8, got " + b.remaining());
        }
        boolean little = b.order() == ByteOrder.LITTLE_ENDIAN;
        int slots = b.remaining() / SLOT_SIZE;
        List<Instruction> out = new ArrayList<>(slots);
        for (int i = 0; i < slots; i++) {
            int at = i * SLOT_SIZE;
            int opcode = b.get(at) & 0xff;
            int regs = b.get(at + 1) & 0xff;
            int dst = little ? regs & 0xf : regs >>> 4;
            int src = little ? regs >>> 4 : regs & 0xf;
            int off = b.getShort(at + 2);
            int imm = b.getInt(at + 4);
            if (opcode == LD_IMM64) {
                if (i + 1 >= slots) {
                    throw new InstructionFormatException("LD_IMM64 at instruction " + i
                            + " is the last slot; it needs a second 8-byte slot for the upper 32 bits");
                }
                long hi = b.getInt(at + SLOT_SIZE + 4);
                out.add(new Instruction(opcode, dst, src, off, (hi << 32) | (imm & 0xffffffffL)));
                i++;
            } else {
                out.add(new Instruction(opcode, dst, src, off, imm));
            }
        }
        return out;
    }

    /** Encodes to the little-endian stream the kernel loads. */
    public static byte[] encode(List<Instruction> insns) {
        int slots = 0;
        for (Instruction insn : insns) {
            slots += insn.slots();
        }
        ByteBuffer b = ByteBuffer.allocate(slots * SLOT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (Instruction insn : insns) {
            b.put((byte) insn.opcode).put((byte) (insn.dst | insn.src << 4)).putShort((short) insn.off)
                    .putInt((int) insn.imm);
            if (insn.isWide()) {
                b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt((int) (insn.imm >>> 32));
            }
        }
        return b.array();
    }

    public static byte[] encode(Instruction... insns) {
        return encode(List.of(insns));
    }
}

package io.bpf4j.asm;

/**
 * The parts of a BPF opcode byte, as defined in linux/bpf_common.h and linux/bpf.h
 * (Documentation/bpf/standardization/instruction-set.rst). An opcode is
 * class (3 bits) | source (1 bit) | operation (4 bits) for ALU and jumps, and
 * class | size (2 bits) | mode (3 bits) for loads and stores.
 */
public final class Opcodes {
    private Opcodes() {
    }

    // Instruction classes (low 3 bits).
    public static final int CLASS_MASK = 0x07;
    public static final int LD = 0x00;
    public static final int LDX = 0x01;
    public static final int ST = 0x02;
    public static final int STX = 0x03;
    public static final int ALU = 0x04;
    public static final int JMP = 0x05;
    public static final int JMP32 = 0x06;
    public static final int ALU64 = 0x07;

    // Sizes of loads and stores (bits 3-4).
    public static final int SIZE_MASK = 0x18;
    public static final int W = 0x00;
    public static final int H = 0x08;
    public static final int B = 0x10;
    public static final int DW = 0x18;

    // Modes of loads and stores (bits 5-7).
    public static final int MODE_MASK = 0xe0;
    public static final int IMM = 0x00;
    public static final int ABS = 0x20;
    public static final int IND = 0x40;
    public static final int MEM = 0x60;
    public static final int MEMSX = 0x80;
    public static final int ATOMIC = 0xc0;
    /** BPF_NOSPEC: a speculation barrier the verifier inserts (BPF_ST | 0xc0); not in the UAPI. */
    public static final int NOSPEC = 0xc0;

    // Source operand (bit 3) of ALU and jumps.
    public static final int SRC_MASK = 0x08;
    public static final int K = 0x00;
    public static final int X = 0x08;
    /** For BPF_END: to little / big endian. */
    public static final int TO_LE = 0x00;
    public static final int TO_BE = 0x08;

    // ALU operations (bits 4-7).
    public static final int OP_MASK = 0xf0;
    public static final int ADD = 0x00;
    public static final int SUB = 0x10;
    public static final int MUL = 0x20;
    public static final int DIV = 0x30;
    public static final int OR = 0x40;
    public static final int AND = 0x50;
    public static final int LSH = 0x60;
    public static final int RSH = 0x70;
    public static final int NEG = 0x80;
    public static final int MOD = 0x90;
    public static final int XOR = 0xa0;
    public static final int MOV = 0xb0;
    public static final int ARSH = 0xc0;
    public static final int END = 0xd0;

    // Jump operations (bits 4-7).
    public static final int JA = 0x00;
    public static final int JEQ = 0x10;
    public static final int JGT = 0x20;
    public static final int JGE = 0x30;
    public static final int JSET = 0x40;
    public static final int JNE = 0x50;
    public static final int JSGT = 0x60;
    public static final int JSGE = 0x70;
    public static final int CALL = 0x80;
    public static final int EXIT = 0x90;
    public static final int JLT = 0xa0;
    public static final int JLE = 0xb0;
    public static final int JSLT = 0xc0;
    public static final int JSLE = 0xd0;
    public static final int JCOND = 0xe0;

    // Atomic operations, in the imm field of BPF_STX | BPF_ATOMIC.
    public static final int FETCH = 0x01;
    public static final int XCHG = 0xe0 | FETCH;
    public static final int CMPXCHG = 0xf0 | FETCH;
    public static final int LOAD_ACQ = 0x100;
    public static final int STORE_REL = 0x110;

    // src_reg of the wide BPF_LD | BPF_IMM | BPF_DW instruction.
    public static final int PSEUDO_MAP_FD = 1;
    public static final int PSEUDO_MAP_VALUE = 2;
    public static final int PSEUDO_BTF_ID = 3;
    public static final int PSEUDO_FUNC = 4;
    public static final int PSEUDO_MAP_IDX = 5;
    public static final int PSEUDO_MAP_IDX_VALUE = 6;

    // src_reg of BPF_JMP | BPF_CALL.
    public static final int PSEUDO_CALL = 1;
    public static final int PSEUDO_KFUNC_CALL = 2;

    /** src_reg of BPF_JMP | BPF_JCOND. */
    public static final int MAY_GOTO = 0;

    /** The wide 64-bit immediate load, the only 16-byte instruction. */
    public static final int LD_IMM64 = LD | IMM | DW;

    public static int classOf(int opcode) {
        return opcode & CLASS_MASK;
    }
}

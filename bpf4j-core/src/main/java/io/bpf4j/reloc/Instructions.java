package io.bpf4j.reloc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads and rewrites the few instruction fields CO-RE touches. Encoding from linux/bpf.h: 8-byte
 * slots {@code code, dst:4|src:4, off:s16, imm:s32}, little-endian; LD_IMM64 spans two slots with
 * the upper half of the constant in the second slot's imm.
 */
final class Instructions {
    static final int CLASS_LDX = 0x01, CLASS_ST = 0x02, CLASS_STX = 0x03, CLASS_ALU = 0x04,
            CLASS_ALU64 = 0x07;
    static final int LD_IMM64 = 0x18; // BPF_LD | BPF_IMM | BPF_DW
    static final int SOURCE_REG = 0x08; // BPF_X
    static final int MODE_MASK = 0xe0, MODE_MEM = 0x60, MODE_MEMSX = 0x80;
    static final int SIZE_MASK = 0x18;
    static final int CALL = 0x85; // BPF_JMP | BPF_CALL

    private final ByteBuffer b;
    private final int count;

    Instructions(byte[] bytes) {
        this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.count = bytes.length / 8;
    }

    int count() {
        return count;
    }

    int code(int i) {
        return b.get(i * 8) & 0xff;
    }

    int insnClass(int i) {
        return code(i) & 0x07;
    }

    short offset(int i) {
        return b.getShort(i * 8 + 2);
    }

    int imm(int i) {
        return b.getInt(i * 8 + 4);
    }

    boolean isLdImm64(int i) {
        return code(i) == LD_IMM64;
    }

    long imm64(int i) {
        return Integer.toUnsignedLong(imm(i)) | (long) imm(i + 1) << 32;
    }

    void setOffset(int i, int off) {
        b.putShort(i * 8 + 2, (short) off);
    }

    void setImm(int i, int imm) {
        b.putInt(i * 8 + 4, imm);
    }

    void setImm64(int i, long value) {
        setImm(i, (int) value);
        setImm(i + 1, (int) (value >>> 32));
    }

    void setCode(int i, int code) {
        b.put(i * 8, (byte) code);
    }

    /** Replaces the slot with {@code call imm}, registers and offset cleared. */
    void setCall(int i, int helperId) {
        b.putLong(i * 8, 0);
        setCode(i, CALL);
        setImm(i, helperId);
    }

    /** Access size in bytes from the size bits of a load/store opcode. */
    static int sizeBytes(int code) {
        return switch (code & SIZE_MASK) {
            case 0x00 -> 4;
            case 0x08 -> 2;
            case 0x10 -> 1;
            default -> 8;
        };
    }

    /** The size bits for an access of {@code bytes}, or -1 when no load/store has that size. */
    static int sizeBits(long bytes) {
        return switch ((int) Math.min(bytes, 16)) {
            case 4 -> 0x00;
            case 2 -> 0x08;
            case 1 -> 0x10;
            case 8 -> 0x18;
            default -> -1;
        };
    }
}

package io.bpf4j.btf;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-made bad BTF: each defect ends in one BtfFormatException that names where and what. */
class BtfMalformedTest {
    /** Builds a small little-endian BTF blob: types are (name_off, info, size_or_type, extra words...). */
    private static final class Blob {
        private final ByteArrayOutputStream types = new ByteArrayOutputStream();
        private final ByteArrayOutputStream strings = new ByteArrayOutputStream();

        Blob() {
            strings.write(0);
        }

        int str(String s) {
            int off = strings.size();
            strings.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return off;
        }

        Blob type(int nameOff, int kind, int vlen, int sizeOrType, int... extra) {
            ByteBuffer b = ByteBuffer.allocate(12 + 4 * extra.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(nameOff).putInt(kind << 24 | vlen).putInt(sizeOrType);
            for (int e : extra) {
                b.putInt(e);
            }
            types.writeBytes(b.array());
            return this;
        }

        byte[] bytes() {
            byte[] t = types.toByteArray();
            byte[] s = strings.toByteArray();
            ByteBuffer b = ByteBuffer.allocate(24 + t.length + s.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(t.length).putInt(t.length).putInt(s.length);
            return b.put(t).put(s).array();
        }
    }

    private static Blob intType(Blob b) {
        return b.type(b.str("int"), 1, 0, 4, (1 << 24) | 32);
    }

    private static String fails(byte[] bytes) {
        return assertThrows(BtfFormatException.class, () -> CHeaderWriter.toString(Btf.parse(bytes))).getMessage();
    }

    @Test
    void aWellFormedBlobParses() {
        Blob b = intType(new Blob());
        b.type(0, 2, 0, 1); // int *
        Btf btf = Btf.parse(b.bytes());
        assertEquals(3, btf.typeCount());
        assertEquals(new BtfType.Ptr(1), btf.type(2));
        assertEquals(8, btf.sizeOf(2));
    }

    @Test
    void truncatedHeader() {
        String m = fails(Arrays.copyOf(intType(new Blob()).bytes(), 10));
        assertTrue(m.contains("byte 0") && m.contains("24-byte BTF header"), m);
    }

    @Test
    void badMagic() {
        byte[] b = intType(new Blob()).bytes();
        b[0] = 0x12;
        String m = fails(b);
        assertTrue(m.contains("byte 0") && m.contains("0xeb9f"), m);
    }

    @Test
    void typeSectionPastTheEnd() {
        byte[] b = intType(new Blob()).bytes();
        String m = fails(Arrays.copyOf(b, b.length - 10));
        assertTrue(m.contains("runs past the end"), m);
    }

    @Test
    void typeCutInTheMiddle() {
        byte[] b = intType(new Blob()).bytes();
        // type_len 12 cuts the INT's 4-byte encoding word off; the strings stay where they were.
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 12).putInt(16, 16);
        String m = fails(b);
        assertTrue(m.contains("type id 1") && m.contains("needs 4 more bytes"), m);
    }

    @Test
    void typeIdOutOfRange() {
        Blob b = intType(new Blob());
        b.type(0, 2, 0, 99); // pointer to type 99 of 3
        String m = fails(b.bytes());
        assertTrue(m.contains("byte 40") && m.contains("type id 2 refers to type id 99"), m);
    }

    @Test
    void stringOffsetPastTheStringSection() {
        Blob b = new Blob();
        b.type(5000, 1, 0, 4, 32);
        String m = fails(b.bytes());
        assertTrue(m.contains("string offset 5000") && m.contains("byte 24"), m);
    }

    @Test
    void unknownKind() {
        Blob b = new Blob();
        b.type(0, 27, 0, 4);
        String m = fails(b.bytes());
        assertTrue(m.contains("kind 27"), m);
    }

    @Test
    void typedefPointingToItself() {
        Blob b = new Blob();
        b.type(b.str("loop_t"), 8, 0, 1);
        String m = fails(b.bytes());
        assertTrue(m.contains("type id 1") && m.contains("refers back to itself"), m);
    }

    @Test
    void modifierCycle() {
        Blob b = new Blob();
        b.type(0, 10, 0, 2); // const -> volatile
        b.type(0, 9, 0, 3);  // volatile -> pointer
        b.type(0, 2, 0, 1);  // pointer -> const
        String m = fails(b.bytes());
        assertTrue(m.contains("refers back to itself"), m);
    }

    @Test
    void structContainingItselfByValue() {
        Blob b = intType(new Blob());
        int name = b.str("self");
        b.type(name, 4, 2, 8, b.str("a"), 1, 0, b.str("again"), 2, 32); // struct self { int a; struct self again; }
        String m = fails(b.bytes());
        assertTrue(m.contains("type id 2") && m.contains("contains itself"), m);
    }

    @Test
    void corruptElfIsABtfFormatException() {
        byte[] elf = new byte[80];
        elf[0] = 0x7f;
        elf[1] = 'E';
        elf[2] = 'L';
        elf[3] = 'F';
        elf[4] = 2;
        elf[5] = 1;
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putLong(40, 1 << 20).putShort(58, (short) 64).putShort(60, (short) 3);
        String m = assertThrows(BtfFormatException.class, () -> Btf.fromFileBytes(elf, null)).getMessage();
        assertTrue(m.contains("malformed ELF at byte"), m);
    }

    @Test
    void truncatedBtfExt() {
        Btf btf = Btf.parse(intType(new Blob()).bytes());
        String m = assertThrows(BtfFormatException.class, () -> BtfExt.parse(new byte[10], btf)).getMessage();
        assertTrue(m.contains(".BTF.ext at byte 0"), m);
    }
}

package io.bpf4j.reloc;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a small split BTF blob (btf.rst section 2: header, struct types with members, strings)
 * by hand, the way a kernel module's BTF extends vmlinux: type ids and string offsets continue
 * after the base's. Only structs are needed by the tests.
 */
final class SplitBtfWriter {
    private static final int KIND_STRUCT = 4;

    record Field(String name, int typeId, int bitOffset) {
    }

    private final int baseStringLength;
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final ByteArrayOutputStream types = new ByteArrayOutputStream();

    SplitBtfWriter(int baseStringLength) {
        this.baseStringLength = baseStringLength;
    }

    private int string(String s) {
        int off = baseStringLength + strings.size();
        strings.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        strings.write(0);
        return off;
    }

    SplitBtfWriter struct(String name, int size, Field... fields) {
        ByteBuffer b = ByteBuffer.allocate(12 + 12 * fields.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(string(name)).putInt(KIND_STRUCT << 24 | fields.length).putInt(size);
        for (Field f : fields) {
            b.putInt(string(f.name())).putInt(f.typeId()).putInt(f.bitOffset());
        }
        types.writeBytes(b.array());
        return this;
    }

    byte[] bytes() {
        byte[] t = types.toByteArray();
        byte[] s = strings.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(24 + t.length + s.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) 0xeb9f).put((byte) 1).put((byte) 0);
        out.putInt(24).putInt(0).putInt(t.length).putInt(t.length).putInt(s.length);
        out.put(t).put(s);
        return out.array();
    }

    /** str_len of a raw BTF blob's header: where a split BTF's string offsets start. */
    static int stringLength(byte[] rawBtf) {
        return ByteBuffer.wrap(rawBtf).order(ByteOrder.LITTLE_ENDIAN).getInt(20);
    }

    static List<Field> fields(Field... f) {
        return new ArrayList<>(List.of(f));
    }
}

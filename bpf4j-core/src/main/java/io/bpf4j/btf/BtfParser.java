package io.bpf4j.btf;

import io.bpf4j.btf.BtfType.EnumValue;
import io.bpf4j.btf.BtfType.Linkage;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.btf.BtfType.Param;
import io.bpf4j.btf.BtfType.VarSecinfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the type section of a raw BTF blob (header, types, strings as in
 * Documentation/bpf/btf.rst section 2) into {@link BtfType} values, checking every bound.
 */
final class BtfParser {
    static final int MAGIC = 0xeB9F;
    static final int HEADER_SIZE = 24;
    private static final int TYPE_HEADER = 12;
    /** The kernel refuses types larger than this (BTF_MAX_SIZE in kernel/bpf/btf.c); so do we. */
    static final long MAX_TYPE_SIZE = 16 * 1024 * 1024;

    private final byte[] bytes;
    private final ByteBuffer buf;
    private final Btf base;
    private final int firstId;
    private final int typesStart;
    private final int typesEnd;
    final BtfStrings strings;

    /** Type offsets (relative to the blob) of each parsed type, for messages that name a byte offset. */
    int[] offsets = new int[0];

    BtfParser(byte[] bytes, Btf base) {
        this.bytes = bytes;
        this.base = base;
        this.firstId = base == null ? 1 : base.typeCount();
        if (bytes.length < HEADER_SIZE) {
            throw BtfFormatException.at(0, "the blob is " + bytes.length + " bytes, shorter than the 24-byte BTF header");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = Short.toUnsignedInt(b.getShort(0));
        if (magic != MAGIC) {
            if (Short.reverseBytes((short) magic) == (short) MAGIC) {
                b.order(ByteOrder.BIG_ENDIAN);
            } else {
                throw BtfFormatException.at(0, String.format("magic 0x%04x, expected 0xeb9f", magic));
            }
        }
        this.buf = b;
        int version = Byte.toUnsignedInt(bytes[2]);
        if (version != 1) {
            throw BtfFormatException.at(2, "version " + version + ", expected 1");
        }
        long hdrLen = u32(4);
        if (hdrLen < HEADER_SIZE || hdrLen > bytes.length) {
            throw BtfFormatException.at(4, "hdr_len " + hdrLen + ", expected at least 24 and within the " + bytes.length + "-byte blob");
        }
        long typeOff = u32(8);
        long typeLen = u32(12);
        long strOff = u32(16);
        long strLen = u32(20);
        long typesAt = hdrLen + typeOff;
        long stringsAt = hdrLen + strOff;
        if (typesAt + typeLen > bytes.length) {
            throw BtfFormatException.at(8, "type section (" + typeLen + " bytes at " + typesAt + ") runs past the end of the " + bytes.length + "-byte blob");
        }
        if (stringsAt + strLen > bytes.length) {
            throw BtfFormatException.at(16, "string section (" + strLen + " bytes at " + stringsAt + ") runs past the end of the " + bytes.length + "-byte blob");
        }
        if ((typeLen & 3) != 0) {
            throw BtfFormatException.at(12, "type_len " + typeLen + " is not a multiple of 4");
        }
        this.typesStart = (int) typesAt;
        this.typesEnd = (int) (typesAt + typeLen);
        this.strings = new BtfStrings(bytes, (int) stringsAt, (int) strLen, base == null ? null : base.strings(), base == null);
    }

    ByteOrder order() {
        return buf.order();
    }

    private long u32(int at) {
        return Integer.toUnsignedLong(buf.getInt(at));
    }

    /** The string a name_off field at {@code at} points to; the role words only go into the error message. */
    private String name(int at, int id, String role, int index) {
        int off = buf.getInt(at);
        if (off == 0) {
            return "";
        }
        if (strings.contains(off)) {
            return strings.get(off, at, null);
        }
        return strings.get(off, at, index < 0 ? "name of type id " + id : "name of " + role + " " + index + " of type id " + id);
    }

    /** Every type, decoded in id order; also fills {@link #offsets}. */
    List<BtfType> parseTypes() {
        int[] offs = scan();
        List<BtfType> out = new ArrayList<>(offs.length);
        for (int i = 0; i < offs.length; i++) {
            out.add(decode(offs[i], firstId + i));
        }
        return out;
    }

    /**
     * Walks the type headers only: checks that each header and the entries its kind and vlen call
     * for lie inside the type section and that the kind is known, and returns (and keeps in
     * {@link #offsets}) where each type starts. Cheap enough to run on a 5 MB kernel blob at start-up.
     */
    int[] scan() {
        int[] offs = new int[Math.max(16, (typesEnd - typesStart) / 16)];
        int count = 0;
        int pos = typesStart;
        while (pos < typesEnd) {
            if (count == offs.length) {
                offs = java.util.Arrays.copyOf(offs, offs.length * 2);
            }
            offs[count] = pos;
            int id = firstId + count;
            if (typesEnd - pos < TYPE_HEADER) {
                throw BtfFormatException.at(pos, "type id " + id + ": 12-byte btf_type header runs past the type section end at " + typesEnd);
            }
            int info = buf.getInt(pos + 4);
            int code = (info >>> 24) & 0x1f;
            BtfKind kind = BtfKind.ofCode(code);
            if (kind == null) {
                throw BtfFormatException.at(pos + 4, "type id " + id + " has kind " + code + ", expected 1..19 (BTF_KIND_INT..BTF_KIND_ENUM64)");
            }
            int vlen = info & 0xffff;
            int extra = extraBytes(kind, vlen);
            if (typesEnd - (pos + TYPE_HEADER) < extra) {
                throw BtfFormatException.at(pos, "type id " + id + " (" + kind + ", vlen " + vlen + ") needs " + extra
                        + " more bytes, but the type section ends at " + typesEnd);
            }
            pos += TYPE_HEADER + extra;
            count++;
        }
        this.offsets = java.util.Arrays.copyOf(offs, count);
        return offsets;
    }

    /** Bytes that follow the 12-byte header of a type of this kind (btf.rst section 2.2). */
    private static int extraBytes(BtfKind kind, int vlen) {
        return switch (kind) {
            case INT, VAR, DECL_TAG -> 4;
            case ARRAY -> 12;
            case STRUCT, UNION, DATASEC, ENUM64 -> 12 * vlen;
            case ENUM, FUNC_PROTO -> 8 * vlen;
            default -> 0;
        };
    }

    /**
     * The name_off field of the type at {@code pos} (an offset {@link #scan()} returned), or 0 for
     * the kinds whose name {@link #decode} ignores (pointers, arrays, modifiers, prototypes).
     */
    int nameOffset(int pos) {
        return switch (BtfKind.ofCode((buf.getInt(pos + 4) >>> 24) & 0x1f)) {
            case PTR, ARRAY, VOLATILE, CONST, RESTRICT, FUNC_PROTO -> 0;
            default -> buf.getInt(pos);
        };
    }

    /** The type at {@code pos} (an offset {@link #scan()} returned and so bounds-checked), as type id {@code id}. */
    BtfType decode(int pos, int id) {
        int info = buf.getInt(pos + 4);
        int vlen = info & 0xffff;
        BtfKind kind = BtfKind.ofCode((info >>> 24) & 0x1f);
        boolean kflag = (info >>> 31) != 0;
        int sizeOrType = buf.getInt(pos + 8);
        int body = pos + TYPE_HEADER;
        return switch (kind) {
            case INT -> {
                int enc = buf.getInt(body);
                yield new BtfType.Int(name(pos, id, null, -1), sizeOrType, (enc >>> 24) & 0x0f, (enc >>> 16) & 0xff, enc & 0xff);
            }
            case PTR -> new BtfType.Ptr(sizeOrType);
            case ARRAY -> new BtfType.Array(buf.getInt(body), buf.getInt(body + 4), buf.getInt(body + 8));
            case STRUCT, UNION -> {
                checkSize(sizeOrType, pos, id, kind);
                Object[] members = new Object[vlen];
                for (int i = 0; i < vlen; i++) {
                    int m = body + 12 * i;
                    int off = buf.getInt(m + 8);
                    long bitOffset = kflag ? off & 0xffffff : Integer.toUnsignedLong(off);
                    if (bitOffset > 8L * sizeOrType) {
                        throw BtfFormatException.at(m + 8, "member " + i + " of type id " + id + " starts at bit " + bitOffset
                                + ", past the end of its " + sizeOrType + "-byte " + kind);
                    }
                    members[i] = (kflag
                            ? new Member(name(m, id, "member", i), buf.getInt(m + 4), off & 0xffffff, off >>> 24)
                            : new Member(name(m, id, "member", i), buf.getInt(m + 4), off, 0));
                }
                yield kind == BtfKind.STRUCT
                        ? new BtfType.Struct(name(pos, id, null, -1), sizeOrType, FrozenList.wrap(members), kflag)
                        : new BtfType.Union(name(pos, id, null, -1), sizeOrType, FrozenList.wrap(members), kflag);
            }
            case ENUM -> {
                Object[] values = new Object[vlen];
                for (int i = 0; i < vlen; i++) {
                    int v = body + 8 * i;
                    int raw = buf.getInt(v + 4);
                    values[i] = (new EnumValue(name(v, id, "enumerator", i),
                            kflag ? raw : Integer.toUnsignedLong(raw)));
                }
                yield new BtfType.Enum(name(pos, id, null, -1), sizeOrType, kflag, FrozenList.wrap(values));
            }
            case ENUM64 -> {
                Object[] values = new Object[vlen];
                for (int i = 0; i < vlen; i++) {
                    int v = body + 12 * i;
                    long lo = Integer.toUnsignedLong(buf.getInt(v + 4));
                    long hi = Integer.toUnsignedLong(buf.getInt(v + 8));
                    values[i] = (new EnumValue(name(v, id, "enumerator", i), (hi << 32) | lo));
                }
                yield new BtfType.Enum64(name(pos, id, null, -1), sizeOrType, kflag, FrozenList.wrap(values));
            }
            case FWD -> new BtfType.Fwd(name(pos, id, null, -1), kflag);
            case TYPEDEF -> new BtfType.Typedef(name(pos, id, null, -1), sizeOrType);
            case VOLATILE -> new BtfType.Volatile(sizeOrType);
            case CONST -> new BtfType.Const(sizeOrType);
            case RESTRICT -> new BtfType.Restrict(sizeOrType);
            case TYPE_TAG -> new BtfType.TypeTag(name(pos, id, null, -1), sizeOrType);
            case FUNC -> new BtfType.Func(name(pos, id, null, -1), sizeOrType, linkage(vlen, pos + 4, id));
            case FUNC_PROTO -> {
                Object[] params = new Object[vlen];
                for (int i = 0; i < vlen; i++) {
                    int p = body + 8 * i;
                    params[i] = (new Param(name(p, id, "parameter", i), buf.getInt(p + 4)));
                }
                yield new BtfType.FuncProto(sizeOrType, FrozenList.wrap(params));
            }
            case VAR -> new BtfType.Var(name(pos, id, null, -1), sizeOrType, linkage(buf.getInt(body), body, id));
            case DATASEC -> {
                checkSize(sizeOrType, pos, id, kind);
                Object[] vars = new Object[vlen];
                for (int i = 0; i < vlen; i++) {
                    int v = body + 12 * i;
                    vars[i] = (new VarSecinfo(buf.getInt(v), buf.getInt(v + 4), buf.getInt(v + 8)));
                }
                yield new BtfType.Datasec(name(pos, id, null, -1), sizeOrType, FrozenList.wrap(vars));
            }
            case FLOAT -> new BtfType.Float(name(pos, id, null, -1), sizeOrType);
            case DECL_TAG -> new BtfType.DeclTag(name(pos, id, null, -1), sizeOrType, buf.getInt(body));
            case UNKNOWN -> throw new IllegalStateException();
        };
    }

    private static void checkSize(int size, int at, int id, BtfKind kind) {
        if (Integer.toUnsignedLong(size) > MAX_TYPE_SIZE) {
            throw BtfFormatException.at(at + 8, "type id " + id + " (" + kind + ") has size " + Integer.toUnsignedLong(size)
                    + ", more than the 16 MiB a BTF type may have");
        }
    }

    private static Linkage linkage(int code, int at, int id) {
        Linkage l = Linkage.ofCode(code);
        if (l == null) {
            throw BtfFormatException.at(at, "type id " + id + " has linkage " + code + ", expected 0 (static), 1 (global) or 2 (extern)");
        }
        return l;
    }
}

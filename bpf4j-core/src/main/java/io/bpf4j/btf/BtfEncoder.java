package io.bpf4j.btf;

import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Enumeration;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Writes a {@link Btf}'s types back into the raw format (btf.rst section 2), in the blob's byte order. */
final class BtfEncoder {
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> offsets = new HashMap<>();
    private final int stringBase;

    private BtfEncoder(int stringBase) {
        this.stringBase = stringBase;
        strings.write(0);
        offsets.put("", 0);
    }

    static byte[] encode(Btf btf) {
        return encode(btf.types(), btf.byteOrder(), btf.base().orElse(null));
    }

    /** Encodes {@code types} (ids from 1, or from the base's type count) with string offsets after the base's. */
    static byte[] encode(List<BtfType> types, java.nio.ByteOrder order, Btf base) {
        int stringBase = base == null ? 0 : base.strings().totalLength();
        BtfEncoder e = new BtfEncoder(stringBase);
        int typeLen = 0;
        for (BtfType t : types) {
            typeLen += 12 + extraBytes(t);
        }
        ByteBuffer tb = ByteBuffer.allocate(typeLen).order(order);
        for (BtfType t : types) {
            e.write(tb, t);
        }
        byte[] str = e.strings.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(BtfParser.HEADER_SIZE + typeLen + str.length).order(order);
        out.putShort((short) BtfParser.MAGIC).put((byte) 1).put((byte) 0);
        out.putInt(BtfParser.HEADER_SIZE).putInt(0).putInt(typeLen).putInt(typeLen).putInt(str.length);
        out.put(tb.array()).put(str);
        return out.array();
    }

    private static int extraBytes(BtfType t) {
        return switch (t) {
            case BtfType.Int i -> 4;
            case BtfType.Var v -> 4;
            case BtfType.DeclTag d -> 4;
            case BtfType.Array a -> 12;
            case Composite c -> 12 * c.members().size();
            case BtfType.Datasec d -> 12 * d.vars().size();
            case BtfType.Enum en -> 8 * en.values().size();
            case BtfType.Enum64 en -> 12 * en.values().size();
            case BtfType.FuncProto f -> 8 * f.params().size();
            default -> 0;
        };
    }

    private int str(String s) {
        return offsets.computeIfAbsent(s, k -> {
            int off = stringBase + strings.size();
            byte[] b = k.getBytes(StandardCharsets.UTF_8);
            strings.write(b, 0, b.length);
            strings.write(0);
            return off;
        });
    }

    private static int info(BtfKind kind, int vlen, boolean kflag) {
        return (kflag ? 1 << 31 : 0) | (kind.code() << 24) | (vlen & 0xffff);
    }

    private void header(ByteBuffer b, String name, BtfKind kind, int vlen, boolean kflag, int sizeOrType) {
        b.putInt(str(name)).putInt(info(kind, vlen, kflag)).putInt(sizeOrType);
    }

    private void write(ByteBuffer b, BtfType t) {
        switch (t) {
            case BtfType.Int i -> {
                header(b, i.name(), BtfKind.INT, 0, false, i.size());
                b.putInt((i.encoding() << 24) | (i.bitOffset() << 16) | i.bits());
            }
            case BtfType.Array a -> {
                header(b, "", BtfKind.ARRAY, 0, false, 0);
                b.putInt(a.elementType()).putInt(a.indexType()).putInt(a.elements());
            }
            case Composite c -> {
                header(b, c.name(), c.kind(), c.members().size(), c.bitfieldEncoded(), c.size());
                for (BtfType.Member m : c.members()) {
                    int off = c.bitfieldEncoded() ? (m.bitfieldSize() << 24) | m.bitOffset() : m.bitOffset();
                    b.putInt(str(m.name())).putInt(m.type()).putInt(off);
                }
            }
            case Enumeration en -> {
                header(b, en.name(), en.kind(), en.values().size(), en.signed(), en.size());
                for (BtfType.EnumValue v : en.values()) {
                    b.putInt(str(v.name())).putInt((int) v.value());
                    if (en instanceof BtfType.Enum64) {
                        b.putInt((int) (v.value() >>> 32));
                    }
                }
            }
            case BtfType.Fwd f -> header(b, f.name(), BtfKind.FWD, 0, f.union(), 0);
            case BtfType.Reference r -> header(b, r.name(), r.kind(), 0, false, r.type());
            case BtfType.Func f -> header(b, f.name(), BtfKind.FUNC, f.linkage().ordinal(), false, f.type());
            case BtfType.FuncProto f -> {
                header(b, "", BtfKind.FUNC_PROTO, f.params().size(), false, f.returnType());
                for (BtfType.Param p : f.params()) {
                    b.putInt(str(p.name())).putInt(p.type());
                }
            }
            case BtfType.Var v -> {
                header(b, v.name(), BtfKind.VAR, 0, false, v.type());
                b.putInt(v.linkage().ordinal());
            }
            case BtfType.Datasec d -> {
                header(b, d.name(), BtfKind.DATASEC, d.vars().size(), false, d.size());
                for (BtfType.VarSecinfo v : d.vars()) {
                    b.putInt(v.type()).putInt(v.offset()).putInt(v.size());
                }
            }
            case BtfType.Float f -> header(b, f.name(), BtfKind.FLOAT, 0, false, f.size());
            case BtfType.DeclTag d -> {
                header(b, d.name(), BtfKind.DECL_TAG, 0, false, d.type());
                b.putInt(d.componentIndex());
            }
            case BtfType.Void v -> throw new IllegalArgumentException("void (type id 0) is implicit and cannot be listed among the types");
        }
    }
}

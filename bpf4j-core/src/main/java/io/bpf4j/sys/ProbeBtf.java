package io.bpf4j.sys;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the tiny BTF blobs feature probes upload (format: Documentation/bpf/btf.rst, linux/btf.h).
 * Type 1 is always {@code int} (4 bytes, signed); each probe adds the types that exercise one kind.
 */
final class ProbeBtf {
    static final int KIND_INT = 1;
    static final int KIND_PTR = 2;
    static final int KIND_ARRAY = 3;
    static final int KIND_STRUCT = 4;
    static final int KIND_UNION = 5;
    static final int KIND_ENUM = 6;
    static final int KIND_FWD = 7;
    static final int KIND_TYPEDEF = 8;
    static final int KIND_VOLATILE = 9;
    static final int KIND_CONST = 10;
    static final int KIND_RESTRICT = 11;
    static final int KIND_FUNC = 12;
    static final int KIND_FUNC_PROTO = 13;
    static final int KIND_VAR = 14;
    static final int KIND_DATASEC = 15;
    static final int KIND_FLOAT = 16;
    static final int KIND_DECL_TAG = 17;
    static final int KIND_TYPE_TAG = 18;
    static final int KIND_ENUM64 = 19;

    private final ByteBuffer types = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
    private final Map<String, Integer> strings = new LinkedHashMap<>();
    private final ByteArrayOutputStream stringBytes = new ByteArrayOutputStream();

    ProbeBtf() {
        stringBytes.write(0);
        strings.put("", 0);
        type("int", KIND_INT, 0, 4).putInt((1 << 24) | 32);
    }

    int name(String s) {
        return strings.computeIfAbsent(s, k -> {
            int off = stringBytes.size();
            stringBytes.writeBytes(k.getBytes(StandardCharsets.US_ASCII));
            stringBytes.write(0);
            return off;
        });
    }

    /** Appends a btf_type header; {@code sizeOrType} is size for sized kinds, the referenced type otherwise. */
    ByteBuffer type(String name, int kind, int vlen, int sizeOrType) {
        return type(name, kind, vlen, false, sizeOrType);
    }

    ByteBuffer type(String name, int kind, int vlen, boolean kindFlag, int sizeOrType) {
        types.putInt(name(name));
        types.putInt((kindFlag ? 1 << 31 : 0) | (kind << 24) | vlen);
        types.putInt(sizeOrType);
        return types;
    }

    byte[] build() {
        byte[] t = new byte[types.position()];
        types.duplicate().flip().get(t);
        byte[] s = stringBytes.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(24 + t.length + s.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24);
        out.putInt(0).putInt(t.length).putInt(t.length).putInt(s.length);
        out.put(t).put(s);
        return out.array();
    }

    /** A blob whose last type is of {@code kind}, with whatever it refers to before it. */
    static byte[] forKind(int kind) {
        ProbeBtf b = new ProbeBtf();
        switch (kind) {
            case KIND_INT -> {
            }
            case KIND_PTR -> b.type("", KIND_PTR, 0, 1);
            case KIND_ARRAY -> b.type("", KIND_ARRAY, 0, 0).putInt(1).putInt(1).putInt(2);
            case KIND_STRUCT, KIND_UNION -> b.type("s", kind, 1, 4).putInt(b.name("a")).putInt(1).putInt(0);
            case KIND_ENUM -> b.type("e", KIND_ENUM, 1, 4).putInt(b.name("a")).putInt(1);
            case KIND_FWD -> b.type("f", KIND_FWD, 0, 0);
            case KIND_TYPEDEF -> b.type("t", KIND_TYPEDEF, 0, 1);
            case KIND_VOLATILE, KIND_CONST -> b.type("", kind, 0, 1);
            case KIND_RESTRICT -> {
                b.type("", KIND_PTR, 0, 1);
                b.type("", KIND_RESTRICT, 0, 2);
            }
            case KIND_FUNC_PROTO -> b.type("", KIND_FUNC_PROTO, 1, 1).putInt(0).putInt(1);
            case KIND_FUNC -> {
                b.type("", KIND_FUNC_PROTO, 1, 1).putInt(b.name("x")).putInt(1);
                b.type("f", KIND_FUNC, 0, 2);
            }
            case KIND_VAR -> b.type("v", KIND_VAR, 0, 1).putInt(1);
            case KIND_DATASEC -> {
                b.type("v", KIND_VAR, 0, 1).putInt(1);
                b.type(".data", KIND_DATASEC, 1, 4).putInt(2).putInt(0).putInt(4);
            }
            case KIND_FLOAT -> b.type("float", KIND_FLOAT, 0, 4);
            case KIND_DECL_TAG -> {
                b.type("s", KIND_STRUCT, 1, 4).putInt(b.name("a")).putInt(1).putInt(0);
                b.type("tag", KIND_DECL_TAG, 0, 2).putInt(-1);
            }
            case KIND_TYPE_TAG -> {
                b.type("tag", KIND_TYPE_TAG, 0, 1);
                b.type("", KIND_PTR, 0, 2);
            }
            case KIND_ENUM64 -> b.type("e", KIND_ENUM64, 1, 8).putInt(b.name("a")).putInt(1).putInt(0);
            default -> throw new IllegalArgumentException("no probe for BTF kind " + kind);
        }
        return b.build();
    }
}

package io.bpf4j.load;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes bytes by their BTF type into plain Java values (Long/BigInteger, Boolean, Double, String,
 * List, Map with members in order) that the CLI prints as text or JSON; and encodes user-given text
 * ("42", "0x2a", "true", "hello") into the bytes of a scalar or char-array type.
 */
public final class BtfValues {
    private final Btf btf;

    public BtfValues(Btf btf) {
        this.btf = btf;
    }

    public Object decode(int typeId, byte[] bytes, int offset) {
        int id = btf.resolve(typeId);
        BtfType t = btf.type(id);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return switch (t) {
            case BtfType.Int i -> {
                if ((i.encoding() & BtfType.Int.BOOL) != 0) {
                    yield bytes[offset] != 0;
                }
                yield integer(b, offset, i.size(), i.isSigned());
            }
            case BtfType.Enumeration e -> {
                Object raw = integer(b, offset, e.size(), e.signed());
                long v = raw instanceof Long l ? l : ((BigInteger) raw).longValue();
                yield e.values().stream().filter(ev -> ev.value() == v).map(BtfType.EnumValue::name).findFirst()
                        .map(n -> (Object) n).orElse(raw);
            }
            case BtfType.Ptr p -> "0x" + Long.toHexString(b.getLong(offset));
            case BtfType.Float f -> f.size() == 4 ? (Object) (double) b.getFloat(offset) : (Object) b.getDouble(offset);
            case BtfType.Array a -> {
                int elem = btf.resolve(a.elementType());
                long elemSize = btf.sizeOf(elem);
                if (btf.type(elem) instanceof BtfType.Int ei && ei.size() == 1 && (ei.encoding() & BtfType.Int.CHAR) != 0
                        || btf.type(elem) instanceof BtfType.Int ej && ej.size() == 1 && ej.name().contains("char")) {
                    int end = offset;
                    while (end < offset + a.elements() && bytes[end] != 0) {
                        end++;
                    }
                    yield new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
                }
                List<Object> out = new ArrayList<>(a.elements());
                for (int k = 0; k < a.elements(); k++) {
                    out.add(decode(elem, bytes, (int) (offset + k * elemSize)));
                }
                yield out;
            }
            case BtfType.Composite c -> {
                Map<String, Object> out = new LinkedHashMap<>();
                int anon = 0;
                for (BtfType.Member m : c.members()) {
                    String name = m.name().isEmpty() ? "(anon" + (anon++) + ")" : m.name();
                    if (m.bitfieldSize() > 0) {
                        out.put(name, bitfield(bytes, offset, m.bitOffset(), m.bitfieldSize()));
                    } else {
                        out.put(name, decode(m.type(), bytes, offset + m.bitOffset() / 8));
                    }
                }
                yield out;
            }
            default -> "<" + t.kind() + ">";
        };
    }

    private static Object integer(ByteBuffer b, int offset, int size, boolean signed) {
        return switch (size) {
            case 1 -> signed ? (long) b.get(offset) : (long) Byte.toUnsignedInt(b.get(offset));
            case 2 -> signed ? (long) b.getShort(offset) : (long) Short.toUnsignedInt(b.getShort(offset));
            case 4 -> signed ? (long) b.getInt(offset) : Integer.toUnsignedLong(b.getInt(offset));
            case 8 -> {
                long v = b.getLong(offset);
                yield signed || v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
            }
            default -> {
                byte[] be = new byte[size];
                for (int i = 0; i < size; i++) {
                    be[size - 1 - i] = b.get(offset + i);
                }
                yield signed ? new BigInteger(be) : new BigInteger(1, be);
            }
        };
    }

    private static long bitfield(byte[] bytes, int base, int bitOffset, int bits) {
        long v = 0;
        for (int i = 0; i < bits; i++) {
            int bit = bitOffset + i;
            if ((bytes[base + bit / 8] >> (bit % 8) & 1) != 0) {
                v |= 1L << i;
            }
        }
        return v;
    }

    /** The bytes of a value given as text for a variable of this type; a clear error when it does not fit. */
    public byte[] encode(String variable, int typeId, String text) {
        int id = btf.resolve(typeId);
        BtfType t = btf.type(id);
        int size = (int) btf.sizeOf(id);
        ByteBuffer out = ByteBuffer.allocate(Math.max(size, 0)).order(ByteOrder.LITTLE_ENDIAN);
        switch (t) {
            case BtfType.Int i when (i.encoding() & BtfType.Int.BOOL) != 0 -> out.put((byte) (parseBool(variable, text) ? 1 : 0));
            case BtfType.Int i -> putInteger(out, variable, i.size(), i.isSigned(), text);
            case BtfType.Enumeration e -> {
                var named = e.values().stream().filter(v -> v.name().equals(text)).findFirst();
                if (named.isPresent()) {
                    putInteger(out, variable, e.size(), true, Long.toString(named.get().value()));
                } else {
                    putInteger(out, variable, e.size(), e.signed(), text);
                }
            }
            case BtfType.Array a when btf.sizeOf(a.elementType()) == 1 -> {
                byte[] s = text.getBytes(StandardCharsets.UTF_8);
                if (s.length >= a.elements()) {
                    throw new LoadException("global " + variable + " holds at most " + (a.elements() - 1)
                            + " bytes of text; \"" + text + "\" is " + s.length);
                }
                out.put(s);
            }
            default -> throw new LoadException("global " + variable + " is a " + t.kind()
                    + "; --set handles integers, booleans, enums and char arrays");
        }
        return out.array();
    }

    private static boolean parseBool(String variable, String text) {
        return switch (text) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new LoadException("global " + variable + " is a bool; give true or false, not \"" + text + "\"");
        };
    }

    private static void putInteger(ByteBuffer out, String variable, int size, boolean signed, String text) {
        BigInteger v;
        try {
            String t = text.strip().replace("_", "");
            boolean neg = t.startsWith("-");
            String digits = neg ? t.substring(1) : t;
            v = digits.startsWith("0x") || digits.startsWith("0X") ? new BigInteger(digits.substring(2), 16) : new BigInteger(digits);
            if (neg) {
                v = v.negate();
            }
        } catch (NumberFormatException e) {
            throw new LoadException("global " + variable + " is a " + (signed ? "signed" : "unsigned") + " " + (size * 8)
                    + "-bit integer; \"" + text + "\" is not a number");
        }
        BigInteger min = signed ? BigInteger.ONE.shiftLeft(size * 8 - 1).negate() : BigInteger.ZERO;
        BigInteger max = signed ? BigInteger.ONE.shiftLeft(size * 8 - 1).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(size * 8).subtract(BigInteger.ONE);
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new LoadException("global " + variable + " is a " + (signed ? "signed" : "unsigned") + " " + (size * 8)
                    + "-bit integer; " + text + " is out of range [" + min + ", " + max + "]");
        }
        long bits = v.longValue();
        for (int i = 0; i < size; i++) {
            out.put((byte) (bits >>> (8 * i)));
        }
    }
}

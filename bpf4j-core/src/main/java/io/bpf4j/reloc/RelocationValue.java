package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfExt.CoreRelocationKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.reloc.AccessSpec.Step;

import java.nio.ByteOrder;

/**
 * The number a relocation puts into its instruction, computed from an {@link AccessSpec} (the
 * program's, to check what clang wrote; the kernel's, to patch). Semantics per kind follow the
 * comments of {@code enum bpf_core_relo_kind} in linux/bpf.h.
 *
 * @param value     the number
 * @param memSize   for FIELD_BYTE_OFFSET of a whole (non-bitfield) field: its size, which a direct
 *                  load or store of the field must use; 0 otherwise
 * @param memKind   what the field is when {@code memSize} is set: whether its load may be resized
 * @param validate  false when clang may legitimately have written another number (bitfield offsets
 *                  and shifts depend on the load size clang chose; type ids are renumbered by linkers)
 */
record RelocationValue(long value, int memSize, MemKind memKind, boolean validate) {
    /**
     * What a directly loaded or stored field is, to decide whether its access may change size. Only
     * unsigned integers and pointers may: a narrower or wider load zero-extends into the 64-bit
     * register, which keeps their value; a signed integer or enum would lose its sign extension.
     */
    enum MemKind {
        NONE, UNSIGNED_INT, POINTER, OTHER;

        static MemKind of(BtfType t) {
            return switch (t) {
                case BtfType.Int i -> i.isSigned() ? OTHER : UNSIGNED_INT;
                case BtfType.Ptr p -> POINTER;
                default -> OTHER;
            };
        }
    }

    static RelocationValue of(long v) {
        return new RelocationValue(v, 0, MemKind.NONE, true);
    }

    /**
     * The value when the kernel has nothing to relocate against, or null when the instruction must be
     * poisoned: existence checks say 0, and so do all type-based kinds (a TYPE_SIZE or
     * TYPE_ID_TARGET of 0 is the documented "not there"); field reads and enum values cannot be made up.
     */
    static RelocationValue whenMissing(CoreRelocationKind k) {
        return switch (k) {
            case FIELD_EXISTS, ENUMVAL_EXISTS, TYPE_EXISTS, TYPE_MATCHES, TYPE_SIZE, TYPE_ID_TARGET -> of(0);
            default -> null;
        };
    }

    /** Thrown inside {@link #of(AccessSpec, CoreRelocationKind)} when a kernel field cannot be read as asked. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    static RelocationValue of(AccessSpec spec, CoreRelocationKind kind) throws Unreadable {
        Btf btf = spec.btf();
        return switch (kind) {
            case FIELD_EXISTS, TYPE_EXISTS, TYPE_MATCHES, ENUMVAL_EXISTS -> of(1);
            case TYPE_ID_LOCAL, TYPE_ID_TARGET -> new RelocationValue(spec.rootId(), 0, MemKind.NONE, false);
            case TYPE_SIZE -> {
                long size = btf.sizeOf(spec.rootId());
                if (size < 0) {
                    throw new Unreadable(AccessSpec.describe(btf, spec.rootId()) + " has no size");
                }
                yield of(size);
            }
            case ENUMVAL_VALUE -> {
                Step s = spec.last();
                yield of(((BtfType.Enumeration) btf.type(s.typeId())).values().get(s.index()).value());
            }
            default -> field(spec, kind);
        };
    }

    private static RelocationValue field(AccessSpec spec, CoreRelocationKind kind) throws Unreadable {
        Btf btf = spec.btf();
        Step last = spec.last();
        if (!last.isMember()) {
            // An array element (or the root object itself): only where it is and how big it is make sense.
            long size = btf.sizeOf(last.typeId());
            return switch (kind) {
                case FIELD_BYTE_OFFSET -> new RelocationValue(spec.bitOffset() / 8, (int) size, MemKind.of(btf.type(last.typeId())), true);
                case FIELD_BYTE_SIZE -> of(size);
                default -> throw new CoreRelocationException("CO-RE " + kind + " on an array element or whole object ("
                        + spec.render() + ") is not defined; only byte offset, byte size and existence are");
            };
        }
        Member m = ((Composite) btf.type(last.typeId())).members().get(last.index());
        int fieldType = btf.resolve(m.type());
        long bitOff = spec.bitOffset();
        int bitSize = m.bitfieldSize();
        boolean bitfield = bitSize > 0;
        long byteSize;
        long byteOff;
        if (bitfield) {
            // The smallest naturally aligned load, starting at the field type's size, that covers every bit.
            byteSize = btf.sizeOf(fieldType);
            if (byteSize <= 0) {
                throw new Unreadable("bitfield '" + m.name() + "' has a type without a size");
            }
            byteOff = bitOff / 8 / byteSize * byteSize;
            while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
                if (byteSize >= 8) {
                    throw new Unreadable("bitfield '" + m.name() + "' straddles an 8-byte boundary and cannot be read with one load");
                }
                byteSize *= 2;
                byteOff = bitOff / 8 / byteSize * byteSize;
            }
        } else {
            byteSize = btf.sizeOf(fieldType);
            if (byteSize < 0) {
                throw new Unreadable("field '" + m.name() + "' has a type without a size");
            }
            byteOff = bitOff / 8;
            bitSize = (int) (byteSize * 8);
        }
        return switch (kind) {
            case FIELD_BYTE_OFFSET -> bitfield ? new RelocationValue(byteOff, 0, MemKind.NONE, false)
                    : new RelocationValue(byteOff, (int) byteSize, MemKind.of(btf.type(fieldType)), true);
            case FIELD_BYTE_SIZE -> new RelocationValue(byteSize, 0, MemKind.NONE, !bitfield);
            case FIELD_SIGNED -> {
                BtfType t = btf.type(fieldType);
                boolean signed = t instanceof BtfType.Int i && i.isSigned() || t instanceof BtfType.Enumeration e && e.signed();
                yield of(signed ? 1 : 0);
            }
            case FIELD_LSHIFT_U64 -> {
                // Shifting left by this puts the field's top bit at bit 63 of the loaded value.
                long inLoad = bitOff - byteOff * 8;
                long shift = btf.byteOrder() == ByteOrder.LITTLE_ENDIAN
                        ? 64 - (inLoad + bitSize)
                        : 64 - byteSize * 8 + inLoad;
                yield new RelocationValue(shift, 0, MemKind.NONE, !bitfield);
            }
            case FIELD_RSHIFT_U64 -> of(64 - bitSize);
            default -> throw new IllegalStateException(kind.toString());
        };
    }
}

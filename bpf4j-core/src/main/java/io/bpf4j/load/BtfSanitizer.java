package io.bpf4j.load;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.sys.KernelFeatures;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;

/**
 * Rewrites, in place and with the same byte layout, the BTF kinds an older kernel does not know into
 * kinds it does, so the object's BTF still loads (and with it func/line info and typed maps):
 * TYPE_TAG becomes CONST, DECL_TAG a nameless 1-byte INT, FLOAT an empty STRUCT of the same size,
 * ENUM64 a UNION of the same size (see {@link #enum64AsUnion}). Type ids and string offsets do not
 * move, so nothing that refers to them changes.
 */
final class BtfSanitizer {
    /** The kinds added after the others (5.13–6.0) that a kernel may lack; older ones predate BPF CO-RE. */
    private static final Set<BtfKind> NEWER = EnumSet.of(BtfKind.FLOAT, BtfKind.DECL_TAG, BtfKind.TYPE_TAG, BtfKind.ENUM64);

    private BtfSanitizer() {
    }

    /** The newer kinds this BTF uses that the running kernel refuses (each probed once per process). */
    static Set<BtfKind> missingOnThisKernel(Btf btf) {
        Set<BtfKind> out = EnumSet.noneOf(BtfKind.class);
        for (BtfType t : btf.types()) {
            if (NEWER.contains(t.kind()) && !out.contains(t.kind()) && !KernelFeatures.btfKind(t.kind().code())) {
                out.add(t.kind());
            }
        }
        return out;
    }

    /** Rewrites the types of the missing kinds in {@code b} (the raw blob {@code btf} was parsed from). */
    static void sanitize(ByteBuffer b, Btf btf, Set<BtfKind> missing) {
        if (missing.isEmpty()) {
            return;
        }
        for (int id = btf.firstId(); id < btf.typeCount(); id++) {
            BtfType t = btf.type(id);
            if (!missing.contains(t.kind())) {
                continue;
            }
            int at = btf.offsetOf(id);
            switch (t) {
                case BtfType.TypeTag tag -> {
                    b.putInt(at, 0); // a CONST has no name
                    b.putInt(at + 4, BtfKind.CONST.code() << 24);
                }
                case BtfType.DeclTag tag -> {
                    b.putInt(at, 0);
                    b.putInt(at + 4, BtfKind.INT.code() << 24);
                    b.putInt(at + 8, 1); // size 1
                    b.putInt(at + 12, 8); // 8 bits at offset 0, no encoding (where component_idx was)
                }
                case BtfType.Float f -> b.putInt(at + 4, BtfKind.STRUCT.code() << 24); // no members, same size
                case BtfType.Enum64 e -> enum64AsUnion(b, btf, at, e);
                default -> {
                }
            }
        }
    }

    /**
     * ENUM64 (Linux 6.0) as a UNION. Why a union: the type must keep its id and size (variables, map
     * values and members of its type keep their layout) and its record must keep its length, or every
     * type after it would move. An ENUM64 record is the 12-byte header plus vlen 12-byte entries
     * (name, value low, value high), and among the kinds a 5.x kernel knows only STRUCT and UNION have
     * 12-byte entries (name, type, offset); ENUM's are 8 bytes, INT has one 4-byte word. A UNION puts
     * every member at offset 0, which is what the kernel demands of union members, and its size is the
     * enum's. Each enumerator becomes a member of the same name (C enumerators are distinct identifiers,
     * valid member names), typed by an INT of the object's own BTF; the kernel refuses a void member,
     * and a member smaller than the union is allowed. The values are lost, which only a BTF reader
     * wanting enumerator values would notice; the kernel never needs them. A global (non-static)
     * function taking the enum by value would be refused (an argument must be a scalar), but without
     * the rewrite the whole BTF, which global functions require, would be refused anyway.
     *
     * <p>When the object has no INT to type the members with, the ENUM64 is left as it is: the kernel
     * refuses the BTF and the object loads without it, as it did before.
     */
    private static void enum64AsUnion(ByteBuffer b, Btf btf, int at, BtfType.Enum64 e) {
        int memberType = intNoLargerThan(btf, e.size());
        if (memberType == 0) {
            return;
        }
        int vlen = e.values().size();
        // kind_flag cleared: for a union it would mean bitfield-encoded offsets, for ENUM64 it meant signed.
        b.putInt(at + 4, (BtfKind.UNION.code() << 24) | vlen);
        for (int i = 0; i < vlen; i++) {
            int entry = at + 12 + 12 * i; // name_off stays: the member is named after the enumerator
            b.putInt(entry + 4, memberType);
            b.putInt(entry + 8, 0); // bit offset 0
        }
    }

    /** A whole-bytes INT of the object's BTF (not bool, not a char) of exactly {@code size} bytes, else the largest smaller one; 0 if none. */
    private static int intNoLargerThan(Btf btf, int size) {
        int best = 0;
        int bestSize = 0;
        for (int id = btf.firstId(); id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof BtfType.Int i && i.bitOffset() == 0 && i.bits() == 8 * i.size()
                    && (i.encoding() & (BtfType.Int.BOOL | BtfType.Int.CHAR)) == 0 && i.size() <= size && i.size() > bestSize) {
                best = id;
                bestSize = i.size();
            }
        }
        return best;
    }
}

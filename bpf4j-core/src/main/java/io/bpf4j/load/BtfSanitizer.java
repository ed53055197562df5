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
 * TYPE_TAG becomes CONST, DECL_TAG a nameless 1-byte INT, FLOAT an empty STRUCT of the same size.
 * Type ids and string offsets do not move, so nothing that refers to them changes.
 */
final class BtfSanitizer {
    /** The kinds added after the others (5.13–5.17) that a kernel may lack; older ones predate BPF CO-RE. */
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

    /**
     * Rewrites the types of the missing kinds in {@code b} (the raw blob {@code btf} was parsed from).
     * ENUM64 has no same-size stand-in: it is left for the kernel to refuse, and the object loads without BTF.
     */
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
                default -> {
                }
            }
        }
    }
}

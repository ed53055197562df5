package io.bpf4j.load;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.spec.ObjectBtf;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prepares an object's .BTF for BPF_BTF_LOAD and uploads it. clang leaves every DATASEC's size at 0
 * and some variable offsets at 0; the kernel checks both, so they are filled in from the ELF section
 * sizes and symbols, in place in a copy of the raw bytes: string offsets stay valid, which the
 * func_info and line_info records sent with each program rely on. Kinds the kernel lacks are
 * rewritten by {@link BtfSanitizer}.
 */
final class ObjectBtfUpload {
    private static final int HEADER_TYPE_OFF = 8;
    private static final int HEADER_TYPE_LEN = 12;
    private static final int HEADER_STR_OFF = 16;
    private static final int HEADER_STR_LEN = 20;

    private final byte[] raw;
    private final Map<String, Integer> stringOffsets = new HashMap<>();

    ObjectBtfUpload(ObjectBtf objectBtf) {
        this(objectBtf, BtfSanitizer.missingOnThisKernel(objectBtf.btf()));
    }

    /** With {@code missingKinds}: the BTF kinds to rewrite for a kernel that lacks them. */
    ObjectBtfUpload(ObjectBtf objectBtf, java.util.Set<io.bpf4j.btf.BtfKind> missingKinds) {
        Btf btf = objectBtf.btf();
        byte[] bytes = btf.rawBytes();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(btf.byteOrder());
        int kfuncVar = btf.typeCount(); // the id the stand-in VAR for kfuncs gets, when needed
        boolean kfuncs = false;
        int intType = fourByteInt(btf);
        for (int id = btf.firstId(); id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof BtfType.Var v && v.linkage() == BtfType.Linkage.EXTERN) {
                // The kernel takes static and global variables only: an extern becomes a global one.
                b.putInt(btf.offsetOf(id) + 12, 1);
                if (ExternLayout.isTypeless(btf, id) && intType != 0) {
                    // A typeless ksym (const void): the kernel refused its DATASEC entry of size 0
                    // ("Invalid size", 6.18) and so the whole BTF; the entry gets 4 bytes (ExternLayout)
                    // and the VAR an int to match. Nothing reads it: the program gets the address as a constant.
                    b.putInt(btf.offsetOf(id) + 8, intType);
                }
            }
            if (btf.type(id) instanceof BtfType.Func f && f.linkage() == BtfType.Linkage.GLOBAL
                    && objectBtf.hiddenFunctions().contains(f.name())) {
                // A __hidden global function (usdt.bpf.h's bpf_usdt_arg) is verified as static, in its
                // caller's context: alone, against its prototype, a pointer argument may be NULL and
                // the function's first store through it is refused. The linkage is the vlen of info.
                int info = btf.offsetOf(id) + 4;
                b.putInt(info, b.getInt(info) & 0xffff0000);
            }
            if (btf.type(id) instanceof BtfType.Func f && f.linkage() == BtfType.Linkage.EXTERN) {
                // A kfunc's declaration. The kernel refuses extern linkage ("Invalid func linkage") and a
                // FUNC whose parameters have no names ("Invalid arg#1"), which is how clang writes an
                // extern declaration's prototype: either way the whole BTF was refused (seen on 6.1 and
                // 6.18). Nothing needs it as a FUNC (the .ksyms DATASEC points at the stand-in VAR, a
                // kfunc call carries the kernel's BTF id), so it becomes a TYPEDEF of its prototype: same
                // 12 bytes, same name, same referenced type.
                b.putInt(btf.offsetOf(id) + 4, BtfKind.TYPEDEF.code() << 24);
            }
            if (btf.type(id) instanceof BtfType.Datasec d) {
                int at = btf.offsetOf(id);
                Long size = objectBtf.sectionSizes().get(d.name());
                Map<String, Long> offsets = objectBtf.symbolOffsets().getOrDefault(d.name(), Map.of());
                if (size == null) {
                    // Externs (.kconfig, .ksyms) have no section: lay them out as the loader's map does. The
                    // kernel takes only VARs in a DATASEC, so a kfunc's FUNC entry points at one int VAR
                    // appended below.
                    ExternLayout layout = ExternLayout.of(btf, d);
                    for (int i = 0; i < d.vars().size(); i++) {
                        int entry = at + 12 + 12 * i;
                        if (btf.type(d.vars().get(i).type()) instanceof BtfType.Func) {
                            b.putInt(entry, kfuncVar);
                            kfuncs = true;
                        }
                        b.putInt(entry + 4, (int) layout.offsets()[i]);
                        b.putInt(entry + 8, (int) layout.sizes()[i]);
                    }
                    b.putInt(at + 8, (int) layout.size());
                    continue;
                }
                b.putInt(at + 8, (int) (long) size);
                for (int i = 0; i < d.vars().size(); i++) {
                    Long offset = offsets.get(btf.type(d.vars().get(i).type()).name());
                    if (offset != null) {
                        b.putInt(at + 12 + 12 * i + 4, (int) (long) offset);
                    }
                }
            }
        }
        BtfSanitizer.sanitize(b, btf, missingKinds);
        this.raw = kfuncs ? withStandInVar(bytes, b, btf) : bytes;
        indexStrings(ByteBuffer.wrap(raw).order(btf.byteOrder()));
    }

    /**
     * Appends {@code VAR int <first kfunc's name>} after the last type (so no id moves) and shifts the
     * string section by its 16 bytes.
     */
    private static byte[] withStandInVar(byte[] bytes, ByteBuffer b, Btf btf) {
        int intType = fourByteInt(btf);
        int nameOff = 0;
        for (int id = btf.firstId(); id < btf.typeCount(); id++) {
            BtfType t = btf.type(id);
            if (nameOff == 0 && t instanceof BtfType.Func f && f.linkage() == BtfType.Linkage.EXTERN) {
                nameOff = b.getInt(btf.offsetOf(id));
            }
        }
        if (intType == 0) {
            throw new LoadException("the object calls kfuncs but its BTF has no 4-byte int to describe them to the kernel");
        }
        int hdrLen = b.getInt(4);
        int typeEnd = hdrLen + b.getInt(HEADER_TYPE_OFF) + b.getInt(HEADER_TYPE_LEN);
        byte[] out = new byte[bytes.length + 16];
        System.arraycopy(bytes, 0, out, 0, typeEnd);
        ByteBuffer var = ByteBuffer.wrap(out, typeEnd, 16).order(b.order());
        var.putInt(nameOff).putInt(BtfKind.VAR.code() << 24).putInt(intType).putInt(1); // linkage: global
        System.arraycopy(bytes, typeEnd, out, typeEnd + 16, bytes.length - typeEnd);
        ByteBuffer header = ByteBuffer.wrap(out).order(b.order());
        header.putInt(HEADER_TYPE_LEN, header.getInt(HEADER_TYPE_LEN) + 16);
        header.putInt(HEADER_STR_OFF, header.getInt(HEADER_STR_OFF) + 16);
        return out;
    }

    /** The first 4-byte INT of the object's BTF, or 0 when it has none. */
    private static int fourByteInt(Btf btf) {
        for (int id = btf.firstId(); id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof BtfType.Int i && i.size() == 4) {
                return id;
            }
        }
        return 0;
    }

    /** Maps every string of the string section to its offset, for line_info records. */
    private void indexStrings(ByteBuffer b) {
        int hdrLen = b.getInt(4);
        int strOff = hdrLen + b.getInt(HEADER_STR_OFF);
        int strLen = b.getInt(HEADER_STR_LEN);
        int start = 0;
        for (int i = 0; i < strLen; i++) {
            if (raw[strOff + i] == 0) {
                stringOffsets.putIfAbsent(new String(raw, strOff + start, i - start, StandardCharsets.UTF_8), start);
                start = i + 1;
            }
        }
    }

    /** The offset of a string in the uploaded BTF's string section (0, the empty string, when absent). */
    int stringOffset(String s) {
        return stringOffsets.getOrDefault(s, 0);
    }

    byte[] bytes() {
        return raw.clone();
    }

    /** Uploads the fixed BTF; null with a warning when the kernel refuses it (the object still loads, without source lines). */
    Fd upload(String objectName, List<String> warnings) {
        try {
            return Bpf.btfLoad(raw);
        } catch (BpfException e) {
            warnings.add(objectName + ": the kernel refused the object's BTF, loading without it (no source lines in "
                    + "verifier messages, no BTF-typed maps): " + e.getMessage());
            return null;
        }
    }
}

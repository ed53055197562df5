package io.bpf4j.load;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;

/**
 * Where the entries of a DATASEC without an ELF section (the externs of .kconfig and .ksyms) sit:
 * one after the other, each at its natural alignment. A kfunc's FUNC entry takes 4 bytes, the int
 * VAR that stands in for it when the BTF is uploaded; so does a typeless ksym, whose VAR is then
 * given an int type. The .kconfig map and the uploaded DATASEC use
 * this one layout, so they agree.
 */
record ExternLayout(long[] offsets, long[] sizes, long size) {
    static ExternLayout of(Btf btf, BtfType.Datasec d) {
        int n = d.vars().size();
        long[] offsets = new long[n];
        long[] sizes = new long[n];
        long at = 0;
        for (int i = 0; i < n; i++) {
            int type = d.vars().get(i).type();
            boolean asInt = btf.type(type) instanceof BtfType.Func || isTypeless(btf, type);
            long size = asInt ? 4 : Math.max(0, btf.sizeOf(type));
            int align = asInt ? 4 : Math.max(1, btf.alignOf(type));
            at = (at + align - 1) / align * align;
            offsets[i] = at;
            sizes[i] = size;
            at += size;
        }
        return new ExternLayout(offsets, sizes, Math.max(at, 1));
    }

    /** A VAR of type void ({@code extern const void sym __ksym;}): it has no size, the kernel wants one. */
    static boolean isTypeless(Btf btf, int varId) {
        return btf.type(varId) instanceof BtfType.Var v && btf.resolve(v.type()) == 0;
    }
}

package io.bpf4j.load;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;

/**
 * Where the entries of a DATASEC without an ELF section (the externs of .kconfig and .ksyms) sit:
 * one after the other, each at its natural alignment. A kfunc's FUNC entry takes 4 bytes, the int
 * VAR that stands in for it when the BTF is uploaded. The .kconfig map and the uploaded DATASEC use
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
            boolean kfunc = btf.type(type) instanceof BtfType.Func;
            long size = kfunc ? 4 : Math.max(0, btf.sizeOf(type));
            int align = kfunc ? 4 : Math.max(1, btf.alignOf(type));
            at = (at + align - 1) / align * align;
            offsets[i] = at;
            sizes[i] = size;
            at += size;
        }
        return new ExternLayout(offsets, sizes, Math.max(at, 1));
    }
}

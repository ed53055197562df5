package io.bpf4j.reloc;

import io.bpf4j.btf.BtfExt.CoreRelocation;

/**
 * A CO-RE relocation record placed on one instruction of a function.
 *
 * @param insnIndex  index (in 8-byte slots) of the instruction from the start of the function
 * @param relocation the .BTF.ext record (its {@code insnOffset} is in bytes from the section start)
 */
public record CoreRelocationAtIndex(int insnIndex, CoreRelocation relocation) {
    public CoreRelocationAtIndex {
        if (insnIndex < 0) {
            throw new CoreRelocationException("CO-RE relocation at negative instruction index " + insnIndex);
        }
        if (relocation == null) {
            throw new CoreRelocationException("CO-RE relocation at instruction " + insnIndex + " has no record");
        }
    }
}

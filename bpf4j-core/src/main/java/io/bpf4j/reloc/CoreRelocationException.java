package io.bpf4j.reloc;

import io.bpf4j.Bpf4jException;

/**
 * A CO-RE relocation that cannot be applied at all: a malformed record (an access string that does
 * not fit its type), an instruction that cannot carry the relocation, or a relocation that matches
 * several kernel types with different results. A relocation that merely finds nothing in the kernel
 * is not an error: it becomes a {@link CoreFailure} and a poisoned instruction.
 */
public final class CoreRelocationException extends Bpf4jException {
    private static final long serialVersionUID = 1L;

    public CoreRelocationException(String message) {
        super(message);
    }
}

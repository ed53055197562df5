package io.bpf4j.reloc;

import java.util.List;

/**
 * The outcome of {@link CoreRelocator#relocate}: the patched instructions and the relocations that
 * could not be resolved (their instructions are poisoned, see {@link CoreFailure}).
 *
 * @param instructions the patched instruction bytes (a copy; same length as the input)
 * @param failures     one entry per poisoned relocation, in instruction order
 */
public record CoreResult(byte[] instructions, List<CoreFailure> failures) {
    public CoreResult {
        instructions = instructions.clone();
        failures = List.copyOf(failures);
    }

    @Override
    public byte[] instructions() {
        return instructions.clone();
    }

    /** The failure recorded for the instruction at this index, if that instruction was poisoned. */
    public java.util.Optional<CoreFailure> failureAt(int insnIndex) {
        return failures.stream().filter(f -> f.insnIndex() == insnIndex).findFirst();
    }
}

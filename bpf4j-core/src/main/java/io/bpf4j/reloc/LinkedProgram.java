package io.bpf4j.reloc;

import io.bpf4j.spec.FunctionSpec;
import io.bpf4j.spec.ProgramSpec;
import io.bpf4j.spec.Relocation;

import java.util.List;

/**
 * A program with the subprograms it calls appended after it, as the kernel wants one instruction
 * array per program. Calls and callback addresses already point at the right instructions; the
 * other relocations (maps, data, externs) and CO-RE are listed with their final instruction index.
 *
 * @param program     the entry program
 * @param instructions the linked instructions (a fresh array the caller may patch)
 * @param placements  where each function landed, the program itself first
 * @param relocations every non-call relocation, with the index in {@code instructions}
 */
public record LinkedProgram(ProgramSpec program, byte[] instructions, List<Placement> placements,
                            List<Relocation> relocations) {
    /** A function of the object and the index of its first instruction in the linked program. */
    public record Placement(FunctionSpec function, int start) {
    }

    public int instructionCount() {
        return instructions.length / 8;
    }
}

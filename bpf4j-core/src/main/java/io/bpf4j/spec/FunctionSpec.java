package io.bpf4j.spec;

import java.util.List;

/**
 * One BPF function as clang wrote it: an entry program or a subprogram (a non-inlined function that
 * programs call, usually in .text). Its instructions are raw 8-byte slots; the loader links
 * subprograms after the program that calls them.
 *
 * @param name          the symbol name
 * @param section       the ELF section it lives in
 * @param sectionIndex  that section's index (what call relocations name)
 * @param sectionOffset byte offset of its first instruction in the section
 * @param instructions  little-endian instruction bytes, a multiple of 8 long (never mutated: copied out)
 * @param relocations   relocations of its instructions, by instruction index from its start
 * @param global        true for STB_GLOBAL/WEAK symbols
 */
public record FunctionSpec(String name, String section, int sectionIndex, long sectionOffset, byte[] instructions,
                           List<Relocation> relocations, boolean global) {
    public FunctionSpec {
        instructions = instructions.clone();
        relocations = List.copyOf(relocations);
    }

    @Override
    public byte[] instructions() {
        return instructions.clone();
    }

    public int instructionCount() {
        return instructions.length / 8;
    }

    /** True when the byte offset (in this function's section) falls inside this function. */
    public boolean covers(int sectionIndex, long offset) {
        return this.sectionIndex == sectionIndex && offset >= sectionOffset && offset < sectionOffset + instructions.length;
    }
}

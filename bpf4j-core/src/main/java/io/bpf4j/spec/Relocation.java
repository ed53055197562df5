package io.bpf4j.spec;

/**
 * A place in a function's instructions that the loader must fill in, found from the object's ELF
 * relocations: which instruction, and what it refers to.
 *
 * @param insnIndex index of the instruction (in 8-byte slots) from the start of its function
 * @param target    what the instruction refers to
 * @param symbol    the ELF symbol behind it, for messages
 */
public record Relocation(int insnIndex, Target target, String symbol) {
    /** What a relocated instruction refers to. */
    public sealed interface Target {
    }

    /** A map (BTF-defined in .maps or legacy in "maps"), loaded as BPF_PSEUDO_MAP_FD. */
    public record MapReference(String mapName) implements Target {
    }

    /** A byte inside a global-data section (.data, .rodata, .bss, ...), loaded as BPF_PSEUDO_MAP_VALUE. */
    public record DataReference(String section, long offset) implements Target {
    }

    /** A bpf-to-bpf call: the callee's section and byte offset in it. */
    public record CallReference(int sectionIndex, long byteOffset) implements Target {
    }

    /** A function's address passed as a callback (bpf_loop, timers), loaded as BPF_PSEUDO_FUNC. */
    public record FunctionAddress(int sectionIndex, long byteOffset) implements Target {
    }

    /**
     * An extern (.kconfig value or .ksyms kernel symbol), resolved against the running kernel at load;
     * {@code weak} ({@code __weak}, STB_WEAK) when the program accepts its absence (then it reads as 0).
     */
    public record ExternReference(String name, boolean weak) implements Target {
    }
}

/**
 * Relocation: from an object's instructions to the instructions the running kernel gets. The CO-RE
 * part lives here: {@link io.bpf4j.reloc.CoreRelocator} rewrites the instructions that clang marked
 * in .BTF.ext (field offsets, sizes, bitfield shifts, type ids and sizes, existence checks, enum
 * values) against the kernel's BTF, read with {@link io.bpf4j.reloc.KernelTargets}; what cannot be
 * resolved is poisoned and reported as {@link io.bpf4j.reloc.CoreFailure}.
 */
package io.bpf4j.reloc;

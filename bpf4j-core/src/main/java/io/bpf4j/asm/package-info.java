/**
 * The BPF instruction model: {@link io.bpf4j.asm.Instruction} (decode from and encode to the 8-byte
 * slots, with the two-slot LD_IMM64 held as one instruction), the opcode parts of linux/bpf.h in
 * {@link io.bpf4j.asm.Opcodes}, helper names by id in {@link io.bpf4j.asm.Helpers}, and
 * {@link io.bpf4j.asm.Disassembler}, which prints the kernel's own notation (the verifier log's and
 * {@code bpftool prog dump xlated}'s).
 */
package io.bpf4j.asm;

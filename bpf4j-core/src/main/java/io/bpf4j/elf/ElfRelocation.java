package io.bpf4j.elf;

/**
 * One entry of a SHT_REL or SHT_RELA section.
 *
 * @param offset      r_offset: where in the target section the relocation applies
 * @param symbolIndex index into the linked symbol table
 * @param type        machine-specific relocation type (R_BPF_* for BPF objects)
 * @param addend      r_addend for RELA entries, 0 for REL entries
 */
public record ElfRelocation(long offset, int symbolIndex, int type, long addend) {
}

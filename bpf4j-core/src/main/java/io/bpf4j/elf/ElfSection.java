package io.bpf4j.elf;

/**
 * One section header of an ELF64 file.
 *
 * @param index  position in the section header table (what symbols' st_shndx refers to)
 * @param name   resolved from the section header string table
 * @param type   sh_type (SHT_*)
 * @param flags  sh_flags (SHF_*)
 * @param address sh_addr: where the section is loaded (0 in relocatable objects)
 * @param offset file offset of the contents
 * @param size   size of the contents in bytes (no bytes in the file for SHT_NOBITS)
 * @param link   sh_link (e.g. the symbol table a relocation section uses)
 * @param info   sh_info (e.g. the section a relocation section applies to)
 * @param addralign sh_addralign
 * @param entsize   sh_entsize
 */
public record ElfSection(int index, String name, int type, long flags, long address, long offset, long size,
                         int link, int info, long addralign, long entsize) {
    public static final int SHT_NULL = 0;
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_REL = 9;
    public static final int SHT_DYNSYM = 11;

    public static final long SHF_WRITE = 0x1;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;

    public boolean isExecutable() {
        return (flags & SHF_EXECINSTR) != 0;
    }

    public boolean isWritable() {
        return (flags & SHF_WRITE) != 0;
    }

    /** The file offset of a virtual address inside this section (uprobes attach at file offsets). */
    public long fileOffsetOf(long virtualAddress) {
        return virtualAddress - address + offset;
    }

    public boolean hasFileContents() {
        return type != SHT_NOBITS && type != SHT_NULL;
    }
}

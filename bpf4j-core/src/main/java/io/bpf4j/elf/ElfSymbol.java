package io.bpf4j.elf;

/**
 * One entry of a symbol table (.symtab or .dynsym).
 *
 * @param index        position in its table (what relocations' symbol index refers to)
 * @param name         resolved from the table's string table; empty for unnamed symbols
 * @param value        st_value: an offset in the section for objects, an address for executables
 * @param size         st_size
 * @param type         STT_* (low four bits of st_info)
 * @param binding      STB_* (high four bits of st_info)
 * @param visibility   STV_* (low two bits of st_other)
 * @param sectionIndex st_shndx; {@link #SHN_UNDEF} for undefined (extern) symbols
 */
public record ElfSymbol(int index, String name, long value, long size, int type, int binding,
                        int visibility, int sectionIndex) {
    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STT_FILE = 4;

    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;

    public static final int STV_DEFAULT = 0;
    public static final int STV_HIDDEN = 2;

    public static final int SHN_UNDEF = 0;
    public static final int SHN_ABS = 0xfff1;
    public static final int SHN_COMMON = 0xfff2;

    public boolean isGlobal() {
        return binding == STB_GLOBAL || binding == STB_WEAK;
    }

    public boolean isUndefined() {
        return sectionIndex == SHN_UNDEF;
    }
}

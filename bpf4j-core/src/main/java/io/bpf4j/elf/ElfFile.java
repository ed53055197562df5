package io.bpf4j.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only view of an ELF64 file (little- or big-endian): its section headers, symbol tables and
 * relocation sections. It knows nothing about BPF; every bound is checked so that a truncated or
 * corrupt file ends in an {@link ElfFormatException} naming the offending byte offset.
 */
public final class ElfFile {
    public static final int EM_X86_64 = 62;
    public static final int EM_AARCH64 = 183;
    public static final int EM_BPF = 247;

    public static final int ET_REL = 1;
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;

    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;

    private final byte[] bytes;
    private final ByteOrder order;
    private final int fileType;
    private final int machine;
    private final List<ElfSection> sections;
    private final Map<String, ElfSection> sectionsByName;

    private ElfFile(byte[] bytes) {
        this.bytes = bytes;
        if (bytes.length < EHDR_SIZE) {
            throw ElfFormatException.at(0, "file is " + bytes.length + " bytes, shorter than the 64-byte ELF64 header");
        }
        if (bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            throw ElfFormatException.at(0, "no ELF magic (\\x7fELF); this is not an ELF file");
        }
        if (bytes[4] != 2) {
            throw ElfFormatException.at(4, "EI_CLASS " + bytes[4] + ", expected 2 (ELF64)");
        }
        this.order = switch (bytes[5]) {
            case 1 -> ByteOrder.LITTLE_ENDIAN;
            case 2 -> ByteOrder.BIG_ENDIAN;
            default -> throw ElfFormatException.at(5, "EI_DATA " + bytes[5] + ", expected 1 (LSB) or 2 (MSB)");
        };
        ByteBuffer header = buffer();
        this.fileType = Short.toUnsignedInt(header.getShort(16));
        this.machine = Short.toUnsignedInt(header.getShort(18));
        long shoff = header.getLong(40);
        int shentsize = Short.toUnsignedInt(header.getShort(58));
        int shnum = Short.toUnsignedInt(header.getShort(60));
        int shstrndx = Short.toUnsignedInt(header.getShort(62));
        if (shoff == 0) {
            this.sections = List.of();
            this.sectionsByName = Map.of();
            return;
        }
        if (shentsize != SHDR_SIZE) {
            throw ElfFormatException.at(58, "e_shentsize " + shentsize + ", expected 64");
        }
        if (shnum == 0) {
            // More than 0xff00 sections: the real count is in the first header's sh_size.
            checkRange(shoff, SHDR_SIZE, "section header 0");
            shnum = Math.toIntExact(Math.min(header.getLong((int) shoff + 32), Integer.MAX_VALUE));
        }
        if (shstrndx == 0xffff) {
            checkRange(shoff, SHDR_SIZE, "section header 0");
            shstrndx = header.getInt((int) shoff + 40);
        }
        checkRange(shoff, (long) shnum * SHDR_SIZE, shnum + " section headers at e_shoff " + shoff);
        if (shstrndx >= shnum) {
            throw ElfFormatException.at(62, "e_shstrndx " + shstrndx + " is not below the section count " + shnum);
        }
        long[] raw = new long[shnum * 10];
        for (int i = 0; i < shnum; i++) {
            int base = (int) (shoff + (long) i * SHDR_SIZE);
            raw[i * 10] = Integer.toUnsignedLong(header.getInt(base));
            raw[i * 10 + 1] = Integer.toUnsignedLong(header.getInt(base + 4));
            raw[i * 10 + 2] = header.getLong(base + 8);
            raw[i * 10 + 3] = header.getLong(base + 24);
            raw[i * 10 + 4] = header.getLong(base + 32);
            raw[i * 10 + 5] = Integer.toUnsignedLong(header.getInt(base + 40));
            raw[i * 10 + 6] = Integer.toUnsignedLong(header.getInt(base + 44));
            raw[i * 10 + 7] = header.getLong(base + 48);
            raw[i * 10 + 8] = header.getLong(base + 56);
            raw[i * 10 + 9] = header.getLong(base + 16);
            int type = (int) raw[i * 10 + 1];
            if (type != ElfSection.SHT_NOBITS && type != ElfSection.SHT_NULL) {
                checkRange(raw[i * 10 + 3], raw[i * 10 + 4], "contents of section " + i);
            }
        }
        long strOff = raw[shstrndx * 10 + 3];
        long strSize = raw[shstrndx * 10 + 4];
        List<ElfSection> list = new ArrayList<>(shnum);
        Map<String, ElfSection> byName = new LinkedHashMap<>();
        for (int i = 0; i < shnum; i++) {
            String name = i == 0 ? "" : string(strOff, strSize, raw[i * 10], "name of section " + i);
            ElfSection s = new ElfSection(i, name, (int) raw[i * 10 + 1], raw[i * 10 + 2], raw[i * 10 + 9], raw[i * 10 + 3],
                    raw[i * 10 + 4], (int) raw[i * 10 + 5], (int) raw[i * 10 + 6], raw[i * 10 + 7], raw[i * 10 + 8]);
            list.add(s);
            byName.putIfAbsent(name, s);
        }
        this.sections = Collections.unmodifiableList(list);
        this.sectionsByName = Collections.unmodifiableMap(byName);
    }

    /** Parses an ELF file held in memory. The array is not copied: do not change it afterwards. */
    public static ElfFile parse(byte[] bytes) {
        return new ElfFile(bytes);
    }

    public static ElfFile read(Path path) throws IOException {
        return new ElfFile(Files.readAllBytes(path));
    }

    /** True when the bytes start with the ELF magic, so callers can tell ELF objects from raw BTF. */
    public static boolean looksLikeElf(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
    }

    public ByteOrder byteOrder() {
        return order;
    }

    public int fileType() {
        return fileType;
    }

    public int machine() {
        return machine;
    }

    public List<ElfSection> sections() {
        return sections;
    }

    public Optional<ElfSection> section(String name) {
        return Optional.ofNullable(sectionsByName.get(name));
    }

    public ElfSection section(int index) {
        if (index < 0 || index >= sections.size()) {
            throw new ElfFormatException("malformed ELF: section index " + index + " is out of range (0.." + (sections.size() - 1) + ")");
        }
        return sections.get(index);
    }

    /** The bytes of a section (a copy); an empty array for SHT_NOBITS sections such as .bss. */
    public byte[] contents(ElfSection section) {
        if (!section.hasFileContents()) {
            return new byte[0];
        }
        byte[] out = new byte[(int) section.size()];
        System.arraycopy(bytes, (int) section.offset(), out, 0, out.length);
        return out;
    }

    /** A read-only buffer over a section's bytes in the file's byte order, without copying. */
    public ByteBuffer buffer(ElfSection section) {
        if (!section.hasFileContents()) {
            return ByteBuffer.allocate(0).order(order);
        }
        return ByteBuffer.wrap(bytes, (int) section.offset(), (int) section.size()).slice().asReadOnlyBuffer().order(order);
    }

    /** The symbols of .symtab (for objects) or, failing that, .dynsym; index 0 is the null symbol. */
    public List<ElfSymbol> symbols() {
        Optional<ElfSection> table = sections.stream().filter(s -> s.type() == ElfSection.SHT_SYMTAB).findFirst();
        if (table.isEmpty()) {
            table = sections.stream().filter(s -> s.type() == ElfSection.SHT_DYNSYM).findFirst();
        }
        return table.map(this::symbols).orElse(List.of());
    }

    /** The symbols of one symbol table section. */
    public List<ElfSymbol> symbols(ElfSection table) {
        if (table.entsize() != SYM_SIZE && table.entsize() != 0) {
            throw ElfFormatException.at(table.offset(), "symbol table " + table.name() + " has entry size " + table.entsize() + ", expected 24");
        }
        ElfSection strings = section(table.link());
        ByteBuffer buf = buffer();
        int count = (int) (table.size() / SYM_SIZE);
        List<ElfSymbol> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int base = (int) (table.offset() + (long) i * SYM_SIZE);
            long nameOff = Integer.toUnsignedLong(buf.getInt(base));
            int info = Byte.toUnsignedInt(buf.get(base + 4));
            int other = Byte.toUnsignedInt(buf.get(base + 5));
            int shndx = Short.toUnsignedInt(buf.getShort(base + 6));
            long value = buf.getLong(base + 8);
            long size = buf.getLong(base + 16);
            String name = string(strings.offset(), strings.size(), nameOff, "name of symbol " + i + " in " + table.name());
            out.add(new ElfSymbol(i, name, value, size, info & 0xf, info >>> 4, other & 0x3, shndx));
        }
        return Collections.unmodifiableList(out);
    }

    /** Relocation sections (REL and RELA) keyed by the index of the section they apply to. */
    public Map<Integer, ElfSection> relocationSections() {
        Map<Integer, ElfSection> out = new LinkedHashMap<>();
        for (ElfSection s : sections) {
            if (s.type() == ElfSection.SHT_REL || s.type() == ElfSection.SHT_RELA) {
                out.put(s.info(), s);
            }
        }
        return out;
    }

    public List<ElfRelocation> relocations(ElfSection relSection) {
        boolean rela = relSection.type() == ElfSection.SHT_RELA;
        int entry = rela ? 24 : 16;
        ByteBuffer buf = buffer();
        int count = (int) (relSection.size() / entry);
        List<ElfRelocation> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int base = (int) (relSection.offset() + (long) i * entry);
            long offset = buf.getLong(base);
            long info = buf.getLong(base + 8);
            long addend = rela ? buf.getLong(base + 16) : 0;
            out.add(new ElfRelocation(offset, (int) (info >>> 32), (int) info, addend));
        }
        return Collections.unmodifiableList(out);
    }

    private ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes).order(order);
    }

    private void checkRange(long offset, long length, String what) {
        if (offset < 0 || length < 0 || offset > bytes.length || length > bytes.length - offset) {
            throw ElfFormatException.at(offset, what + " (" + length + " bytes) runs past the end of the " + bytes.length + "-byte file");
        }
    }

    private String string(long tableOffset, long tableSize, long offset, String what) {
        if (offset >= tableSize) {
            throw ElfFormatException.at(tableOffset, what + ": string offset " + offset + " is past the string table of " + tableSize + " bytes");
        }
        int start = (int) (tableOffset + offset);
        int end = start;
        int limit = (int) (tableOffset + tableSize);
        while (end < limit && bytes[end] != 0) {
            end++;
        }
        if (end == limit) {
            throw ElfFormatException.at(start, what + ": string is not NUL-terminated inside its string table");
        }
        return new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }
}

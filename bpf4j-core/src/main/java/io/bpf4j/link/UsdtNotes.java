package io.bpf4j.link;

import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfSection;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The USDT probes of a binary: the SystemTap SDT v3 notes of its {@code .note.stapsdt} section, as
 * sys/sdt.h writes them (https://sourceware.org/systemtap/wiki/UserSpaceProbeImplementation). Each
 * note is one call site: a probe inlined or written in several places has several notes with the
 * same provider and name. Pure: reads bytes, touches no kernel.
 */
final class UsdtNotes {
    static final String SECTION = ".note.stapsdt";
    /** The section whose real address the notes' base field recorded at link time (prelink check). */
    static final String BASE_SECTION = ".stapsdt.base";
    private static final String OWNER = "stapsdt";
    private static final int NT_STAPSDT = 3;

    private UsdtNotes() {
    }

    /**
     * One call site, its addresses already adjusted for prelinking and turned into file offsets, which
     * is what the uprobe PMU takes (config2 for the probe, the ref_ctr_offset bits for the semaphore).
     *
     * @param address          the probe's virtual address in the binary (the nop the uprobe replaces)
     * @param fileOffset       where that instruction is in the file
     * @param semaphore        the semaphore's virtual address, 0 when the probe has none
     * @param semaphoreOffset  its file offset, 0 when there is none
     * @param arguments        the argument string, e.g. {@code -4@%edi 8@-8(%rbp) 4@$5}
     */
    record Probe(String provider, String name, long address, long fileOffset, long semaphore, long semaphoreOffset,
                 String arguments) {
        String id() {
            return provider + ":" + name;
        }
    }

    /** The notes of {@code elf}, or empty when it has no {@code .note.stapsdt} section. */
    static Optional<List<Probe>> read(ElfFile elf) {
        Optional<ElfSection> notes = elf.section(SECTION);
        if (notes.isEmpty()) {
            return Optional.empty();
        }
        // sys/sdt.h records the address of .stapsdt.base as the note's base. A prelinker moves the
        // sections without rewriting the notes, so when the section is no longer where the note says,
        // pc and semaphore move by the same amount (the SDT spec's rule).
        Optional<Long> actualBase = elf.section(BASE_SECTION).map(ElfSection::address);
        ByteBuffer b = elf.buffer(notes.get());
        List<Probe> out = new ArrayList<>();
        while (b.remaining() >= 12) {
            // Sizes are unsigned 32-bit: in long arithmetic a huge one cannot wrap past the bounds check.
            long nameSize = Integer.toUnsignedLong(b.getInt());
            long descSize = Integer.toUnsignedLong(b.getInt());
            int type = b.getInt();
            int nameStart = b.position();
            long descStart = nameStart + align4(nameSize);
            long next = descStart + align4(descSize);
            if (next > b.limit()) {
                throw new AttachException("the " + SECTION + " section is truncated: a note runs past its end");
            }
            String owner = cString(b, nameStart, (int) (nameStart + nameSize)).text();
            if (type == NT_STAPSDT && owner.equals(OWNER)) {
                out.add(probe(elf, b, (int) descStart, (int) (descStart + descSize), actualBase));
            }
            b.position((int) next);
        }
        return Optional.of(List.copyOf(out));
    }

    private static Probe probe(ElfFile elf, ByteBuffer b, int start, int end, Optional<Long> actualBase) {
        if (end - start < 3 * 8 + 3) {
            throw new AttachException("a " + SECTION + " note is " + (end - start) + " bytes, too short for the three "
                    + "addresses and three strings of an SDT v3 note");
        }
        long pc = b.getLong(start);
        long base = b.getLong(start + 8);
        long semaphore = b.getLong(start + 16);
        CString provider = cString(b, start + 24, end);
        CString name = cString(b, provider.next(), end);
        String args = name.next() < end ? cString(b, name.next(), end).text() : "";
        if (actualBase.isPresent() && base != 0) {
            long shift = actualBase.get() - base;
            pc += shift;
            if (semaphore != 0) {
                semaphore += shift;
            }
        }
        String what = "probe " + provider.text() + ":" + name.text() + " at 0x" + Long.toHexString(pc);
        long pcOffset = fileOffset(elf, pc, true, what);
        long semOffset = semaphore == 0 ? 0 : fileOffset(elf, semaphore, false, what + " (its semaphore)");
        return new Probe(provider.text(), name.text(), pc, pcOffset, semaphore, semOffset, args.strip());
    }

    /** The file offset of a virtual address, through the allocated section with file contents that holds it. */
    private static long fileOffset(ElfFile elf, long address, boolean code, String what) {
        for (ElfSection s : elf.sections()) {
            if ((s.flags() & ElfSection.SHF_ALLOC) != 0 && s.hasFileContents() && s.size() > 0
                    && address >= s.address() && address < s.address() + s.size() && (!code || s.isExecutable())) {
                return s.fileOffsetOf(address);
            }
        }
        throw new AttachException(what + ": no " + (code ? "executable " : "") + "section of the binary holds address 0x"
                + Long.toHexString(address) + "; the " + SECTION + " note does not match the file");
    }

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }

    /** A string of a note and where the field after it starts (past the NUL, counted in bytes). */
    private record CString(String text, int next) {
    }

    /** The NUL-terminated string at {@code from}, not reading at or past {@code end}. */
    private static CString cString(ByteBuffer b, int from, int end) {
        int i = from;
        while (i < end && b.get(i) != 0) {
            i++;
        }
        byte[] bytes = new byte[i - from];
        b.get(from, bytes);
        return new CString(new String(bytes, StandardCharsets.UTF_8), i + 1);
    }
}

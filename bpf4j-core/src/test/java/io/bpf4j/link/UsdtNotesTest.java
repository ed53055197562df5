package io.bpf4j.link;

import io.bpf4j.elf.ElfFile;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.UsdtTarget;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SDT notes of the test program as bpf4j reads them, against readelf (the reference) on the same binary. */
@Requires({Requirement.CLANG, Requirement.SDT_HEADER})
class UsdtNotesTest {
    private static final Pattern READELF_NOTE = Pattern.compile(
            "Provider: (\\S+)\\s+Name: (\\S+)\\s+Location: 0x(\\p{XDigit}+), Base: 0x(\\p{XDigit}+), Semaphore: 0x(\\p{XDigit}+)\\s+Arguments: ?([^\\n]*)");

    /** provider, name, pc, semaphore and arguments of every note, in file order, as readelf -n prints them. */
    private static List<String> readelf(Path binary) throws Exception {
        String out = UsdtTarget.run(List.of("readelf", "-n", binary.toString()));
        List<String> notes = new ArrayList<>();
        Matcher m = READELF_NOTE.matcher(out);
        while (m.find()) {
            notes.add(m.group(1) + ":" + m.group(2) + " pc=" + Long.parseUnsignedLong(m.group(3), 16) + " sem="
                    + Long.parseUnsignedLong(m.group(5), 16) + " args=" + m.group(6).strip());
        }
        return notes;
    }

    private static List<String> ours(List<UsdtNotes.Probe> probes) {
        return probes.stream().map(p -> p.id() + " pc=" + p.address() + " sem=" + p.semaphore() + " args=" + p.arguments()).toList();
    }

    @Test
    void notesEqualReadelfs() throws Exception {
        Path binary = UsdtTarget.binary();
        List<UsdtNotes.Probe> probes = UsdtNotes.read(ElfFile.read(binary)).orElseThrow();
        List<String> expected = readelf(binary);
        assertEquals(5, expected.size(), "args, guarded, twice (2 sites), global: " + expected);
        assertEquals(expected, ours(probes));

        byte[] file = Files.readAllBytes(binary);
        for (UsdtNotes.Probe p : probes) {
            // sys/sdt.h puts a nop at the probe: the uprobe goes on that byte of the file.
            assertEquals((byte) 0x90, file[(int) p.fileOffset()], p.id() + " at file offset " + p.fileOffset());
            // The arguments of every site parse, except the one written to be refused.
            if (!p.name().equals("global")) {
                UsdtArgs.parse(p.arguments(), p.id());
            }
        }
        UsdtNotes.Probe guarded = probes.stream().filter(p -> p.name().equals("guarded")).findFirst().orElseThrow();
        Matcher probesSection = Pattern.compile("\\.probes\\s+PROGBITS\\s+(\\p{XDigit}+)\\s+(\\p{XDigit}+)")
                .matcher(UsdtTarget.run(List.of("readelf", "-S", "-W", binary.toString())));
        assertTrue(probesSection.find());
        assertEquals(Long.parseLong(probesSection.group(1), 16), guarded.semaphore(), "the semaphore is the .probes variable");
        assertEquals(Long.parseLong(probesSection.group(2), 16), guarded.semaphoreOffset(), "its file offset");
        assertTrue(probes.stream().filter(p -> !p.name().equals("guarded")).allMatch(p -> p.semaphore() == 0 && p.semaphoreOffset() == 0));
    }

    @Test
    void argumentSpecsOfTheTestProgram() throws Exception {
        UsdtNotes.Probe args = UsdtNotes.read(ElfFile.read(UsdtTarget.binary())).orElseThrow().getFirst();
        assertEquals("test:args", args.id());
        List<String> kinds = UsdtArgs.parse(args.arguments(), "test:args").stream()
                .map(a -> a.type() + "/" + (a.signed() ? "s" : "u") + (64 - a.bitShift())).toList();
        assertEquals(List.of("REG_DEREF/s8", "REG_DEREF/u16", "REG_DEREF/s32", "REG_DEREF/s64", "CONST/s32", "REG/s64",
                "REG/s16", "REG_DEREF/u8"), kinds, args.arguments());
    }

    /**
     * A prelinked binary: its sections moved after the notes were written, so .stapsdt.base is no
     * longer at the note's base address, and pc and semaphore move by the same amount. Made here by
     * editing the base field of every note instead of running prelink.
     */
    @Test
    void prelinkedBaseMovesTheAddresses() throws Exception {
        Path binary = UsdtTarget.binary();
        ElfFile elf = ElfFile.read(binary);
        List<UsdtNotes.Probe> before = UsdtNotes.read(elf).orElseThrow();
        byte[] bytes = Files.readAllBytes(binary);
        var notes = elf.section(UsdtNotes.SECTION).orElseThrow();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int at = (int) notes.offset();
        int end = at + (int) notes.size();
        while (at < end) {
            int nameSize = b.getInt(at);
            int descSize = b.getInt(at + 4);
            int desc = at + 12 + ((nameSize + 3) & ~3);
            b.putLong(desc + 8, b.getLong(desc + 8) + 0x10); // base recorded 0x10 higher than .stapsdt.base is
            at = desc + ((descSize + 3) & ~3);
        }
        List<UsdtNotes.Probe> after = UsdtNotes.read(ElfFile.parse(bytes)).orElseThrow();
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get(i).address() - 0x10, after.get(i).address(), before.get(i).id());
            assertEquals(before.get(i).fileOffset() - 0x10, after.get(i).fileOffset(), before.get(i).id());
            if (before.get(i).semaphore() != 0) {
                assertEquals(before.get(i).semaphore() - 0x10, after.get(i).semaphore());
            }
        }
    }
}

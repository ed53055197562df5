package io.bpf4j.cli;

import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.bpf4j.testing.TextDiff.assertSameText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bpf4j btf dump} end to end, compared with bpftool's output for the same file. */
class BtfCommandTest {
    private static final String KERNEL_BTF = "/sys/kernel/btf/vmlinux";

    @Test
    @Requires({Requirement.KERNEL_BTF, Requirement.BPFTOOL})
    void formatCToAFileIsBpftoolsVmlinuxH(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("vmlinux.h");
        MainTest.Run r = MainTest.run("btf", "dump", "format", "c", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        assertSameText(Bpftool.run("btf", "dump", "file", KERNEL_BTF, "format", "c"), Files.readString(out), "vmlinux.h");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file is left next to the output");
        }
    }

    @Test
    @Requires({Requirement.KERNEL_BTF, Requirement.BPFTOOL})
    void defaultIsTheKernelsVmlinuxHOnStdout() {
        MainTest.Run r = MainTest.run("btf", "dump");
        assertEquals(0, r.code(), r.err());
        assertSameText(Bpftool.run("btf", "dump", "file", KERNEL_BTF, "format", "c"), r.out(), "vmlinux.h on stdout");
    }

    @Test
    @Requires({Requirement.KERNEL_BTF, Requirement.BPFTOOL})
    void formatRawIsBpftoolsDefaultListing() {
        MainTest.Run r = MainTest.run("btf", "dump", KERNEL_BTF, "format", "raw");
        assertEquals(0, r.code(), r.err());
        assertSameText(Bpftool.run("btf", "dump", "file", KERNEL_BTF), r.out(), "raw dump");
    }

    @Test
    @Requires({Requirement.KERNEL_BTF, Requirement.BPFTOOL})
    void bpftoolSpellingWithFileKeywordWorks() {
        MainTest.Run r = MainTest.run("btf", "dump", "file", KERNEL_BTF, "format", "c");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("#ifndef __VMLINUX_H__"), r.out().substring(0, 40));
    }

    @Test
    void corruptFileFailsWithOneMessage(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.btf");
        Files.write(bad, new byte[] {(byte) 0x9f, (byte) 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0});
        MainTest.Run r = MainTest.run("btf", "dump", bad.toString(), "format", "c");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(bad.toString()) && r.err().contains("malformed BTF at byte 0"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void missingFileAndUnknownFormatAreUserErrors(@TempDir Path dir) {
        MainTest.Run missing = MainTest.run("btf", "dump", dir.resolve("nope").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());
        MainTest.Run format = MainTest.run("btf", "dump", KERNEL_BTF, "format", "json");
        assertEquals(1, format.code());
        assertTrue(format.err().contains("unknown format 'json'"), format.err());
    }
}

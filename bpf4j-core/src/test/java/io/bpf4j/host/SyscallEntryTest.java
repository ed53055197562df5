package io.bpf4j.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyscallEntryTest {
    @Test
    void decidesByWhichBpfEntryKallsymsLists(@TempDir Path dir) throws IOException {
        Path kallsyms = Files.writeString(dir.resolve("kallsyms"), """
                ffffffff81000000 T _stext
                ffffffff8120a000 t __x64_sys_bpf_helper
                ffffffff8120b000 T my__x64_sys_bpf
                ffffffff8120c000 T sys_bpf
                ffffffffc0000000 t crc7_be\t[crc7]
                """);
        assertFalse(SyscallEntry.wrappedAccordingTo(kallsyms, "__x64_sys_"), "only sys_bpf, as a whole name");
        Files.writeString(kallsyms, "ffffffff81201680 T __x64_sys_bpf\n", java.nio.file.StandardOpenOption.APPEND);
        assertTrue(SyscallEntry.wrappedAccordingTo(kallsyms, "__x64_sys_"));
        Files.writeString(kallsyms, "ffffffff81000000 T _stext\n");
        assertTrue(SyscallEntry.wrappedAccordingTo(kallsyms, "__x64_sys_"), "a filtered kallsyms proves nothing: the wrapper is assumed");
    }

    @Test
    void wrapperPrefixesOfTheArchitectures() {
        assertEquals("__x64_sys_", SyscallEntry.archPrefix("amd64"));
        assertEquals("__arm64_sys_", SyscallEntry.archPrefix("aarch64"));
        assertNull(SyscallEntry.archPrefix("mips"));
    }

    /** This host is an x86-64 kernel long past 4.17, where every syscall has its __x64_sys_ wrapper. */
    @Test
    void thisKernelEntersSyscallsThroughTheX64Wrappers() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "an x86-64 fact");
        assertTrue(SyscallEntry.wrapped());
        assertEquals("__x64_sys_getpgid", SyscallEntry.function("getpgid"));
    }
}

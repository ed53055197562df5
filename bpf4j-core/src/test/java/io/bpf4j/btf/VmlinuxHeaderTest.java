package io.bpf4j.btf;

import io.bpf4j.elf.ElfFile;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.bpf4j.testing.TextDiff.assertSameText;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vmlinux.h the test harness writes with bpf4j is bpftool's, and clang compiles CO-RE code against it. */
class VmlinuxHeaderTest {
    @Test
    @Requires({Requirement.KERNEL_BTF, Requirement.CLANG, Requirement.BPFTOOL})
    void bpfProgramCompilesAgainstBpf4jsVmlinuxHeader() throws IOException {
        Path header = TestPrograms.vmlinuxHeader();
        assertSameText(Bpftool.run("btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c"),
                Files.readString(header), "target/test-bpf/vmlinux.h");
        Path obj = TestPrograms.compile("core_task.bpf.c");
        ElfFile elf = ElfFile.read(obj);
        BtfExt ext = BtfExt.fromElf(elf, Btf.fromElf(elf, null)).orElseThrow();
        assertTrue(ext.coreRelocations().values().stream().mapToInt(java.util.List::size).sum() >= 4,
                "BPF_CORE_READ through vmlinux.h's preserve_access_index records CO-RE relocations: " + ext.coreRelocations());
    }
}

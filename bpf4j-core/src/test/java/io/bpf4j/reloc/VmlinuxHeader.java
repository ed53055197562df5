package io.bpf4j.reloc;

import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.TestPrograms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes target/test-bpf/vmlinux.h (on the test programs' include path) from the running kernel with
 * bpftool, unless some other test already put one there.
 */
final class VmlinuxHeader {
    private VmlinuxHeader() {
    }

    static synchronized void ensure() {
        Path header = TestPrograms.outputDir().resolve("vmlinux.h");
        if (Files.exists(header)) {
            return;
        }
        String text = Bpftool.run("btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c");
        try {
            Path tmp = Files.createTempFile(header.getParent(), "vmlinux", ".h.tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, header, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

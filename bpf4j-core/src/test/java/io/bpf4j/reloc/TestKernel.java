package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** This machine's vmlinux BTF, parsed once for all tests of the package. */
final class TestKernel {
    private static Btf vmlinux;

    private TestKernel() {
    }

    static synchronized Btf vmlinux() {
        if (vmlinux == null) {
            try {
                vmlinux = Btf.read(Path.of("/sys/kernel/btf/vmlinux"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return vmlinux;
    }
}

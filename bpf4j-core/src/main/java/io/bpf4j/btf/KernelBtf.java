package io.bpf4j.btf;

import io.bpf4j.Bpf4jException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The running kernel's BTF (/sys/kernel/btf/vmlinux), read once per process and only when something
 * needs it (vmlinux.h, CO-RE, attach targets by BTF id, ksyms), then decoded lazily: its types are
 * decoded as they are asked for ({@link Btf#parseKernel}).
 */
public final class KernelBtf {
    public static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    private static volatile Btf vmlinux;

    private KernelBtf() {
    }

    public static Btf vmlinux() {
        Btf b = vmlinux;
        if (b == null) {
            synchronized (KernelBtf.class) {
                b = vmlinux;
                if (b == null) {
                    if (!Files.isReadable(VMLINUX)) {
                        throw new Bpf4jException(VMLINUX + " is missing or unreadable: this needs a kernel built with "
                                + "CONFIG_DEBUG_INFO_BTF=y, and root to read it");
                    }
                    try {
                        b = Btf.parseKernel(Files.readAllBytes(VMLINUX), null);
                    } catch (IOException e) {
                        throw new Bpf4jException("could not read " + VMLINUX + ": " + e.getMessage(), e);
                    }
                    vmlinux = b;
                }
            }
        }
        return b;
    }
}

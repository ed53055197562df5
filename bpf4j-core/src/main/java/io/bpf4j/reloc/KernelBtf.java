package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The running kernel's BTF, the usual CO-RE targets: {@code /sys/kernel/btf/vmlinux} and, as split
 * BTF on top of it, one file per loaded module next to it.
 */
public final class KernelBtf {
    /** Where the kernel publishes its BTF (CONFIG_DEBUG_INFO_BTF, and _MODULES for the modules). */
    public static final Path SYSFS = Path.of("/sys/kernel/btf");

    private KernelBtf() {
    }

    /** vmlinux's BTF, parsed. */
    public static Btf vmlinux() {
        return read(SYSFS.resolve("vmlinux"), null);
    }

    /** vmlinux followed by every module's BTF (split on top of it), in file-name order. */
    public static List<Btf> withModules() {
        return withModules(SYSFS);
    }

    /** As {@link #withModules()} for a directory laid out as /sys/kernel/btf (e.g. copied from another machine). */
    public static List<Btf> withModules(Path dir) {
        Btf vmlinux = read(dir.resolve("vmlinux"), null);
        List<Btf> out = new ArrayList<>();
        out.add(vmlinux);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                if (!p.getFileName().toString().equals("vmlinux") && Files.isRegularFile(p)) {
                    out.add(read(p, vmlinux));
                }
            }
        } catch (IOException e) {
            throw new CoreRelocationException("cannot list " + dir + ": " + e.getMessage());
        }
        return List.copyOf(out);
    }

    private static Btf read(Path file, Btf base) {
        if (!Files.isReadable(file)) {
            throw new CoreRelocationException("cannot read " + file + ": CO-RE needs the kernel's BTF; use a kernel built with "
                    + "CONFIG_DEBUG_INFO_BTF=y (and run as a user who can read it)");
        }
        try {
            return Btf.read(file, base);
        } catch (IOException e) {
            throw new CoreRelocationException("cannot read " + file + ": " + e.getMessage());
        }
    }
}

package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads CO-RE targets laid out as the kernel publishes them in {@code /sys/kernel/btf}: {@code vmlinux}
 * and one split BTF per loaded module on top of it (CONFIG_DEBUG_INFO_BTF_MODULES). The same layout
 * copied from another machine (a test VM) works too.
 */
public final class KernelTargets {
    /** Where the running kernel publishes its BTF. */
    public static final Path SYSFS = Path.of("/sys/kernel/btf");

    private KernelTargets() {
    }

    /** The BTF of every module in {@code dir} (every file but vmlinux), split on top of {@code vmlinux}, by file name. */
    public static List<Btf> modules(Path dir, Btf vmlinux) {
        return modules(dir, vmlinux, false);
    }

    // trusted: the running kernel's own module BTF, decoded lazily (Btf.parseKernel)
    private static List<Btf> modules(Path dir, Btf vmlinux, boolean trusted) {
        List<Btf> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                if (!p.getFileName().toString().equals("vmlinux") && Files.isRegularFile(p)) {
                    out.add(read(p, vmlinux, trusted));
                }
            }
        } catch (IOException e) {
            throw new CoreRelocationException("cannot list the module BTF in " + dir + ": " + e.getMessage());
        }
        return List.copyOf(out);
    }

    /** The running kernel's module BTF, split on top of {@code vmlinux} (which the caller has parsed once). */
    public static List<Btf> modules(Btf vmlinux) {
        return modules(SYSFS, vmlinux, true);
    }

    /** {@code dir/vmlinux} followed by every module of {@code dir}: all targets of a kernel. */
    public static List<Btf> all(Path dir) {
        Btf vmlinux = read(dir.resolve("vmlinux"), null, false);
        List<Btf> out = new ArrayList<>();
        out.add(vmlinux);
        out.addAll(modules(dir, vmlinux));
        return List.copyOf(out);
    }

    private static Btf read(Path file, Btf base, boolean trusted) {
        if (!Files.isReadable(file)) {
            throw new CoreRelocationException("cannot read " + file + ": CO-RE needs the kernel's BTF; use a kernel built with "
                    + "CONFIG_DEBUG_INFO_BTF=y (and run as a user who can read it)");
        }
        try {
            return trusted ? Btf.parseKernel(Files.readAllBytes(file), base) : Btf.read(file, base);
        } catch (IOException e) {
            throw new CoreRelocationException("cannot read " + file + ": " + e.getMessage());
        }
    }
}

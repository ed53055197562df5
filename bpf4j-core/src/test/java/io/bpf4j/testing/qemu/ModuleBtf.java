package io.bpf4j.testing.qemu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real module (split) BTF, which this machine's kernel cannot give (it loads no modules): boots
 * the guest kernel, insmods the modules, and copies {@code /sys/kernel/btf/vmlinux} and
 * {@code /sys/kernel/btf/<module>} back. The files are cached under the kernel's cache directory
 * ({@code btf/}), so only the first call for a module boots a guest.
 *
 * @param kernel  the kernel the BTF comes from
 * @param vmlinux the base BTF, as the guest kernel exposes it
 * @param modules each module's split BTF (whose type ids continue vmlinux's), by module name
 */
public record ModuleBtf(DebianKernelPackage kernel, Path vmlinux, Map<String, Path> modules) {
    public ModuleBtf {
        modules = Map.copyOf(modules);
    }

    /** Fetches from the default guest ({@link QemuGuest#defaultGuest()}). */
    public static ModuleBtf fetch(List<String> moduleNames) {
        return fetch(QemuGuest.defaultGuest(), moduleNames);
    }

    public static synchronized ModuleBtf fetch(QemuGuest guest, List<String> moduleNames) {
        DebianKernelPackage kernel = guest.kernel();
        Path dir = kernel.root().resolve("btf");
        // The name under /sys/kernel/btf/ is the module's own (.modinfo name=), e.g. crc_itu_t.
        List<String> names = moduleNames.stream().map(n -> kernel.module(n).name()).toList();
        Path vmlinux = dir.resolve("vmlinux");
        Map<String, Path> files = new LinkedHashMap<>();
        for (String n : names) {
            files.put(n, dir.resolve(n));
        }
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(vmlinux)) {
            missing.add("vmlinux");
        }
        files.forEach((n, p) -> {
            if (!Files.isRegularFile(p)) {
                missing.add(n);
            }
        });
        if (!missing.isEmpty()) {
            GuestJob job = GuestJob.of("ls -l /sys/kernel/btf/")
                    .withModules(names.toArray(String[]::new))
                    .withCollected("/sys/kernel/btf/vmlinux");
            for (String n : names) {
                job = job.withCollected("/sys/kernel/btf/" + n);
            }
            GuestResult result = guest.run(job);
            try {
                Files.createDirectories(dir);
                store(result, "vmlinux", vmlinux);
                for (String n : names) {
                    store(result, n, files.get(n));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot cache BTF in " + dir, e);
            }
        }
        return new ModuleBtf(kernel, vmlinux, files);
    }

    /** The split BTF file of one module. */
    public Path module(String name) {
        Path p = modules.get(name.replace('-', '_'));
        if (p == null) {
            throw new IllegalArgumentException("no BTF fetched for module '" + name + "'; have " + modules.keySet());
        }
        return p;
    }

    private static void store(GuestResult result, String name, Path target) throws IOException {
        byte[] bytes = result.file("/sys/kernel/btf/" + name).orElseThrow(() -> new IllegalStateException(
                "the guest kernel has no /sys/kernel/btf/" + name + " (is the module built with BTF?); guest said:\n"
                        + result.jobOutput()));
        Path tmp = Files.createTempFile(target.getParent(), name, ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}

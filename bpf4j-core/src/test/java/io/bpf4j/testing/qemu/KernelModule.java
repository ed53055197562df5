package io.bpf4j.testing.qemu;

import io.bpf4j.elf.ElfFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One loadable kernel module of a {@link DebianKernelPackage}, already decompressed on the host
 * (busybox insmod cannot read .ko.xz/.ko.zst).
 *
 * @param name    the module's name as the kernel knows it (underscores: {@code crc_itu_t}); it is
 *                also the file name of its split BTF under /sys/kernel/btf/
 * @param file    the uncompressed .ko file on the host
 * @param depends the names of the modules it needs loaded first, from its .modinfo section
 */
public record KernelModule(String name, Path file, List<String> depends) {
    public KernelModule {
        depends = List.copyOf(depends);
    }

    /** Reads name and dependencies from the module's ".modinfo" section (NUL-separated key=value). */
    static KernelModule read(Path koFile, String fallbackName) throws IOException {
        ElfFile elf = ElfFile.read(koFile);
        Map<String, String> info = new HashMap<>();
        elf.section(".modinfo").ifPresent(s -> {
            for (String kv : new String(elf.contents(s), StandardCharsets.UTF_8).split("\0")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    info.putIfAbsent(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        });
        String name = info.getOrDefault("name", fallbackName);
        List<String> depends = Arrays.stream(info.getOrDefault("depends", "").split(","))
                .map(String::strip).filter(d -> !d.isEmpty()).map(d -> d.replace('-', '_')).toList();
        return new KernelModule(name, koFile, depends);
    }
}

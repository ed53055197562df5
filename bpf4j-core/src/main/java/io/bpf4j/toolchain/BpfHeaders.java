package io.bpf4j.toolchain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Finds the BPF-side headers ({@code <bpf/bpf_helpers.h>} and friends) that libbpf-dev installs. */
public final class BpfHeaders {
    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/include"), Path.of("/usr/local/include"));

    private BpfHeaders() {
    }

    /** The include directory that holds {@code bpf/bpf_helpers.h}, if any. */
    public static Optional<Path> find() {
        String override = System.getenv("BPF4J_BPF_INCLUDE");
        if (override != null && !override.isBlank()) {
            return Optional.of(Path.of(override)).filter(p -> Files.isRegularFile(p.resolve("bpf/bpf_helpers.h")));
        }
        return CANDIDATES.stream().filter(p -> Files.isRegularFile(p.resolve("bpf/bpf_helpers.h"))).findFirst();
    }
}

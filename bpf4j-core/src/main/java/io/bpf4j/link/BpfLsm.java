package io.bpf4j.link;

import io.bpf4j.host.KernelConfig;
import io.bpf4j.load.BpfProgram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether the BPF LSM is active. A kernel built with CONFIG_BPF_LSM loads and attaches lsm programs
 * even when "bpf" is not among the LSMs it booted with (CONFIG_LSM without bpf, or an lsm= boot
 * parameter that leaves it out), but then no hook ever calls them: the program silently does nothing
 * (seen on Debian's 6.1 booted with lsm= minus bpf). So bpf4j looks at the active list before
 * attaching and says how to boot instead.
 */
final class BpfLsm {
    /** The active LSMs, in order, comma-separated (securityfs, mounted by systemd). */
    static final Path ACTIVE = Path.of("/sys/kernel/security/lsm");
    private static final Path CMDLINE = Path.of("/proc/cmdline");
    private static final Pattern LSM_PARAM = Pattern.compile("(?:^|\\s)lsm=(\\S+)");

    private BpfLsm() {
    }

    /** Throws an AttachException naming the fix when the BPF LSM is known to be inactive. */
    static void requireActive(BpfProgram p) {
        activeList().flatMap(BpfLsm::whyInactive).ifPresent(why -> {
            throw new AttachException("program " + p.name() + " (" + p.spec().section() + "): " + why);
        });
    }

    /**
     * The LSMs this kernel runs: securityfs's list when it is mounted, else the lsm= boot parameter,
     * else the kernel's CONFIG_LSM default; empty when none of them can be read.
     */
    static Optional<List<String>> activeList() {
        try {
            if (Files.isReadable(ACTIVE)) {
                return Optional.of(split(Files.readString(ACTIVE)));
            }
            if (Files.isReadable(CMDLINE)) {
                Matcher m = LSM_PARAM.matcher(Files.readString(CMDLINE));
                if (m.find()) {
                    return Optional.of(split(m.group(1)));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        KernelConfig cfg = KernelConfig.running();
        return cfg.available() ? cfg.value("CONFIG_LSM").map(v -> split(v.replace("\"", ""))) : Optional.empty();
    }

    /** Why lsm programs would never run with these LSMs active, and the boot parameter that fixes it. */
    static Optional<String> whyInactive(List<String> active) {
        if (active.contains("bpf")) {
            return Optional.empty();
        }
        String fix = active.isEmpty() ? "bpf" : String.join(",", active) + ",bpf";
        return Optional.of("the BPF LSM is not active on this kernel (active LSMs: " + (active.isEmpty() ? "none" : String.join(",", active))
                + "), so no hook would ever call an lsm program. Boot with bpf added to the lsm= kernel parameter, e.g. lsm="
                + fix + " (the kernel also needs CONFIG_BPF_LSM=y)");
    }

    private static List<String> split(String list) {
        return Arrays.stream(list.strip().split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}

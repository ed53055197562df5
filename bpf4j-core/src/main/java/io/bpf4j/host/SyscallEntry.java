package io.bpf4j.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The kernel function a system call enters through, for ksyscall/kretsyscall programs and for the
 * LINUX_HAS_SYSCALL_WRAPPER extern that libbpf's BPF_KSYSCALL macro reads.
 *
 * <p>With ARCH_HAS_SYSCALL_WRAPPER (x86-64 since 4.17, arm64 since 4.19, ...) each syscall enters
 * through an arch-prefixed wrapper such as {@code __x64_sys_getpgid(const struct pt_regs *regs)}:
 * its one argument points at the user's saved registers, so a kprobe there sees the syscall's
 * arguments one pointer away, not in its own registers. Without the wrapper the entry is
 * {@code sys_NAME} with the arguments in registers. Which one this kernel has is measured, once,
 * by looking the wrapper of bpf(2) up in /proc/kallsyms, not assumed from the release.
 */
public final class SyscallEntry {
    private static final Path KALLSYMS = Path.of("/proc/kallsyms");
    private static volatile Boolean wrapped;

    private SyscallEntry() {
    }

    /** The wrapper prefix this architecture's kernels use, or null when bpf4j knows none. */
    static String archPrefix(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "__x64_sys_";
            case "aarch64", "arm64" -> "__arm64_sys_";
            case "s390x" -> "__s390x_sys_";
            case "riscv64" -> "__riscv_sys_";
            case "ppc64", "ppc64le" -> "__powerpc_sys_";
            default -> null;
        };
    }

    /** True when this kernel enters syscalls through pt_regs wrappers (ARCH_HAS_SYSCALL_WRAPPER). */
    public static boolean wrapped() {
        Boolean w = wrapped;
        if (w == null) {
            String prefix = archPrefix(System.getProperty("os.arch"));
            w = prefix != null && (!Files.isReadable(KALLSYMS) || wrappedAccordingTo(KALLSYMS, prefix));
            wrapped = w;
        }
        return w;
    }

    /**
     * What a kallsyms-format file says: the wrapper when it lists PREFIXbpf, none when it lists only
     * sys_bpf. A file that lists neither (filtered, as in some containers, or no CONFIG_KALLSYMS)
     * proves nothing, and every kernel bpf4j can load on has the wrapper where the arch has one.
     */
    static boolean wrappedAccordingTo(Path kallsyms, String prefix) {
        Map<String, ?> found = KernelSymbols.addressesOf(kallsyms, Set.of(prefix + "bpf", "sys_bpf"));
        return found.containsKey(prefix + "bpf") || !found.containsKey("sys_bpf");
    }

    /** The kernel function syscall {@code name} (e.g. "getpgid") enters through on this kernel. */
    public static String function(String name) {
        return (wrapped() ? archPrefix(System.getProperty("os.arch")) : "sys_") + name;
    }

}

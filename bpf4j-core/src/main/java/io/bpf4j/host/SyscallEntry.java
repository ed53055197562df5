package io.bpf4j.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

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
            // Unreadable kallsyms (no procfs): every kernel bpf4j can load on has the wrapper where the arch has one.
            w = prefix != null && (!Files.isReadable(KALLSYMS) || kallsymsHas(KALLSYMS, prefix + "bpf"));
            wrapped = w;
        }
        return w;
    }

    /** The kernel function syscall {@code name} (e.g. "getpgid") enters through on this kernel. */
    public static String function(String name) {
        return (wrapped() ? archPrefix(System.getProperty("os.arch")) : "sys_") + name;
    }

    /** True when the kallsyms-format file lists a symbol of exactly this name; stops at the first match. */
    static boolean kallsymsHas(Path file, String symbol) {
        String suffix = " " + symbol;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            for (String line; (line = r.readLine()) != null; ) {
                // "ffffffff81000000 T name" (a module's symbols end in "\t[module]"; syscalls are built in)
                if (line.endsWith(suffix) && line.length() > suffix.length() + 2
                        && line.charAt(line.length() - suffix.length() - 2) == ' ') {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file, e);
        }
    }
}

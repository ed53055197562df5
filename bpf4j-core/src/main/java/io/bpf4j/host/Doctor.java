package io.bpf4j.host;

import io.bpf4j.toolchain.BpfHeaders;
import io.bpf4j.toolchain.Clang;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Tells what this machine can do with BPF and what is missing, each finding with its fix. It only
 * reads (/proc, /sys, the PATH); kernel feature probes that need syscalls are added by the loader's
 * probe table.
 */
public final class Doctor {
    /** Kernel options that decide what can be loaded and attached, with what each one gives. */
    private record ConfigFact(String option, String gives, String ifMissing, boolean required) {
    }

    private static final List<ConfigFact> CONFIG_FACTS = List.of(
            new ConfigFact("CONFIG_BPF_SYSCALL", "the bpf() system call", "this kernel cannot load BPF programs at all; use a kernel built with CONFIG_BPF_SYSCALL=y", true),
            new ConfigFact("CONFIG_DEBUG_INFO_BTF", "kernel BTF (vmlinux.h, CO-RE, tp_btf, fentry)", "CO-RE, tp_btf/fentry and vmlinux.h need it; use a kernel built with CONFIG_DEBUG_INFO_BTF=y", true),
            new ConfigFact("CONFIG_BPF_JIT", "the BPF JIT compiler", "programs run in the interpreter, much slower", false),
            new ConfigFact("CONFIG_BPF_EVENTS", "tracepoint, kprobe and uprobe programs", "tracing programs cannot attach; use a kernel built with CONFIG_BPF_EVENTS=y", false),
            new ConfigFact("CONFIG_KPROBES", "kprobe/kretprobe programs", "kprobe/kretprobe programs cannot attach: use tracepoint/... (or tp_btf/..., fentry/... where allowed) instead", false),
            new ConfigFact("CONFIG_UPROBE_EVENTS", "uprobe/uretprobe programs", "uprobe programs cannot attach; use a kernel built with CONFIG_UPROBE_EVENTS=y", false),
            new ConfigFact("CONFIG_FUNCTION_TRACER", "function tracing (fentry/fexit trampolines)", "fentry/fexit/fmod_ret cannot attach: use tracepoint/... or tp_btf/...", false),
            new ConfigFact("CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS", "BPF trampolines (fentry/fexit)", "fentry/fexit cannot attach: use tracepoint/... or tp_btf/...", false),
            new ConfigFact("CONFIG_BPF_LSM", "lsm/ programs", "lsm/... programs cannot attach; also add 'bpf' to the lsm= boot parameter", false),
            new ConfigFact("CONFIG_CGROUP_BPF", "cgroup programs", "cgroup_skb/, cgroup/... programs cannot attach", false),
            new ConfigFact("CONFIG_NET_CLS_BPF", "tc classifier programs", "tc programs cannot attach", false),
            new ConfigFact("CONFIG_DEBUG_INFO_BTF_MODULES", "module BTF (/sys/kernel/btf/MODULE)", "CO-RE against module types is not possible", false));

    private Doctor() {
    }

    /** Every check, in the order doctor prints them. */
    public static List<Check> run() {
        List<Check> checks = new ArrayList<>();
        String release = KernelRelease.current();
        checks.add(Check.ok("kernel", release));
        checks.add(btf());
        Mounts mounts = Mounts.current();
        checks.add(tracefs(mounts));
        checks.add(bpffs(mounts));
        Capabilities caps = Capabilities.ofCurrentProcess();
        for (Capabilities.Cap cap : Capabilities.RELEVANT) {
            checks.add(capability(caps, cap));
        }
        checks.add(memlock(release));
        checks.add(unprivileged(caps));
        checks.add(lockdown());
        checks.addAll(config());
        checks.add(clang());
        checks.add(headers());
        checks.add(Check.ok("jdk", "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"));
        return List.copyOf(checks);
    }

    private static Check btf() {
        Path vmlinux = Path.of("/sys/kernel/btf/vmlinux");
        if (!Files.isRegularFile(vmlinux)) {
            return Check.fail("btf", "/sys/kernel/btf/vmlinux is missing",
                    "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 5.x are)");
        }
        long modules;
        try (Stream<Path> s = Files.list(vmlinux.getParent())) {
            modules = s.filter(p -> !p.getFileName().toString().equals("vmlinux")).count();
        } catch (IOException e) {
            modules = 0;
        }
        long size;
        try {
            size = Files.size(vmlinux);
        } catch (IOException e) {
            size = -1;
        }
        String readable = Files.isReadable(vmlinux) ? "" : " (not readable by this user)";
        return Check.ok("btf", "/sys/kernel/btf/vmlinux present, " + size + " bytes" + readable + "; " + modules + " module BTF file(s)");
    }

    private static Check tracefs(Mounts mounts) {
        Optional<Path> t = mounts.tracefs();
        return t.map(p -> Check.ok("tracefs", "mounted at " + p))
                .orElseGet(() -> Check.warn("tracefs", "not mounted (bpf_printk output and tracepoint ids live there)",
                        Mounts.MOUNT_TRACEFS));
    }

    private static Check bpffs(Mounts mounts) {
        Optional<Path> b = mounts.bpffs();
        return b.map(p -> Check.ok("bpffs", "mounted at " + p))
                .orElseGet(() -> Check.warn("bpffs", "not mounted (needed to pin programs, maps and links)",
                        "mount -t bpf bpf /sys/fs/bpf (./bpf4j does this itself when run as root)"));
    }

    private static Check capability(Capabilities caps, Capabilities.Cap cap) {
        String name = cap.name().toLowerCase(java.util.Locale.ROOT);
        if (caps.has(cap)) {
            return Check.ok(name, "effective");
        }
        return Check.fail(name, "missing: needed to " + cap.neededFor,
                "run as root (sudo ./bpf4j ...) or grant it: setcap cap_bpf,cap_perfmon,cap_net_admin,cap_sys_admin+ep on the java binary");
    }

    private static Check memlock(String release) {
        String limit = "unknown";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max locked memory")) {
                    String[] f = line.substring("Max locked memory".length()).trim().split("\\s+");
                    limit = f[0];
                }
            }
        } catch (IOException ignored) {
            // reported as unknown
        }
        // Since 5.11 BPF memory is charged to the memory cgroup, not RLIMIT_MEMLOCK.
        if (KernelRelease.versionCode(release) >= KernelRelease.versionCode("5.11")) {
            return Check.ok("memlock", "RLIMIT_MEMLOCK " + limit + " (not used for BPF since 5.11: memory is charged to the cgroup)");
        }
        if (limit.equals("unlimited")) {
            return Check.ok("memlock", "RLIMIT_MEMLOCK unlimited");
        }
        return Check.warn("memlock", "RLIMIT_MEMLOCK " + limit + " bytes: kernels before 5.11 charge BPF maps to it",
                "ulimit -l unlimited (as root) before running bpf4j");
    }

    private static Check unprivileged(Capabilities caps) {
        String v;
        try {
            v = Files.readString(Path.of("/proc/sys/kernel/unprivileged_bpf_disabled")).strip();
        } catch (IOException e) {
            return Check.warn("unprivileged_bpf", "/proc/sys/kernel/unprivileged_bpf_disabled unreadable", "check that /proc is mounted");
        }
        if (v.equals("0")) {
            return Check.ok("unprivileged_bpf", "0: unprivileged users may load socket filters");
        }
        String detail = v + ": only privileged users (CAP_BPF or root) may call bpf()";
        return caps.has(Capabilities.Cap.CAP_BPF) || caps.has(Capabilities.Cap.CAP_SYS_ADMIN)
                ? Check.ok("unprivileged_bpf", detail)
                : Check.fail("unprivileged_bpf", detail, "run bpf4j as root (sudo ./bpf4j ...)");
    }

    private static Check lockdown() {
        Path p = Path.of("/sys/kernel/security/lockdown");
        String mode = null;
        try {
            if (Files.isReadable(p)) {
                String s = Files.readString(p);
                int open = s.indexOf('['), close = s.indexOf(']');
                mode = open >= 0 && close > open ? s.substring(open + 1, close) : s.strip();
            }
        } catch (IOException ignored) {
            // securityfs not mounted: fall back to the config
        }
        if (mode == null) {
            KernelConfig cfg = KernelConfig.running();
            if (cfg.enabled("CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY")) {
                mode = "confidentiality";
            } else if (cfg.enabled("CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY")) {
                mode = "integrity";
            } else {
                mode = "none";
            }
            mode += " (from the kernel config; securityfs is not mounted)";
        }
        if (mode.startsWith("confidentiality")) {
            return Check.warn("lockdown", mode + ": bpf_probe_read of kernel memory and bpf_printk-like reads are refused",
                    "boot with lockdown=integrity or none for tracing programs that read kernel memory");
        }
        return Check.ok("lockdown", mode);
    }

    private static List<Check> config() {
        KernelConfig cfg = KernelConfig.running();
        if (!cfg.available()) {
            return List.of(Check.warn("kconfig", "no /proc/config.gz and no /boot/config-" + KernelRelease.current(),
                    "modprobe configs (for /proc/config.gz) or install the kernel's config file in /boot"));
        }
        List<Check> out = new ArrayList<>();
        for (ConfigFact f : CONFIG_FACTS) {
            Optional<String> v = cfg.value(f.option());
            String shown = f.option() + "=" + v.orElse("(absent)");
            if (cfg.enabled(f.option())) {
                out.add(Check.ok(f.option(), shown + ": " + f.gives()));
            } else if (f.required()) {
                out.add(Check.fail(f.option(), shown + ": no " + f.gives(), f.ifMissing()));
            } else {
                out.add(Check.warn(f.option(), shown + ": no " + f.gives(), f.ifMissing()));
            }
        }
        return out;
    }

    private static Check clang() {
        Optional<Clang> c = Clang.find();
        if (c.isEmpty()) {
            return Check.fail("clang", "not found on the PATH", "apt-get install clang-19 llvm-19 (./bpf4j installs it when run as root)");
        }
        return Check.ok("clang", c.get().executable() + " version " + c.get().version());
    }

    private static Check headers() {
        return BpfHeaders.find().map(p -> Check.ok("bpf-headers", p.resolve("bpf/bpf_helpers.h").toString()))
                .orElseGet(() -> Check.fail("bpf-headers", "bpf/bpf_helpers.h not found",
                        "apt-get install libbpf-dev (./bpf4j installs it when run as root)"));
    }
}

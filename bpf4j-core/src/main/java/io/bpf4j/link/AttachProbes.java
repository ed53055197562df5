package io.bpf4j.link;

import io.bpf4j.asm.Instruction;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.host.Check;
import io.bpf4j.btf.KernelBtf;
import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.KernelFeatures;
import io.bpf4j.sys.LinkCreateAttr;
import io.bpf4j.sys.Os;
import io.bpf4j.sys.PerfEvent;
import io.bpf4j.sys.PerfEventAttr;
import io.bpf4j.sys.ProgLoadAttr;
import io.bpf4j.sys.ProgType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Doctor's lines for program types and attach kinds, each decided by really loading a
 * two-instruction program and, where it is harmless, attaching it for a moment and detaching.
 */
public final class AttachProbes {
    private static final String FALLBACK = "use tracepoint/CATEGORY/NAME or tp_btf/NAME instead";

    private AttachProbes() {
    }

    public static List<Check> run() {
        List<Check> out = new ArrayList<>();
        for (ProgType t : ProgType.values()) {
            if (t == ProgType.UNSPEC || t == ProgType.EXT || t == ProgType.STRUCT_OPS || t == ProgType.LSM) {
                continue; // these load only against a target (a program, a struct_ops map, an LSM hook): see the attach lines
            }
            String name = "prog " + t.name().toLowerCase(java.util.Locale.ROOT);
            out.add(KernelFeatures.progType(t) ? Check.ok(name, "loads")
                    : Check.warn(name, "this kernel does not load " + t.name() + " programs", "not available on this kernel"));
        }
        out.add(probe("attach tracepoint", () -> {
            try (Fd p = load(ProgType.TRACEPOINT, null, 0, 0);
                 Fd ev = PerfEvent.open(PerfEventAttr.tracepoint(Tracefs.tracepointId("syscalls", "sys_enter_getppid")), -1, 0, -1, 0);
                 Fd l = Bpf.linkCreate(new LinkCreateAttr(p, ev.value(), AttachType.PERF_EVENT, 0, new LinkCreateAttr.PerfEvent(0)))) {
                return "attached to syscalls/sys_enter_getppid through a perf event link";
            }
        }, "mount tracefs; tracepoints need CONFIG_BPF_EVENTS"));
        out.add(probe("attach raw_tp", () -> {
            try (Fd p = load(ProgType.RAW_TRACEPOINT, null, 0, 0); Fd l = Bpf.rawTracepointOpen("sys_enter", p)) {
                return "attached to sys_enter";
            }
        }, "use tracepoint/CATEGORY/NAME"));
        out.add(probe("attach tp_btf", () -> {
            int id = KernelBtf.vmlinux().findId("btf_trace_sys_enter", BtfKind.TYPEDEF).orElseThrow();
            try (Fd p = load(ProgType.TRACING, AttachType.TRACE_RAW_TP, id, 0); Fd l = Bpf.rawTracepointOpen(null, p)) {
                return "attached to sys_enter through BTF";
            }
        }, "use tracepoint/CATEGORY/NAME or raw_tp/NAME"));
        out.add(fentry());
        out.add(probe("attach lsm", () -> {
            int id = KernelBtf.vmlinux().findId("bpf_lsm_file_open", BtfKind.FUNC).orElseThrow(
                    () -> new AttachException("no bpf_lsm_file_open in the kernel's BTF (CONFIG_BPF_LSM off)"));
            try (Fd p = load(ProgType.LSM, AttachType.LSM_MAC, id, 0); Fd l = Bpf.rawTracepointOpen(null, p)) {
                // Attaching works without the BPF LSM active; the hook just never calls the program.
                BpfLsm.activeList().flatMap(BpfLsm::whyInactive).ifPresent(why -> {
                    throw new AttachException(why);
                });
                return "lsm/file_open loaded and attached (allow-all) for a moment";
            }
        }, "lsm programs need CONFIG_BPF_LSM=y, 'bpf' in the lsm= boot parameter and BPF trampolines (refused like fentry here)"));
        out.add(kprobe());
        out.add(probe("attach uprobe", () -> {
            int pmuType = Uprobes.pmuType("the probe");
            Path libc = libc();
            long off = Uprobes.fileOffset(libc, "getppid");
            try (Fd p = load(ProgType.KPROBE, null, 0, 0);
                 Fd ev = PerfEvent.open(PerfEventAttr.probe(pmuType, libc.toString(), off, false), -1, 0, -1, 0)) {
                return "attached to " + libc + ":getppid";
            }
        }, "uprobes need CONFIG_UPROBE_EVENTS"));
        out.add(probe("attach usdt", () -> {
            // No binary with USDT probes can be counted on; check what attaching one needs instead.
            Uprobes.pmuType("a usdt program");
            int shift = Uprobes.refCtrShift("a USDT probe");
            if (!KernelFeatures.bpfCookies()) {
                throw new AttachException("no BPF cookies on perf event links (Linux 5.15+), which carry each call site's "
                        + "argument spec to usdt.bpf.h");
            }
            return "uprobes with semaphores (ref_ctr_offset at config bit " + shift + ") and BPF cookies";
        }, "usdt programs need CONFIG_UPROBE_EVENTS and Linux 5.15+"));
        out.add(probe("attach xdp", () -> {
            try (Fd p = load(ProgType.XDP, AttachType.XDP, 0, 2);
                 Fd l = Bpf.linkCreate(new LinkCreateAttr(p, Interfaces.index("lo"), AttachType.XDP, 0, null))) {
                return "attached to lo (generic mode) for a moment";
            }
        }, "XDP needs CONFIG_XDP_SOCKETS/a driver; generic mode works on any interface"));
        out.add(probe("attach tcx", () -> {
            try (Fd p = load(ProgType.SCHED_CLS, null, 0, 0);
                 Fd l = Bpf.linkCreate(new LinkCreateAttr(p, Interfaces.index("lo"), AttachType.TCX_INGRESS, 0, new LinkCreateAttr.Tcx(0, 0)))) {
                return "attached to lo ingress for a moment";
            }
        }, "tcx links need Linux 6.6+"));
        out.add(probe("attach cgroup", () -> {
            try (Fd p = load(ProgType.CGROUP_SKB, AttachType.CGROUP_INET_INGRESS, 0, 1);
                 Fd cg = Os.open(cgroup2(), Os.O_RDONLY | Os.O_DIRECTORY);
                 Fd l = Bpf.linkCreate(new LinkCreateAttr(p, cg.value(), AttachType.CGROUP_INET_INGRESS, 0, null))) {
                return "attached cgroup_skb/ingress (allow-all) to " + cgroup2() + " for a moment";
            }
        }, "cgroup programs need the cgroup v2 hierarchy: mount -t cgroup2 none /sys/fs/cgroup"));
        out.add(probe("attach sockmap", () -> {
            try (Fd map = Bpf.mapCreate(io.bpf4j.sys.MapCreateAttr.of(io.bpf4j.sys.MapType.SOCKMAP, 4, 4, 1));
                 Fd p = load(ProgType.SK_MSG, AttachType.SK_MSG_VERDICT, 0, 1)) {
                try (Fd l = Bpf.linkCreate(new LinkCreateAttr(p, map.value(), AttachType.SK_MSG_VERDICT, 0, null))) {
                    return "sk_msg linked to a new, empty sockmap";
                } catch (BpfException.InvalidArgument | BpfException.NotSupported e) {
                    // Before Linux 6.10 a sockmap takes its programs with BPF_PROG_ATTACH, as Sockmaps does.
                    Bpf.progAttach(map.value(), p, AttachType.SK_MSG_VERDICT, 0);
                    return "sk_msg attached to a new, empty sockmap (BPF_PROG_ATTACH: no sockmap links before Linux 6.10)";
                }
            }
        }, "sk_msg/sk_skb need CONFIG_BPF_STREAM_PARSER; links on sockmaps need Linux 6.10+ (older kernels: BPF_PROG_ATTACH)"));
        out.add(probe("attach netns", () -> {
            try (Fd p = load(ProgType.SK_LOOKUP, AttachType.SK_LOOKUP, 0, 1);
                 Fd ns = Os.open(Path.of("/proc/self/ns/net"), Os.O_RDONLY);
                 Fd l = Bpf.linkCreate(new LinkCreateAttr(p, ns.value(), AttachType.SK_LOOKUP, 0, null))) {
                return "sk_lookup (pass-all) attached to this network namespace for a moment";
            }
        }, "sk_lookup needs Linux 5.9+, flow_dissector links 5.8+"));
        out.add(probe("attach netfilter", () -> {
            try (Fd p = load(ProgType.NETFILTER, AttachType.NETFILTER, 0, 1);
                 Fd l = Bpf.linkCreate(new LinkCreateAttr(p, 0, AttachType.NETFILTER, 0, new LinkCreateAttr.Netfilter(2, 3, 0, 0)))) {
                return "accept-all program on ipv4:output for a moment";
            }
        }, "netfilter links need Linux 6.4+ with CONFIG_NETFILTER_BPF_LINK"));
        return out;
    }

    private static Check fentry() {
        String name = "attach fentry";
        try {
            int id = KernelBtf.vmlinux().findId("do_exit", BtfKind.FUNC).orElseThrow();
            try (Fd p = load(ProgType.TRACING, AttachType.TRACE_FENTRY, id, 0); Fd l = Bpf.rawTracepointOpen(null, p)) {
                return Check.ok(name, "fentry/do_exit loaded and attached");
            }
        } catch (BpfException.PermissionDenied e) {
            return Check.warn(name, "refused: the kernel answers EPERM to fentry/fexit/fmod_ret even for root (BPF trampolines disabled)", FALLBACK);
        } catch (RuntimeException e) {
            return Check.warn(name, "fails: " + e.getMessage(), FALLBACK);
        }
    }

    private static Check kprobe() {
        String name = "attach kprobe";
        if (!Attacher.kprobesAvailable()) {
            return Check.warn(name, Attacher.whyNoKprobes(), FALLBACK + " (e.g. tracepoint/sched/sched_process_exit for do_exit)");
        }
        return probe(name, () -> {
            try (Fd p = load(ProgType.KPROBE, null, 0, 0);
                 Fd ev = PerfEvent.open(PerfEventAttr.probe(Attacher.readInt(Attacher.KPROBE_PMU), "do_exit", 0, false), -1, 0, -1, 0)) {
                return "kprobe on do_exit opened";
            }
        }, FALLBACK);
    }

    private static Path cgroup2() {
        return io.bpf4j.host.Mounts.current().cgroup2().orElseThrow(() -> new AttachException("cgroup v2 is not mounted"));
    }

    private static Path libc() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64")) {
            Path p = Path.of(dir, "libc.so.6");
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new AttachException("libc.so.6 not found");
    }

    private static Check probe(String name, Supplier<String> body, String fix) {
        try {
            return Check.ok(name, body.get());
        } catch (BpfException.PermissionDenied e) {
            return Check.warn(name, "refused: the kernel answers EPERM even though bpf4j runs with CAP_BPF and CAP_SYS_ADMIN "
                    + "(" + e.command() + ")", fix);
        } catch (RuntimeException e) {
            return Check.warn(name, "fails: " + e.getMessage(), fix);
        }
    }

    /** {@code r0 = ret; exit}, loaded with the attach type and target the kind needs. */
    private static Fd load(ProgType type, AttachType expected, int attachBtfId, int ret) {
        ProgLoadAttr a = ProgLoadAttr.of(type, Instruction.encode(Instruction.mov64(0, ret), Instruction.exit()), "GPL");
        if (expected != null) {
            a = a.withExpectedAttachType(expected);
        }
        if (attachBtfId != 0) {
            a = a.withAttachTarget(attachBtfId, 0);
        }
        return Bpf.progLoad(a);
    }
}

package io.bpf4j.link;

import io.bpf4j.host.KernelConfig;
import io.bpf4j.host.SyscallEntry;
import io.bpf4j.load.BpfProgram;
import io.bpf4j.load.TargetFunction;
import io.bpf4j.spec.AttachKind;
import io.bpf4j.spec.ProgramSpec;
import io.bpf4j.spec.SectionDef;
import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.LinkCreateAttr;
import io.bpf4j.sys.PerfEvent;
import io.bpf4j.sys.PerfEventAttr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Attaches loaded programs where their section names say (auto-attach), or to the target a user
 * names for the kinds that need one (an interface, a cgroup). One method per mechanism; each failure
 * says why and what to use instead.
 */
public final class Attacher {
    private Attacher() {
    }

    /** True when the program attaches from its section name alone. */
    public static boolean autoAttachable(BpfProgram p) {
        SectionDef def = p.spec().def().orElseThrow();
        // struct_ops programs run once their map is registered (StructOps.register), not by attaching them.
        return def.attachKind() != AttachKind.NONE && def.attachKind() != AttachKind.STRUCT_OPS && !def.attachKind().needsTarget()
                && (!p.spec().attachTarget().isEmpty() || def.attachKind() == AttachKind.TRACING
                || def.attachKind() == AttachKind.LSM || def.attachKind() == AttachKind.ITER);
    }

    /** Attaches from the section name, e.g. SEC("tracepoint/sched/sched_process_exit"). */
    public static Link attach(BpfProgram p) {
        return attach(p, Optional.empty());
    }

    /** Attaches, to {@code target} when given (interface, cgroup path, binary:symbol, binary:provider:name for USDT), else per the section name. */
    public static Link attach(BpfProgram p, Optional<String> target) {
        return attach(p, target, ALL_PROCESSES);
    }

    /** For {@code pid}: every process. */
    public static final int ALL_PROCESSES = -1;

    /**
     * Attaches as {@link #attach(BpfProgram, Optional)} does; a uprobe fires only in process {@code pid}
     * unless that is {@link #ALL_PROCESSES} (other kinds are not per process and take no pid).
     */
    public static Link attach(BpfProgram p, Optional<String> target, int pid) {
        if (pid != ALL_PROCESSES && pid <= 0) {
            throw new AttachException("program " + p.name() + ": " + pid + " is not a process id; give the pid of a running "
                    + "process (see ps), or none for every process");
        }
        ProgramSpec spec = p.spec();
        SectionDef def = spec.def().orElseThrow();
        String where = target.orElse(spec.attachTarget());
        return switch (def.attachKind()) {
            case TRACEPOINT -> tracepoint(p, where);
            case RAW_TRACEPOINT -> rawTracepoint(p, where);
            case TRACING, LSM -> tracing(p, def);
            case KPROBE, KSYSCALL -> kprobe(p, spec, where);
            case KPROBE_MULTI -> KprobeMulti.attach(p, spec, where);
            case UPROBE -> Uprobes.attach(p, spec, where, pid);
            case UPROBE_MULTI -> Uprobes.attachMulti(p, spec, where, pid);
            case USDT -> Usdt.attach(p, where, pid);
            case XDP -> xdp(p, requireTarget(p, target, "an interface, e.g. --attach " + p.name() + "=eth0 (or eth0:skb, :drv, :hw for the mode)"));
            case SOCKET_FILTER -> socketFilter(p, requireTarget(p, target, "an interface whose frames it filters, e.g. --attach " + p.name() + "=eth0"));
            case TCX, TC -> tcx(p, def, requireTarget(p, target, "an interface, e.g. --attach " + p.name() + "=eth0"));
            case CGROUP -> cgroup(p, def, requireTarget(p, target, "a cgroup directory, e.g. --attach " + p.name() + "=/sys/fs/cgroup/mygroup"));
            case PERF_EVENT -> PerfEvents.attach(p, requireTarget(p, target, "a software event, e.g. --attach " + p.name() + "=cpu-clock:99"));
            case ITER -> iterator(p);
            case SK_MSG, SK_SKB -> Sockmaps.attach(p, requireTarget(p, target, "the sockmap or sockhash whose sockets it serves: "
                    + "a map of its object or a pinned map, e.g. --attach " + p.name() + "=sock_map"));
            case FLOW_DISSECTOR, SK_LOOKUP -> Netns.attach(p, requireTarget(p, target, "a network namespace, e.g. --attach "
                    + p.name() + "=/proc/self/ns/net (the current one) or a name from 'ip netns list'"));
            case NETFILTER -> Netfilter.attach(p, requireTarget(p, target, "a netfilter hook, e.g. --attach " + p.name() + "=ipv4:input"));
            case NETKIT -> netkit(p, def, requireTarget(p, target, "a netkit interface, e.g. --attach " + p.name() + "=nk0"));
            case LIRC -> lirc(p, requireTarget(p, target, "an infrared receiver device, e.g. --attach " + p.name() + "=/dev/lirc0"));
            case FREPLACE -> freplace(p);
            case LWT, SK_REUSEPORT -> throw new AttachException(whyNotAttachable(p).orElseThrow());
            case STRUCT_OPS -> throw new AttachException("program " + p.name() + " (" + spec.section() + ") is an operation of "
                    + "struct_ops map " + String.join(", ", p.structOpsMaps().stream().map(m -> m.name()).toList()) + ": register the map "
                    + "instead (Attacher.attach(map) or StructOps.register(map); bpf4j run does it), and the kernel calls the program");
            case NONE -> throw new AttachException("program " + p.name() + " (" + spec.section()
                    + ") is not attached to a hook: run it with 'bpf4j test-run' or from another program");
        };
    }

    /** Registers a struct_ops map: see {@link StructOps#register}. */
    public static Link attach(io.bpf4j.load.BpfMap structOpsMap) {
        return StructOps.register(structOpsMap);
    }

    /**
     * Why bpf4j leaves a loaded program unattached, with what attaches it instead, for the kinds that
     * something other than bpf4j attaches (iproute2, the application), and for struct_ops programs whose map is
     * not registered; empty for the rest.
     */
    public static Optional<String> whyNotAttachable(BpfProgram p) {
        String who = "program " + p.name() + " (" + p.spec().section() + ")";
        return Optional.ofNullable(switch (p.spec().def().orElseThrow().attachKind()) {
            case LWT -> who + " runs for the packets of a route, which iproute2 sets up: pin it with 'bpf4j prog load OBJ "
                    + "/sys/fs/bpf/DIR', then " + lwtRoute(p);
            case SK_REUSEPORT -> who + " is attached by the application that owns the reuseport sockets, with setsockopt(fd, "
                    + "SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog_fd); pin it with 'bpf4j prog load' so the application can "
                    + "fetch it";
            case STRUCT_OPS -> p.structOpsMaps().stream().anyMatch(StructOps::isRegistered) ? null
                    : who + " is an operation of struct_ops map " + String.join(", ", p.structOpsMaps().stream().map(m -> m.name()).toList())
                    + ", which is not registered: register the map (StructOps.register; bpf4j run registers every struct_ops map)";
            default -> null;
        });
    }

    private static String requireTarget(BpfProgram p, Optional<String> target, String what) {
        return target.orElseThrow(() -> new AttachException("program " + p.name() + " (" + p.spec().section()
                + ") needs a target to attach to: " + what));
    }

    static Link tracepoint(BpfProgram p, String where) {
        int slash = where.indexOf('/');
        if (slash <= 0 || slash == where.length() - 1) {
            throw new AttachException("program " + p.name() + ": '" + where + "' is not CATEGORY/NAME; write the section as "
                    + "SEC(\"tracepoint/sched/sched_process_exit\")");
        }
        long id = Tracefs.tracepointId(where.substring(0, slash), where.substring(slash + 1));
        Fd event = PerfEvent.open(PerfEventAttr.tracepoint(id), -1, 0, -1, 0);
        return perfEventLink(p, event, "tracepoint " + where);
    }

    /** BPF_LINK_CREATE on the perf event where the kernel has it (5.15+), PERF_EVENT_IOC_SET_BPF otherwise. */
    static Link perfEventLink(BpfProgram p, Fd event, String description) {
        return perfEventLink(p, event, description, List.of(), null);
    }

    /**
     * @param afterEvent what is undone once the perf event is closed (a tracefs event definition)
     * @param unpinnable why the link cannot outlive bpf4j, or null
     */
    static Link perfEventLink(BpfProgram p, Fd event, String description, List<AutoCloseable> afterEvent, String unpinnable) {
        // Link closes the owned list last to first: the event, then what comes after it.
        List<AutoCloseable> owned = new java.util.ArrayList<>(afterEvent);
        owned.add(event);
        try {
            Fd link = Bpf.linkCreate(new LinkCreateAttr(p.fd(), event.value(), AttachType.PERF_EVENT, 0, new LinkCreateAttr.PerfEvent(0)));
            return new Link(p, description, List.of(link), owned, unpinnable);
        } catch (BpfException.InvalidArgument | BpfException.NotSupported e) {
            try {
                PerfEvent.setBpf(event, p.fd());
                PerfEvent.enable(event);
                return new Link(p, description, List.of(), owned, unpinnable);
            } catch (RuntimeException again) {
                event.close();
                throw again;
            }
        } catch (RuntimeException e) {
            event.close();
            throw e;
        }
    }

    static Link rawTracepoint(BpfProgram p, String name) {
        try {
            return new Link(p, "raw tracepoint " + name, Bpf.rawTracepointOpen(name, p.fd()), List.of());
        } catch (BpfException.NotFound e) {
            throw new AttachException("program " + p.name() + ": there is no raw tracepoint '" + name
                    + "' (raw tracepoints are named without a category, e.g. raw_tp/sched_switch)", e);
        }
    }

    /** fentry/fexit/fmod_ret/tp_btf/lsm: the target was fixed at load (attach_btf_id, and attach_prog_fd for a program's function). */
    static Link tracing(BpfProgram p, SectionDef def) {
        if (def.attachKind() == AttachKind.LSM) {
            BpfLsm.requireActive(p);
        }
        Optional<TargetFunction> target = p.targetFunction();
        if (target.isPresent() && !p.takeLoadTimeTarget()) {
            throw new AttachException("program " + p.name() + " (" + p.spec().section() + ") was attached to "
                    + target.get().describe() + " once already: the kernel attaches " + def.prefix() + " on a BPF program "
                    + "once per load; load the object again to attach it again");
        }
        String what = target.map(TargetFunction::describe).orElse(p.spec().attachTarget());
        try {
            return new Link(p, def.prefix() + " " + what, Bpf.rawTracepointOpen(null, p.fd()), List.of());
        } catch (BpfException.PermissionDenied | BpfException.NotSupported e) {
            throw new AttachException("program " + p.name() + " (" + p.spec().section() + "): this kernel refuses to attach "
                    + def.prefix() + " programs (" + e.getMessage() + ")" + (target.isPresent() ? ""
                    : "; use tracepoint/CATEGORY/NAME or raw_tp/NAME instead"), e);
        }
    }

    /**
     * freplace: a link that puts the program in place of the function it was loaded against. The
     * target is named again (target_fd, target_btf_id): the kernel forgets the load-time target at the
     * first attach, and an extension attaches again only to a named one.
     */
    static Link freplace(BpfProgram p) {
        TargetFunction t = p.targetFunction().orElseThrow(() -> new IllegalStateException(p.name() + " loaded without a target"));
        // attach_type is not read for extensions: 0, as the program's own expected_attach_type.
        Fd link;
        try {
            link = Bpf.linkCreate(new LinkCreateAttr(p.fd(), t.program().value(), AttachType.CGROUP_INET_INGRESS, 0,
                    new LinkCreateAttr.Tracing(t.btfId(), 0)));
        } catch (BpfException e) {
            throw new AttachException("program " + p.name() + " cannot replace " + t.describe() + " (" + e.getMessage() + ")"
                    + (e.errno() == io.bpf4j.sys.Errno.EBUSY ? ": another program already replaces or traces that function; "
                    + "detach it first (bpftool link show lists the links)" : ""), e);
        }
        return new Link(p, "freplace " + t.describe(), link, List.of());
    }

    /** The kprobe PMU's type number lives here; without it the kernel cannot attach kprobes. */
    static final Path KPROBE_PMU = Path.of("/sys/bus/event_source/devices/kprobe/type");

    /** True when this kernel can attach kprobes. */
    public static boolean kprobesAvailable() {
        return Files.exists(KPROBE_PMU);
    }

    /** Why kprobes are missing, for messages: the kernel config when it says, else the missing PMU. */
    static String whyNoKprobes() {
        return KernelConfig.running().available() && !KernelConfig.running().enabled("CONFIG_KPROBES")
                ? "this kernel is built without CONFIG_KPROBES"
                : "this kernel has no kprobe PMU (/sys/bus/event_source/devices/kprobe)";
    }

    static Link kprobe(BpfProgram p, ProgramSpec spec, String where) {
        boolean ret = spec.sectionName().startsWith("kretprobe") || spec.sectionName().startsWith("kretsyscall");
        boolean legacy = !kprobesAvailable() && TracefsKprobes.available();
        if (!kprobesAvailable() && !legacy) {
            throw new AttachException("kprobes are not available: " + whyNoKprobes() + "; program " + p.name() + " ("
                    + spec.section() + ") cannot attach. Use tracepoint/CATEGORY/NAME or tp_btf/NAME instead "
                    + "(e.g. tracepoint/sched/sched_process_exit for do_exit)");
        }
        String symbol = where;
        long offset = 0;
        int plus = where.indexOf('+');
        if (plus > 0) {
            symbol = where.substring(0, plus);
            offset = Long.decode(where.substring(plus + 1));
        }
        boolean syscall = spec.sectionName().startsWith("ksyscall") || spec.sectionName().startsWith("kretsyscall");
        if (syscall) {
            symbol = SyscallEntry.function(symbol);
        }
        String description = syscall ? (ret ? "kretsyscall " : "ksyscall ") + where + " (" + symbol + ")"
                : (ret ? "kretprobe " : "kprobe ") + where;
        if (legacy) {
            return TracefsKprobes.attach(p, symbol, offset, ret, description);
        }
        int type = readInt(KPROBE_PMU);
        Fd event;
        try {
            event = PerfEvent.open(PerfEventAttr.probe(type, symbol, offset, ret), -1, 0, -1, 0);
        } catch (BpfException.NotFound e) {
            // The kprobe PMU answers ENOENT when kallsyms has no such symbol (a typo, a function
            // inlined or renamed by the compiler, or one in a module that is not loaded).
            throw new AttachException("program " + p.name() + " (" + spec.section() + "): the kernel has no function '"
                    + symbol + "' to put a " + (ret ? "kretprobe" : "kprobe") + " on; check the name in /proc/kallsyms "
                    + "(static functions may be inlined, or renamed like NAME.isra.0; a module's functions exist "
                    + "only while it is loaded)", e);
        }
        return perfEventLink(p, event, description);
    }

    /** An iterator link (iter/task, iter/bpf_map, ...): {@link #runIterator} runs it. */
    static Link iterator(BpfProgram p) {
        Fd link = Bpf.linkCreate(new LinkCreateAttr(p.fd(), 0, AttachType.TRACE_ITER, 0, null));
        return new Link(p, "iterator " + p.spec().attachTarget(), link, List.of());
    }

    /** Runs an iterator once over everything it walks and returns what its program wrote (bpf_seq_printf). */
    public static String runIterator(Link iterator) {
        try (Fd reader = Bpf.iterCreate(iterator.fd())) {
            return new String(io.bpf4j.sys.Os.readAll(reader), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static int readInt(Path file) {
        try {
            return Integer.parseInt(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            throw new AttachException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** XDP_FLAGS_*_MODE of linux/if_link.h; no flag lets the kernel pick (native when the driver can). */
    private static final java.util.Map<String, Integer> XDP_MODES = java.util.Map.of("skb", 1 << 1, "drv", 1 << 2, "hw", 1 << 3);

    /** XDP on INTERFACE or INTERFACE:MODE (skb = generic, drv = native, hw = offloaded). */
    static Link xdp(BpfProgram p, String target) {
        int colon = target.lastIndexOf(':');
        String iface = colon > 0 ? target.substring(0, colon) : target;
        int flags = 0;
        if (colon > 0) {
            Integer mode = XDP_MODES.get(target.substring(colon + 1));
            if (mode == null) {
                throw new AttachException("program " + p.name() + ": XDP mode '" + target.substring(colon + 1)
                        + "' is not one of skb (generic), drv (native), hw (offloaded)");
            }
            flags = mode;
        }
        int ifindex = Interfaces.index(iface);
        try {
            Fd link = Bpf.linkCreate(new LinkCreateAttr(p.fd(), ifindex, AttachType.XDP, flags, null));
            return new Link(p, "xdp on " + iface + (colon > 0 ? " (" + target.substring(colon + 1) + " mode)" : ""), link, List.of());
        } catch (BpfException.NotSupported | BpfException.InvalidArgument e) {
            throw new AttachException("program " + p.name() + ": " + iface + " refuses XDP in "
                    + (colon > 0 ? target.substring(colon + 1) : "the default") + " mode (" + e.getMessage()
                    + "); try " + iface + ":skb, the generic mode every interface has", e);
        }
    }

    /** A socket filter on an AF_PACKET socket bound to the interface: the program sees its every frame. */
    static Link socketFilter(BpfProgram p, String iface) {
        Fd sock = io.bpf4j.sys.PacketSocket.attach(p.fd(), Interfaces.index(iface));
        return new Link(p, "packet socket on " + iface, null, List.of(sock));
    }

    static Link tcx(BpfProgram p, SectionDef def, String iface) {
        int ifindex = Interfaces.index(iface);
        AttachType at = def.attachType() != null ? def.attachType() : AttachType.TCX_INGRESS;
        try {
            Fd link = Bpf.linkCreate(new LinkCreateAttr(p.fd(), ifindex, at, 0, new LinkCreateAttr.Tcx(0, 0)));
            return new Link(p, (at == AttachType.TCX_EGRESS ? "tc egress on " : "tc ingress on ") + iface, link, List.of());
        } catch (BpfException.InvalidArgument e) {
            throw new AttachException("program " + p.name() + ": this kernel has no tcx links (Linux 6.6+) for " + iface, e);
        }
    }

    /** The iproute2 command that puts a pinned lwt program on a route. */
    private static String lwtRoute(BpfProgram p) {
        String pinned = "pinned /sys/fs/bpf/DIR/" + p.name();
        String hook = p.spec().sectionName().substring("lwt_".length());
        return hook.equals("seg6local")
                ? "'ip -6 route add PREFIX encap seg6local action End.BPF endpoint " + pinned + " dev IFACE'"
                : "'ip route add PREFIX encap bpf " + hook + " " + pinned + " dev IFACE'";
    }

    /** netkit (Linux 6.7+): like tcx, on the primary or the peer device of a netkit pair. */
    static Link netkit(BpfProgram p, SectionDef def, String iface) {
        int ifindex = Interfaces.index(iface);
        try {
            // The netkit member of link_create has the same layout as tcx's: relative fd, expected revision.
            Fd link = Bpf.linkCreate(new LinkCreateAttr(p.fd(), ifindex, def.attachType(), 0, new LinkCreateAttr.Tcx(0, 0)));
            return new Link(p, def.prefix() + " on " + iface, link, List.of());
        } catch (BpfException.InvalidArgument | BpfException.NotSupported | BpfException.NotFound e) {
            throw new AttachException("program " + p.name() + ": " + iface + " is not a netkit device, or this kernel has "
                    + "no netkit (Linux 6.7+, CONFIG_NETKIT); create a pair with: ip link add nk0 type netkit (" + e.getMessage() + ")", e);
        }
    }

    /** lirc_mode2: BPF_PROG_ATTACH to the receiver's /dev/lircN, detached when the link closes. */
    static Link lirc(BpfProgram p, String device) {
        if (!Files.exists(Path.of(device))) {
            throw new AttachException("program " + p.name() + ": there is no infrared receiver " + device
                    + "; list them with: ls /dev/lirc* (the kernel needs CONFIG_BPF_LIRC_MODE2 and an rc driver)");
        }
        Fd dev = io.bpf4j.sys.Os.open(Path.of(device), io.bpf4j.sys.Os.O_RDONLY);
        try {
            Bpf.progAttach(dev.value(), p.fd(), AttachType.LIRC_MODE2, 0);
        } catch (RuntimeException e) {
            dev.close();
            throw new AttachException("program " + p.name() + ": " + device + " refused a lirc_mode2 program: " + e.getMessage(), e);
        }
        AutoCloseable detach = () -> Bpf.progDetach(dev.value(), p.fd(), AttachType.LIRC_MODE2);
        return new Link(p, "lirc_mode2 on " + device, null, List.of(dev, detach));
    }

    static Link cgroup(BpfProgram p, SectionDef def, String cgroupPath) {
        Path dir = Path.of(cgroupPath);
        if (!Files.isDirectory(dir)) {
            throw new AttachException("program " + p.name() + ": cgroup " + cgroupPath + " is not a directory; give a cgroup v2 "
                    + "directory such as /sys/fs/cgroup or one below it");
        }
        if (def.attachType() == AttachType.LSM_CGROUP) {
            BpfLsm.requireActive(p);
        }
        try (Fd cg = io.bpf4j.sys.Os.open(dir, io.bpf4j.sys.Os.O_RDONLY | io.bpf4j.sys.Os.O_DIRECTORY)) {
            Fd link = Bpf.linkCreate(new LinkCreateAttr(p.fd(), cg.value(), def.attachType(), 0, null));
            return new Link(p, def.prefix() + " on cgroup " + cgroupPath, link, List.of());
        }
    }
}

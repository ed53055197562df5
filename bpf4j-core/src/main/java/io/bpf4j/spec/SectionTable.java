package io.bpf4j.spec;

import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.ProgType;


import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.bpf4j.spec.AttachKind.*;

/**
 * The table that turns a {@code SEC("...")} name into a program type and an expected attach type,
 * following the table libbpf documents (Documentation/bpf/libbpf/program_types.rst): the same names
 * mean the same thing to bpf4j as to libbpf, so one source file serves both. Rows are matched in
 * order, so the more specific names (xdp.frags/devmap) stand before the general ones (xdp).
 */
public final class SectionTable {
    private static final List<SectionDef> ROWS = new ArrayList<>();

    private static void exact(String name, ProgType pt, AttachType at, boolean atLoad, AttachKind kind) {
        ROWS.add(new SectionDef(name, false, pt, at, atLoad, false, false, false, kind));
    }

    private static void plus(String name, ProgType pt, AttachType at, boolean atLoad, AttachKind kind) {
        ROWS.add(new SectionDef(name, true, pt, at, atLoad, false, false, false, kind));
    }

    private static void sleepable(String name, ProgType pt, AttachType at, boolean btf, AttachKind kind) {
        ROWS.add(new SectionDef(name, true, pt, at, at != null, btf, true, false, kind));
    }

    private static void btf(String name, ProgType pt, AttachType at, AttachKind kind) {
        ROWS.add(new SectionDef(name, true, pt, at, true, true, false, false, kind));
    }

    static {
        ProgType p;
        exact("socket", ProgType.SOCKET_FILTER, null, false, SOCKET_FILTER);
        exact("sk_reuseport/migrate", ProgType.SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT_OR_MIGRATE, true, SK_REUSEPORT);
        exact("sk_reuseport", ProgType.SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT, true, SK_REUSEPORT);

        p = ProgType.KPROBE;
        plus("kprobe", p, null, false, KPROBE);
        plus("uprobe", p, null, false, UPROBE);
        sleepable("uprobe.s", p, null, false, UPROBE);
        plus("kretprobe", p, null, false, KPROBE);
        plus("uretprobe", p, null, false, UPROBE);
        sleepable("uretprobe.s", p, null, false, UPROBE);
        plus("kprobe.multi", p, AttachType.TRACE_KPROBE_MULTI, true, KPROBE_MULTI);
        plus("kretprobe.multi", p, AttachType.TRACE_KPROBE_MULTI, true, KPROBE_MULTI);
        plus("kprobe.session", p, AttachType.TRACE_KPROBE_SESSION, true, KPROBE_MULTI);
        plus("uprobe.multi", p, AttachType.TRACE_UPROBE_MULTI, true, UPROBE_MULTI);
        plus("uretprobe.multi", p, AttachType.TRACE_UPROBE_MULTI, true, UPROBE_MULTI);
        sleepable("uprobe.multi.s", p, AttachType.TRACE_UPROBE_MULTI, false, UPROBE_MULTI);
        sleepable("uretprobe.multi.s", p, AttachType.TRACE_UPROBE_MULTI, false, UPROBE_MULTI);
        plus("uprobe.session", p, AttachType.TRACE_UPROBE_SESSION, true, UPROBE_MULTI);
        sleepable("uprobe.session.s", p, AttachType.TRACE_UPROBE_SESSION, false, UPROBE_MULTI);
        plus("ksyscall", p, null, false, KSYSCALL);
        plus("kretsyscall", p, null, false, KSYSCALL);
        plus("usdt", p, null, false, USDT);
        sleepable("usdt.s", p, null, false, USDT);

        p = ProgType.SCHED_CLS;
        exact("tc/ingress", p, AttachType.TCX_INGRESS, false, TCX);
        exact("tc/egress", p, AttachType.TCX_EGRESS, false, TCX);
        exact("tcx/ingress", p, AttachType.TCX_INGRESS, false, TCX);
        exact("tcx/egress", p, AttachType.TCX_EGRESS, false, TCX);
        exact("tc", p, null, false, TC);
        exact("classifier", p, null, false, TC);
        exact("action", ProgType.SCHED_ACT, null, false, TC);
        exact("netkit/primary", p, AttachType.NETKIT_PRIMARY, false, NETKIT);
        exact("netkit/peer", p, AttachType.NETKIT_PEER, false, NETKIT);

        plus("tracepoint", ProgType.TRACEPOINT, null, false, TRACEPOINT);
        plus("tp", ProgType.TRACEPOINT, null, false, TRACEPOINT);
        plus("raw_tracepoint", ProgType.RAW_TRACEPOINT, null, false, RAW_TRACEPOINT);
        plus("raw_tp", ProgType.RAW_TRACEPOINT, null, false, RAW_TRACEPOINT);
        plus("raw_tracepoint.w", ProgType.RAW_TRACEPOINT_WRITABLE, null, false, RAW_TRACEPOINT);
        plus("raw_tp.w", ProgType.RAW_TRACEPOINT_WRITABLE, null, false, RAW_TRACEPOINT);

        p = ProgType.TRACING;
        btf("tp_btf", p, AttachType.TRACE_RAW_TP, TRACING);
        btf("fentry", p, AttachType.TRACE_FENTRY, TRACING);
        btf("fmod_ret", p, AttachType.MODIFY_RETURN, TRACING);
        btf("fexit", p, AttachType.TRACE_FEXIT, TRACING);
        sleepable("fentry.s", p, AttachType.TRACE_FENTRY, true, TRACING);
        sleepable("fmod_ret.s", p, AttachType.MODIFY_RETURN, true, TRACING);
        sleepable("fexit.s", p, AttachType.TRACE_FEXIT, true, TRACING);
        btf("freplace", ProgType.EXT, null, FREPLACE);
        btf("lsm", ProgType.LSM, AttachType.LSM_MAC, LSM);
        sleepable("lsm.s", ProgType.LSM, AttachType.LSM_MAC, true, LSM);
        btf("lsm_cgroup", ProgType.LSM, AttachType.LSM_CGROUP, CGROUP);
        btf("iter", p, AttachType.TRACE_ITER, ITER);
        sleepable("iter.s", p, AttachType.TRACE_ITER, true, ITER);
        ROWS.add(new SectionDef("syscall", false, ProgType.SYSCALL, null, false, false, true, false, NONE));

        p = ProgType.XDP;
        ROWS.add(new SectionDef("xdp.frags/devmap", false, p, AttachType.XDP_DEVMAP, true, false, false, true, NONE));
        exact("xdp/devmap", p, AttachType.XDP_DEVMAP, true, NONE);
        ROWS.add(new SectionDef("xdp.frags/cpumap", false, p, AttachType.XDP_CPUMAP, true, false, false, true, NONE));
        exact("xdp/cpumap", p, AttachType.XDP_CPUMAP, true, NONE);
        ROWS.add(new SectionDef("xdp.frags", false, p, AttachType.XDP, true, false, false, true, XDP));
        exact("xdp", p, AttachType.XDP, true, XDP);

        exact("perf_event", ProgType.PERF_EVENT, null, false, PERF_EVENT);
        exact("lwt_in", ProgType.LWT_IN, null, false, LWT);
        exact("lwt_out", ProgType.LWT_OUT, null, false, LWT);
        exact("lwt_xmit", ProgType.LWT_XMIT, null, false, LWT);
        exact("lwt_seg6local", ProgType.LWT_SEG6LOCAL, null, false, LWT);
        exact("sockops", ProgType.SOCK_OPS, AttachType.CGROUP_SOCK_OPS, true, CGROUP);
        exact("sk_skb/stream_parser", ProgType.SK_SKB, AttachType.SK_SKB_STREAM_PARSER, true, SK_SKB);
        exact("sk_skb/stream_verdict", ProgType.SK_SKB, AttachType.SK_SKB_STREAM_VERDICT, true, SK_SKB);
        exact("sk_skb/verdict", ProgType.SK_SKB, AttachType.SK_SKB_VERDICT, true, SK_SKB);
        exact("sk_skb", ProgType.SK_SKB, null, false, SK_SKB);
        exact("sk_msg", ProgType.SK_MSG, AttachType.SK_MSG_VERDICT, true, SK_MSG);
        exact("lirc_mode2", ProgType.LIRC_MODE2, AttachType.LIRC_MODE2, true, LIRC);
        exact("flow_dissector", ProgType.FLOW_DISSECTOR, AttachType.FLOW_DISSECTOR, true, FLOW_DISSECTOR);

        exact("cgroup_skb/ingress", ProgType.CGROUP_SKB, AttachType.CGROUP_INET_INGRESS, true, CGROUP);
        exact("cgroup_skb/egress", ProgType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS, true, CGROUP);
        exact("cgroup/skb", ProgType.CGROUP_SKB, null, false, CGROUP);
        p = ProgType.CGROUP_SOCK;
        exact("cgroup/sock_create", p, AttachType.CGROUP_INET_SOCK_CREATE, true, CGROUP);
        exact("cgroup/sock_release", p, AttachType.CGROUP_INET_SOCK_RELEASE, true, CGROUP);
        exact("cgroup/sock", p, AttachType.CGROUP_INET_SOCK_CREATE, true, CGROUP);
        exact("cgroup/post_bind4", p, AttachType.CGROUP_INET4_POST_BIND, true, CGROUP);
        exact("cgroup/post_bind6", p, AttachType.CGROUP_INET6_POST_BIND, true, CGROUP);
        p = ProgType.CGROUP_SOCK_ADDR;
        exact("cgroup/bind4", p, AttachType.CGROUP_INET4_BIND, true, CGROUP);
        exact("cgroup/bind6", p, AttachType.CGROUP_INET6_BIND, true, CGROUP);
        exact("cgroup/connect4", p, AttachType.CGROUP_INET4_CONNECT, true, CGROUP);
        exact("cgroup/connect6", p, AttachType.CGROUP_INET6_CONNECT, true, CGROUP);
        exact("cgroup/connect_unix", p, AttachType.CGROUP_UNIX_CONNECT, true, CGROUP);
        exact("cgroup/sendmsg4", p, AttachType.CGROUP_UDP4_SENDMSG, true, CGROUP);
        exact("cgroup/sendmsg6", p, AttachType.CGROUP_UDP6_SENDMSG, true, CGROUP);
        exact("cgroup/sendmsg_unix", p, AttachType.CGROUP_UNIX_SENDMSG, true, CGROUP);
        exact("cgroup/recvmsg4", p, AttachType.CGROUP_UDP4_RECVMSG, true, CGROUP);
        exact("cgroup/recvmsg6", p, AttachType.CGROUP_UDP6_RECVMSG, true, CGROUP);
        exact("cgroup/recvmsg_unix", p, AttachType.CGROUP_UNIX_RECVMSG, true, CGROUP);
        exact("cgroup/getpeername4", p, AttachType.CGROUP_INET4_GETPEERNAME, true, CGROUP);
        exact("cgroup/getpeername6", p, AttachType.CGROUP_INET6_GETPEERNAME, true, CGROUP);
        exact("cgroup/getpeername_unix", p, AttachType.CGROUP_UNIX_GETPEERNAME, true, CGROUP);
        exact("cgroup/getsockname4", p, AttachType.CGROUP_INET4_GETSOCKNAME, true, CGROUP);
        exact("cgroup/getsockname6", p, AttachType.CGROUP_INET6_GETSOCKNAME, true, CGROUP);
        exact("cgroup/getsockname_unix", p, AttachType.CGROUP_UNIX_GETSOCKNAME, true, CGROUP);
        exact("cgroup/sysctl", ProgType.CGROUP_SYSCTL, AttachType.CGROUP_SYSCTL, true, CGROUP);
        exact("cgroup/getsockopt", ProgType.CGROUP_SOCKOPT, AttachType.CGROUP_GETSOCKOPT, true, CGROUP);
        exact("cgroup/setsockopt", ProgType.CGROUP_SOCKOPT, AttachType.CGROUP_SETSOCKOPT, true, CGROUP);
        exact("cgroup/dev", ProgType.CGROUP_DEVICE, AttachType.CGROUP_DEVICE, true, CGROUP);
        plus("struct_ops", ProgType.STRUCT_OPS, null, false, STRUCT_OPS);
        sleepable("struct_ops.s", ProgType.STRUCT_OPS, null, false, STRUCT_OPS);
        exact("sk_lookup", ProgType.SK_LOOKUP, AttachType.SK_LOOKUP, true, SK_LOOKUP);
        exact("netfilter", ProgType.NETFILTER, AttachType.NETFILTER, true, NETFILTER);
    }

    private SectionTable() {
    }

    /** Every row, in match order: what 'bpf4j object sections' lists. */
    public static List<SectionDef> rows() {
        return List.copyOf(ROWS);
    }

    /**
     * The row for a section name. A leading '?' (load only when asked: no autoload) is not part of
     * the match; {@link #stripNoAutoload} removes it.
     */
    public static Optional<SectionDef> find(String section) {
        String name = stripNoAutoload(section);
        for (SectionDef d : ROWS) {
            if (d.matches(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    public static String stripNoAutoload(String section) {
        return section.startsWith("?") ? section.substring(1) : section;
    }

    /** The part after the first '/', or empty: where a {@code type+} section says to attach. */
    public static String extras(String section) {
        String name = stripNoAutoload(section);
        int slash = name.indexOf('/');
        return slash < 0 ? "" : name.substring(slash + 1);
    }
}

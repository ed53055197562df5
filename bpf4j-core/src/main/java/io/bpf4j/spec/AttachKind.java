package io.bpf4j.spec;

/**
 * How a program gets attached once loaded: the mechanism, not the program type. The link package has
 * one attacher per kind; {@link #needsTarget()} kinds attach only when the user names a target
 * (an interface, a cgroup, a socket), the others from their section name alone.
 */
public enum AttachKind {
    /** Not attached by bpf4j (test-run only, or attached by another program: syscall, freplace without target). */
    NONE(false),
    TRACEPOINT(false),
    RAW_TRACEPOINT(false),
    /** BTF-based tracing through a trampoline: tp_btf, fentry, fexit, fmod_ret. */
    TRACING(false),
    LSM(false),
    KPROBE(false),
    KPROBE_MULTI(false),
    KSYSCALL(false),
    UPROBE(false),
    UPROBE_MULTI(false),
    USDT(false),
    ITER(false),
    STRUCT_OPS(false),
    PERF_EVENT(true),
    XDP(true),
    TC(true),
    TCX(true),
    NETKIT(true),
    CGROUP(true),
    SOCKET_FILTER(true),
    SK_MSG(true),
    SK_SKB(true),
    SK_REUSEPORT(true),
    SK_LOOKUP(true),
    FLOW_DISSECTOR(true),
    LIRC(true),
    LWT(true),
    NETFILTER(true),
    FREPLACE(true);

    private final boolean needsTarget;

    AttachKind(boolean needsTarget) {
        this.needsTarget = needsTarget;
    }

    /** True when attaching needs a target the section name cannot carry. */
    public boolean needsTarget() {
        return needsTarget;
    }
}

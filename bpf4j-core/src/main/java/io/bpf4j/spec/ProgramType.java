package io.bpf4j.spec;

/**
 * The kernel's {@code enum bpf_prog_type}: values from /usr/include/linux/bpf.h, with the entries newer
 * kernels added after that header's release (6.1) appended at their UAPI values.
 */
public enum ProgramType {
    UNSPEC(0, "BPF_PROG_TYPE_UNSPEC"),
    SOCKET_FILTER(1, "BPF_PROG_TYPE_SOCKET_FILTER"),
    KPROBE(2, "BPF_PROG_TYPE_KPROBE"),
    SCHED_CLS(3, "BPF_PROG_TYPE_SCHED_CLS"),
    SCHED_ACT(4, "BPF_PROG_TYPE_SCHED_ACT"),
    TRACEPOINT(5, "BPF_PROG_TYPE_TRACEPOINT"),
    XDP(6, "BPF_PROG_TYPE_XDP"),
    PERF_EVENT(7, "BPF_PROG_TYPE_PERF_EVENT"),
    CGROUP_SKB(8, "BPF_PROG_TYPE_CGROUP_SKB"),
    CGROUP_SOCK(9, "BPF_PROG_TYPE_CGROUP_SOCK"),
    LWT_IN(10, "BPF_PROG_TYPE_LWT_IN"),
    LWT_OUT(11, "BPF_PROG_TYPE_LWT_OUT"),
    LWT_XMIT(12, "BPF_PROG_TYPE_LWT_XMIT"),
    SOCK_OPS(13, "BPF_PROG_TYPE_SOCK_OPS"),
    SK_SKB(14, "BPF_PROG_TYPE_SK_SKB"),
    CGROUP_DEVICE(15, "BPF_PROG_TYPE_CGROUP_DEVICE"),
    SK_MSG(16, "BPF_PROG_TYPE_SK_MSG"),
    RAW_TRACEPOINT(17, "BPF_PROG_TYPE_RAW_TRACEPOINT"),
    CGROUP_SOCK_ADDR(18, "BPF_PROG_TYPE_CGROUP_SOCK_ADDR"),
    LWT_SEG6LOCAL(19, "BPF_PROG_TYPE_LWT_SEG6LOCAL"),
    LIRC_MODE2(20, "BPF_PROG_TYPE_LIRC_MODE2"),
    SK_REUSEPORT(21, "BPF_PROG_TYPE_SK_REUSEPORT"),
    FLOW_DISSECTOR(22, "BPF_PROG_TYPE_FLOW_DISSECTOR"),
    CGROUP_SYSCTL(23, "BPF_PROG_TYPE_CGROUP_SYSCTL"),
    RAW_TRACEPOINT_WRITABLE(24, "BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE"),
    CGROUP_SOCKOPT(25, "BPF_PROG_TYPE_CGROUP_SOCKOPT"),
    TRACING(26, "BPF_PROG_TYPE_TRACING"),
    STRUCT_OPS(27, "BPF_PROG_TYPE_STRUCT_OPS"),
    EXT(28, "BPF_PROG_TYPE_EXT"),
    LSM(29, "BPF_PROG_TYPE_LSM"),
    SK_LOOKUP(30, "BPF_PROG_TYPE_SK_LOOKUP"),
    SYSCALL(31, "BPF_PROG_TYPE_SYSCALL"),
    NETFILTER(32, "BPF_PROG_TYPE_NETFILTER");

    private static final ProgramType[] BY_VALUE = new ProgramType[33];

    static {
        for (ProgramType t : values()) {
            BY_VALUE[t.value] = t;
        }
    }

    /** The number the kernel uses for this program type. */
    public final int value;
    /** The UAPI constant name, e.g. as bpftool prints it. */
    public final String uapiName;

    ProgramType(int value, String uapiName) {
        this.value = value;
        this.uapiName = uapiName;
    }

    /** The constant for a kernel value, or null when this build of bpf4j does not know it. */
    public static ProgramType of(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}

package io.bpf4j.spec;

/**
 * The kernel's {@code enum bpf_link_type}: values from /usr/include/linux/bpf.h, with the entries newer
 * kernels added after that header's release (6.1) appended at their UAPI values.
 */
public enum LinkType {
    UNSPEC(0, "BPF_LINK_TYPE_UNSPEC"),
    RAW_TRACEPOINT(1, "BPF_LINK_TYPE_RAW_TRACEPOINT"),
    TRACING(2, "BPF_LINK_TYPE_TRACING"),
    CGROUP(3, "BPF_LINK_TYPE_CGROUP"),
    ITER(4, "BPF_LINK_TYPE_ITER"),
    NETNS(5, "BPF_LINK_TYPE_NETNS"),
    XDP(6, "BPF_LINK_TYPE_XDP"),
    PERF_EVENT(7, "BPF_LINK_TYPE_PERF_EVENT"),
    KPROBE_MULTI(8, "BPF_LINK_TYPE_KPROBE_MULTI"),
    STRUCT_OPS(9, "BPF_LINK_TYPE_STRUCT_OPS"),
    NETFILTER(10, "BPF_LINK_TYPE_NETFILTER"),
    TCX(11, "BPF_LINK_TYPE_TCX"),
    UPROBE_MULTI(12, "BPF_LINK_TYPE_UPROBE_MULTI"),
    NETKIT(13, "BPF_LINK_TYPE_NETKIT"),
    SOCKMAP(14, "BPF_LINK_TYPE_SOCKMAP");

    private static final LinkType[] BY_VALUE = new LinkType[15];

    static {
        for (LinkType t : values()) {
            BY_VALUE[t.value] = t;
        }
    }

    /** The number the kernel uses for this link type. */
    public final int value;
    /** The UAPI constant name, e.g. as bpftool prints it. */
    public final String uapiName;

    LinkType(int value, String uapiName) {
        this.value = value;
        this.uapiName = uapiName;
    }

    /** The constant for a kernel value, or null when this build of bpf4j does not know it. */
    public static LinkType of(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}

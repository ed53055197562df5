package io.bpf4j.spec;

/**
 * The kernel's {@code enum bpf_map_type}: values from /usr/include/linux/bpf.h, with the entries newer
 * kernels added after that header's release (6.1) appended at their UAPI values.
 */
public enum MapType {
    UNSPEC(0, "BPF_MAP_TYPE_UNSPEC"),
    HASH(1, "BPF_MAP_TYPE_HASH"),
    ARRAY(2, "BPF_MAP_TYPE_ARRAY"),
    PROG_ARRAY(3, "BPF_MAP_TYPE_PROG_ARRAY"),
    PERF_EVENT_ARRAY(4, "BPF_MAP_TYPE_PERF_EVENT_ARRAY"),
    PERCPU_HASH(5, "BPF_MAP_TYPE_PERCPU_HASH"),
    PERCPU_ARRAY(6, "BPF_MAP_TYPE_PERCPU_ARRAY"),
    STACK_TRACE(7, "BPF_MAP_TYPE_STACK_TRACE"),
    CGROUP_ARRAY(8, "BPF_MAP_TYPE_CGROUP_ARRAY"),
    LRU_HASH(9, "BPF_MAP_TYPE_LRU_HASH"),
    LRU_PERCPU_HASH(10, "BPF_MAP_TYPE_LRU_PERCPU_HASH"),
    LPM_TRIE(11, "BPF_MAP_TYPE_LPM_TRIE"),
    ARRAY_OF_MAPS(12, "BPF_MAP_TYPE_ARRAY_OF_MAPS"),
    HASH_OF_MAPS(13, "BPF_MAP_TYPE_HASH_OF_MAPS"),
    DEVMAP(14, "BPF_MAP_TYPE_DEVMAP"),
    SOCKMAP(15, "BPF_MAP_TYPE_SOCKMAP"),
    CPUMAP(16, "BPF_MAP_TYPE_CPUMAP"),
    XSKMAP(17, "BPF_MAP_TYPE_XSKMAP"),
    SOCKHASH(18, "BPF_MAP_TYPE_SOCKHASH"),
    CGROUP_STORAGE(19, "BPF_MAP_TYPE_CGROUP_STORAGE"),
    REUSEPORT_SOCKARRAY(20, "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY"),
    PERCPU_CGROUP_STORAGE(21, "BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE"),
    QUEUE(22, "BPF_MAP_TYPE_QUEUE"),
    STACK(23, "BPF_MAP_TYPE_STACK"),
    SK_STORAGE(24, "BPF_MAP_TYPE_SK_STORAGE"),
    DEVMAP_HASH(25, "BPF_MAP_TYPE_DEVMAP_HASH"),
    STRUCT_OPS(26, "BPF_MAP_TYPE_STRUCT_OPS"),
    RINGBUF(27, "BPF_MAP_TYPE_RINGBUF"),
    INODE_STORAGE(28, "BPF_MAP_TYPE_INODE_STORAGE"),
    TASK_STORAGE(29, "BPF_MAP_TYPE_TASK_STORAGE"),
    BLOOM_FILTER(30, "BPF_MAP_TYPE_BLOOM_FILTER"),
    USER_RINGBUF(31, "BPF_MAP_TYPE_USER_RINGBUF"),
    CGRP_STORAGE(32, "BPF_MAP_TYPE_CGRP_STORAGE"),
    ARENA(33, "BPF_MAP_TYPE_ARENA");

    private static final MapType[] BY_VALUE = new MapType[34];

    static {
        for (MapType t : values()) {
            BY_VALUE[t.value] = t;
        }
    }

    /** The number the kernel uses for this map type. */
    public final int value;
    /** The UAPI constant name, e.g. as bpftool prints it. */
    public final String uapiName;

    MapType(int value, String uapiName) {
        this.value = value;
        this.uapiName = uapiName;
    }

    /** The constant for a kernel value, or null when this build of bpf4j does not know it. */
    public static MapType of(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}

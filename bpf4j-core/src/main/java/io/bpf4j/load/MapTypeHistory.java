package io.bpf4j.load;

import io.bpf4j.sys.MapType;

/**
 * The Linux release that added each map type: the release whose include/uapi/linux/bpf.h first has
 * the BPF_MAP_TYPE_ value (the "introduced in kernel version" notes of Documentation/bpf/map_*.rst
 * and bcc's docs/kernel-versions.md agree where they say). Only for error messages: whether the
 * running kernel has a type is always asked of the kernel itself ({@code KernelFeatures.mapType}),
 * since distributions backport map types to older releases.
 */
final class MapTypeHistory {
    private MapTypeHistory() {
    }

    /** "6.2" for CGRP_STORAGE; "" for UNSPEC, which is no map type. */
    static String since(MapType type) {
        return switch (type) {
            case UNSPEC -> "";
            case HASH, ARRAY -> "3.19";
            case PROG_ARRAY -> "4.2";
            case PERF_EVENT_ARRAY -> "4.3";
            case PERCPU_HASH, PERCPU_ARRAY, STACK_TRACE -> "4.6";
            case CGROUP_ARRAY -> "4.8";
            case LRU_HASH, LRU_PERCPU_HASH -> "4.10";
            case LPM_TRIE -> "4.11";
            case ARRAY_OF_MAPS, HASH_OF_MAPS -> "4.12";
            case DEVMAP, SOCKMAP -> "4.14";
            case CPUMAP -> "4.15";
            case XSKMAP, SOCKHASH -> "4.18";
            case CGROUP_STORAGE, REUSEPORT_SOCKARRAY -> "4.19";
            case PERCPU_CGROUP_STORAGE, QUEUE, STACK -> "4.20";
            case SK_STORAGE -> "5.2";
            case DEVMAP_HASH -> "5.4";
            case STRUCT_OPS -> "5.6";
            case RINGBUF -> "5.8";
            case INODE_STORAGE -> "5.10";
            case TASK_STORAGE -> "5.11";
            case BLOOM_FILTER -> "5.16";
            case USER_RINGBUF -> "6.1";
            case CGRP_STORAGE -> "6.2";
            case ARENA -> "6.9";
        };
    }
}

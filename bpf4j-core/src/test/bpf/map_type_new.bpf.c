// A map of a type Linux 6.1 lacks: BPF_MAP_TYPE_CGRP_STORAGE (value 32, Linux 6.2). The installed
// UAPI header is 6.1's, hence the number. Loads on this host; the 6.1 guest must refuse it clearly.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, 32); /* BPF_MAP_TYPE_CGRP_STORAGE */
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, __u64);
} per_cgroup SEC(".maps");

SEC("socket")
int uses_nothing(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

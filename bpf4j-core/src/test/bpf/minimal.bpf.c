// The smallest useful object: one socket filter, one map, one global, a license.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

__u64 calls = 0;

SEC("socket")
int count_packets(struct __sk_buff *skb)
{
    __u32 key = 0;
    __u64 *v = bpf_map_lookup_elem(&counters, &key);
    if (v)
        __sync_fetch_and_add(v, 1);
    calls++;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

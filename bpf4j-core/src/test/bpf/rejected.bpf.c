// A program the verifier must reject: it reads past the end of a map value.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} values SEC(".maps");

SEC("socket")
int reads_too_far(struct __sk_buff *skb)
{
    __u32 key = 0;
    __u64 *v = bpf_map_lookup_elem(&values, &key);
    if (!v)
        return 0;
    return *(v + 4); /* out of bounds: the value is 8 bytes */
}

char LICENSE[] SEC("license") = "GPL";

// A map in the legacy "maps" section, as the kernel's samples/bpf declare them (struct bpf_map_def).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def_legacy {
    unsigned int type;
    unsigned int key_size;
    unsigned int value_size;
    unsigned int max_entries;
    unsigned int map_flags;
};

struct bpf_map_def_legacy legacy_counts SEC("maps") = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 64,
};

SEC("socket")
int legacy_user(struct __sk_buff *skb)
{
    __u32 key = skb->protocol;
    __u64 one = 1, *v = bpf_map_lookup_elem(&legacy_counts, &key);
    if (v)
        __sync_fetch_and_add(v, 1);
    else
        bpf_map_update_elem(&legacy_counts, &key, &one, BPF_ANY);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
/* The kernel version the object was built for, as samples/bpf declare it (BPF_PROG_LOAD's kern_version). */
__u32 _version SEC("version") = 0x060100;

// Callbacks the kernel calls on a program's behalf (CallbacksTest, and the libbpf differential test):
// a bpf_timer's callback, and bpf_for_each_map_elem's per-element one. Both are static subprograms
// referenced only through a function pointer (a BPF_PSEUDO_FUNC load), not called.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

struct timer_slot {
    struct bpf_timer timer;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct timer_slot);
} timers SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} numbers SEC(".maps");

__u64 fired = 0;
__u64 sum = 0;
__u32 visited = 0;

static int on_timer(void *map, __u32 *key, struct timer_slot *slot)
{
    fired++;
    return 0;
}

static __u64 add_value(void *map, __u32 *key, __u64 *value, void *ctx)
{
    sum += *value;
    visited++;
    return 0; /* 0: go on to the next element */
}

SEC("xdp")
int arm_timer(struct xdp_md *ctx)
{
    __u32 key = 0;
    struct timer_slot *slot = bpf_map_lookup_elem(&timers, &key);
    if (!slot)
        return XDP_ABORTED;
    bpf_timer_init(&slot->timer, &timers, CLOCK_MONOTONIC);
    bpf_timer_set_callback(&slot->timer, on_timer);
    bpf_timer_start(&slot->timer, 0, 0);
    return XDP_PASS;
}

SEC("xdp")
int sum_numbers(struct xdp_md *ctx)
{
    sum = 0;
    visited = 0;
    bpf_for_each_map_elem(&numbers, add_value, NULL, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

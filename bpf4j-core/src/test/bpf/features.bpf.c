// Exercises what the object reader must understand: several programs in one section, static and
// global subprograms, callbacks, BTF-defined maps of several kinds (with map-in-map initial values),
// global data in every kind of section, and a no-autoload program.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, struct inner);
} outer SEC(".maps") = {
    .values = { [1] = &inner_a, [3] = &inner_b },
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 128);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, __u64);
    __type(value, struct { __u32 a; __u64 b; });
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} hashed SEC(".maps");

/* Memory on NUMA node 0 (every machine has one). */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8);
    __uint(map_flags, BPF_F_NUMA_NODE);
    __uint(numa_node, 0);
    __type(key, __u32);
    __type(value, __u32);
} on_node0 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

int counter = 7;                         // .data
const volatile int limit = 3;            // .rodata
__u64 total;                             // .bss
char note[16] SEC(".data.notes") = "hello";
const volatile __u32 tuning[2] SEC(".rodata.tuning") = {1, 2};

static __noinline int add_static(int a, int b)
{
    return a + b + limit;
}

__noinline int add_global(int a)
{
    return add_static(a, counter);
}

static long loop_step(__u32 index, void *ctx)
{
    total += index;
    return 0;
}

SEC("socket")
int first(struct __sk_buff *skb)
{
    bpf_loop(4, loop_step, NULL, 0);
    return add_global(skb->len);
}

SEC("socket")
int second(struct __sk_buff *skb)
{
    __u32 key = 0;
    void *m = bpf_map_lookup_elem(&outer, &key);
    return m ? 1 : add_static(1, 2);
}

SEC("?tracepoint/syscalls/sys_enter_getpid")
int optional_probe(void *ctx)
{
    counter++;
    return 0;
}

SEC("xdp")
int pass_all(struct xdp_md *ctx)
{
    note[0] = 'H';
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

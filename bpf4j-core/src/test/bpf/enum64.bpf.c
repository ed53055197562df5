// A 64-bit enum (BTF_KIND_ENUM64, Linux 6.0) used where the kernel checks BTF: a map value, a
// global in .data, and a subprogram's argument and return type (func_info). BtfSanitizerTest loads
// it with ENUM64 rewritten as for an older kernel.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum wide { WIDE_LOW = 1, WIDE_HIGH = 0x100000000ULL };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, enum wide);
} wide_by_key SEC(".maps");

enum wide last_seen = WIDE_LOW;
__u64 runs = 0;

static __attribute__((noinline)) enum wide flip(enum wide w)
{
    return w == WIDE_LOW ? WIDE_HIGH : WIDE_LOW;
}

SEC("socket")
int use_enum64(void *ctx)
{
    __u32 key = 0;
    enum wide *v = bpf_map_lookup_elem(&wide_by_key, &key);
    if (v)
        *v = flip(*v == 0 ? WIDE_LOW : *v);
    last_seen = flip(last_seen);
    runs++;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

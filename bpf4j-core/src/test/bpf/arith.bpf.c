// Socket filters without maps or global data, for the instruction model tests: arithmetic in both
// widths, signed and unsigned branches, a stack buffer, a helper call and a bounded loop. It has no
// global variables, so its .BTF section loads into the kernel as it is.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int arith(struct __sk_buff *skb)
{
    volatile __u32 scratch[4];
    __u64 t = bpf_ktime_get_ns();
    __u32 len = skb->len;
    __u64 acc = (__u64)len * 3 + 7;
    __s64 s = (__s64)acc - 500;

    if (t == 0)
        return 1;
    if (acc > 100)
        acc -= 50;
    else
        acc ^= 0x55;
    if (s < -300)
        acc += 11;
#pragma clang loop unroll(disable)
    for (int i = 0; i < 8; i++) {
        acc += (acc << 1) ^ (__u64)i;
        if (acc & 0x1000)
            acc >>= 3;
        scratch[i & 3] = (__u32)acc;
    }
    acc += scratch[1];
    return (int)(acc & 0xff);
}

SEC("socket")
int shifts(struct __sk_buff *skb)
{
    __u32 x = skb->len | 0x10000;
    __s32 y = -(__s32)x;
    x = (x >> 4) * 5 / 3 % 1000;
    y >>= 2;
    return (int)((x + (__u32)y + bpf_get_prandom_u32() * 0) & 0x7f);
}

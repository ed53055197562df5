// For VerifierLogTest: a program the verifier accepts whose level-2 log is larger
// than bpf4j's first 1 MiB log buffer: the verifier walks the bounded loop once per iteration and logs
// every instruction it processes.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

volatile __u32 seed = 1;
__u32 sum = 0;

SEC("socket")
int long_loop(struct __sk_buff *skb)
{
    __u32 acc = 0;
#pragma clang loop unroll(disable)
    for (int i = 0; i < 8000; i++)
        acc += seed ^ i;
    sum = acc;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

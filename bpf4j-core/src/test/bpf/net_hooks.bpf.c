// Programs whose targets are not interfaces: a sockmap (sk_msg, sk_skb), a network namespace
// (flow_dissector, sk_lookup) and a netfilter hook. Each counts what it saw and lets it pass.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_SOCKMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32);
} sock_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} not_a_sockmap SEC(".maps");

__u64 msg_count = 0;
__u64 msg_bytes = 0;
__u64 skb_count = 0;
__u64 skb_bytes = 0;
__u64 dissected = 0;
__u64 lookups = 0;
__u64 nf_packets = 0;
/* The port sk_lookup counts lookups for: the test's own traffic only. */
const volatile __u32 lookup_port = 0;

SEC("sk_msg")
int count_msg(struct sk_msg_md *msg)
{
    __sync_fetch_and_add(&msg_count, 1);
    __sync_fetch_and_add(&msg_bytes, msg->size);
    return SK_PASS;
}

SEC("sk_skb/verdict")
int count_skb(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&skb_count, 1);
    __sync_fetch_and_add(&skb_bytes, skb->len);
    return SK_PASS;
}

SEC("flow_dissector")
int count_dissect(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&dissected, 1);
    /* Linux 6.1+: the kernel's own dissector does the work, so the namespace's traffic is unchanged. */
    return BPF_FLOW_DISSECTOR_CONTINUE;
}

SEC("sk_lookup")
int count_lookup(struct bpf_sk_lookup *ctx)
{
    if (ctx->local_port == lookup_port)
        __sync_fetch_and_add(&lookups, 1);
    return SK_PASS;
}

SEC("netfilter")
int count_nf(void *ctx)
{
    __sync_fetch_and_add(&nf_packets, 1);
    return 1; /* NF_ACCEPT */
}

char LICENSE[] SEC("license") = "GPL";

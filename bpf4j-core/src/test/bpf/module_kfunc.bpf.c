// An XDP program calling the conntrack kfuncs bpf_xdp_ct_lookup / bpf_ct_release. Debian's kernels
// build nf_conntrack as a module, so there they are in the module's BTF and the loader must pass
// the module's BTF fd in fd_array; this host's kernel has them built in (vmlinux BTF). No vmlinux.h:
// the UAPI headers and the declarations below are the same on both kernels.
//
// The program looks up the packet's IPv4/TCP connection in the current network namespace and
// returns XDP_PASS when conntrack knows it, XDP_DROP when not (the error the kfunc reported is kept
// in lookup_error), XDP_ABORTED when the packet is not IPv4/TCP.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

// The lookup options as Linux 6.1 defines them (net/netfilter/nf_conntrack_bpf.c, 12 bytes); newer
// kernels append fields and still take this size.
struct bpf_ct_opts {
    __s32 netns_id;
    __s32 error;
    __u8 l4proto;
    __u8 dir;
    __u8 reserved[2];
};

struct nf_conn;

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *bpf_tuple,
                                         __u32 tuple__sz, struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;
// Defined by no kernel: the load error must name it and say which BTF was searched.
extern void bpf4j_no_such_kfunc(struct xdp_md *ctx) __ksym;

__u32 lookups = 0;
__s32 lookup_error = 0;

SEC("xdp")
int ct_lookup(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = data + sizeof(*eth);
    struct tcphdr *tcp = data + sizeof(*eth) + sizeof(*ip);
    if ((void *)(tcp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
        return XDP_ABORTED;

    struct bpf_sock_tuple tuple = {};
    tuple.ipv4.saddr = ip->saddr;
    tuple.ipv4.daddr = ip->daddr;
    tuple.ipv4.sport = tcp->source;
    tuple.ipv4.dport = tcp->dest;
    struct bpf_ct_opts opts = { .netns_id = -1, .l4proto = IPPROTO_TCP };

    lookups++;
    struct nf_conn *ct = bpf_xdp_ct_lookup(ctx, &tuple, sizeof(tuple.ipv4), &opts, sizeof(opts));
    if (!ct) {
        lookup_error = opts.error;
        return XDP_DROP;
    }
    bpf_ct_release(ct);
    return XDP_PASS;
}

// Off unless a test turns it on ('?'): calls the kfunc no kernel has.
SEC("?xdp")
int call_missing(struct xdp_md *ctx)
{
    bpf4j_no_such_kfunc(ctx);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

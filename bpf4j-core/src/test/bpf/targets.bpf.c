// Programs that attach to a target the user names: an interface (xdp, tcx) or a cgroup.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 xdp_packets = 0;
__u64 tc_packets = 0;
__u64 cgroup_packets = 0;
__u64 socket_packets = 0;

SEC("xdp")
int count_xdp(struct xdp_md *ctx)
{
    __sync_fetch_and_add(&xdp_packets, 1);
    return XDP_PASS;
}

SEC("tc/egress")
int count_tc(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&tc_packets, 1);
    return 0; /* TC_ACT_OK: the packet goes on */
}

SEC("cgroup_skb/egress")
int count_cgroup(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&cgroup_packets, 1);
    return 1; /* allow */
}

SEC("socket")
int count_socket(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&socket_packets, 1);
    return 0; /* keep nothing: the socket only counts */
}

char LICENSE[] SEC("license") = "GPL";

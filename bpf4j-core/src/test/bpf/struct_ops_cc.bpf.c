// A minimal TCP congestion control written as struct_ops, for StructOpsTest on this host (read from
// the ELF, then registered: this 6.18 refuses fentry but takes struct_ops) and StructOpsGuestTest in
// the QEMU guest (Debian 6.1, no struct_ops links). tcp_register_congestion_control requires ssthresh, undo_cwnd and cong_avoid (or
// cong_control), and a name; init is optional and runs when a connection starts using the CC. Each
// operation counts its calls and leaves the work to the kernel's Reno (kfuncs bpf_tcp_ca allows).
//
// bpf4j_cc is in .struct_ops.link (a BPF link registers it on 6.4+; on 6.1 bpf4j falls back to a map
// update), bpf4j_cc2 in plain .struct_ops (a map update registers it); both call the same programs.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;

__u64 init_calls = 0;
__u64 ssthresh_calls = 0;
__u64 undo_cwnd_calls = 0;
__u64 cong_avoid_calls = 0;
__u64 last_acked = 0;

SEC("struct_ops/bpf4j_init")
void BPF_PROG(bpf4j_init, struct sock *sk)
{
    __sync_fetch_and_add(&init_calls, 1);
}

SEC("struct_ops/bpf4j_ssthresh")
__u32 BPF_PROG(bpf4j_ssthresh, struct sock *sk)
{
    __sync_fetch_and_add(&ssthresh_calls, 1);
    return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/bpf4j_undo_cwnd")
__u32 BPF_PROG(bpf4j_undo_cwnd, struct sock *sk)
{
    __sync_fetch_and_add(&undo_cwnd_calls, 1);
    return tcp_reno_undo_cwnd(sk);
}

SEC("struct_ops/bpf4j_cong_avoid")
void BPF_PROG(bpf4j_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
    __sync_fetch_and_add(&cong_avoid_calls, 1);
    last_acked = acked;
    tcp_reno_cong_avoid(sk, ack, acked);
}

// Not referenced by any struct_ops map: '?' keeps it out of the load unless a test asks for it.
SEC("?struct_ops/bpf4j_orphan")
__u32 BPF_PROG(bpf4j_orphan, struct sock *sk)
{
    return 2;
}

SEC(".struct_ops.link")
struct tcp_congestion_ops cc_link = {
    .init = (void *)bpf4j_init,
    .ssthresh = (void *)bpf4j_ssthresh,
    .undo_cwnd = (void *)bpf4j_undo_cwnd,
    .cong_avoid = (void *)bpf4j_cong_avoid,
    .flags = 0,
    .name = "bpf4j_cc",
};

SEC(".struct_ops")
struct tcp_congestion_ops cc_plain = {
    .ssthresh = (void *)bpf4j_ssthresh,
    .undo_cwnd = (void *)bpf4j_undo_cwnd,
    .cong_avoid = (void *)bpf4j_cong_avoid,
    .name = "bpf4j_cc2",
};

char LICENSE[] SEC("license") = "GPL";

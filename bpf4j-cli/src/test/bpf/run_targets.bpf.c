#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int rt_xdp_pass(struct xdp_md *ctx)
{
    return XDP_PASS;
}

SEC("tracepoint/syscalls/sys_enter_no_such_syscall")
int rt_missing_tp(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

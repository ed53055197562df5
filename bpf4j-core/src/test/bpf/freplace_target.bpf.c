// The program other programs target (TargetFunctionTest, ProgramTargetGuestTest): an XDP program
// whose verdict comes from a global function (freplace replaces only global ones) after a static one.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 entry_runs = 0;

static __noinline int count_run(void)
{
    __sync_fetch_and_add(&entry_runs, 1);
    return 0;
}

__noinline int decide(struct xdp_md *ctx)
{
    return ctx ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int xdp_entry(struct xdp_md *ctx)
{
    count_run();
    return decide(ctx);
}

char LICENSE[] SEC("license") = "GPL";

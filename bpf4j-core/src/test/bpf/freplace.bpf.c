// Programs that attach to functions of freplace_target.bpf.c's xdp_entry instead of the kernel's:
// a replacement for its global decide(), and an fexit on xdp_entry itself. The '?' ones are for
// error cases only (autoload off).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 replaced_runs = 0;
__u64 exits_seen = 0;
__u32 last_verdict = 0;

SEC("freplace/decide")
int drop_instead(struct xdp_md *ctx)
{
    __sync_fetch_and_add(&replaced_runs, 1);
    return XDP_DROP;
}

SEC("fexit/xdp_entry")
int BPF_PROG(after_entry, struct xdp_md *xdp, int verdict)
{
    __sync_fetch_and_add(&exits_seen, 1);
    last_verdict = verdict;
    return 0;
}

/* static in the target: the kernel replaces only global functions */
SEC("?freplace/count_run")
int replace_static(void)
{
    return 0;
}

SEC("?freplace/no_such_function")
int replace_missing(struct xdp_md *ctx)
{
    return XDP_PASS;
}

/* no function name in the section */
SEC("?freplace")
int replace_unnamed(struct xdp_md *ctx)
{
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

// USDT programs written against libbpf's BPF-side header, as users write them: bpf4j fills the
// header's maps (__bpf_usdt_specs, __bpf_usdt_ip_to_spec_id) at attach time. UsdtTest compiles this
// file with -DUSDT_BINARY="/path/to/usdt_target" so the section names carry the whole target.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#ifndef USDT_BINARY
#define USDT_BINARY "/nonexistent"
#endif

#define MAX_ARGS 8

long args[MAX_ARGS] = {};
int args_cnt = -1;
int args_errors = 0;
__u64 args_hits = 0;

long guarded_arg = 0;
__u64 guarded_hits = 0;

// Each call site of test:twice passes its number (1 or 2): bit N is set by site N.
long twice_sites = 0;
__u64 twice_hits = 0;
long twice_cookie = -1;

SEC("usdt/" USDT_BINARY ":test:args")
int on_args(struct pt_regs *ctx)
{
    args_cnt = bpf_usdt_arg_cnt(ctx);
    for (int i = 0; i < MAX_ARGS; i++) {
        long v;
        if (bpf_usdt_arg(ctx, i, &v))
            args_errors++;
        args[i] = v;
    }
    __sync_fetch_and_add(&args_hits, 1);
    return 0;
}

SEC("usdt/" USDT_BINARY ":test:guarded")
int BPF_USDT(on_guarded, int value)
{
    guarded_arg = value;
    __sync_fetch_and_add(&guarded_hits, 1);
    return 0;
}

// No target in the section: given when attaching (--attach on_twice=PATH:test:twice).
SEC("usdt")
int BPF_USDT(on_twice, int site)
{
    __sync_fetch_and_or(&twice_sites, 1L << site);
    twice_cookie = bpf_usdt_cookie(ctx);
    __sync_fetch_and_add(&twice_hits, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

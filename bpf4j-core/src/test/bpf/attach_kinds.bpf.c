// One program per attach kind this kernel supports, each counting the hits of one process (tgid).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 target_tgid = 0;
__u64 tracepoint_hits = 0;
__u64 raw_tp_hits = 0;
__u64 tp_btf_hits = 0;
__u64 uprobe_hits = 0;

static __always_inline int mine(void)
{
    return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_tracepoint(void *ctx)
{
    if (mine())
        __sync_fetch_and_add(&tracepoint_hits, 1);
    return 0;
}

SEC("raw_tp/sys_enter")
int on_raw_tp(void *ctx)
{
    if (mine())
        __sync_fetch_and_add(&raw_tp_hits, 1);
    return 0;
}

SEC("tp_btf/sys_enter")
int on_tp_btf(void *ctx)
{
    if (mine())
        __sync_fetch_and_add(&tp_btf_hits, 1);
    return 0;
}

SEC("?kprobe/do_exit")
int on_kprobe(void *ctx)
{
    return 0;
}

SEC("?fentry/do_exit")
int on_fentry(void *ctx)
{
    return 0;
}

SEC("?uprobe")
int on_uprobe(void *ctx)
{
    if (mine())
        __sync_fetch_and_add(&uprobe_hits, 1);
    return 0;
}

/* Counts every process's hits: the pid filter is the attachment's, not the program's. */
__u64 uprobe_any_hits = 0;

SEC("?uprobe")
int on_uprobe_any(void *ctx)
{
    __sync_fetch_and_add(&uprobe_any_hits, 1);
    return 0;
}

__u64 uprobe_multi_hits = 0;

SEC("?uprobe.multi")
int on_uprobe_multi(void *ctx)
{
    if (mine())
        __sync_fetch_and_add(&uprobe_multi_hits, 1);
    return 0;
}

__u64 uprobe_session_hits = 0;

/* Returns 0 at entry, so the kernel runs it again when the function returns (Linux 6.13+). */
SEC("?uprobe.session")
int on_uprobe_session(void *ctx)
{
    if (mine())
        __sync_fetch_and_add(&uprobe_session_hits, 1);
    return 0;
}

SEC("?kprobe.multi/__x64_sys_getppi?")
int on_kprobe_multi(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

// For the run command's tests: prints on every getppid(2) of the process it is told to watch.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 watched_tgid = 0;
__u64 hits = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int rt_getppid(void *ctx)
{
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (watched_tgid && tgid != watched_tgid)
        return 0;
    __sync_fetch_and_add(&hits, 1);
    bpf_printk("getppid from %d", tgid);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

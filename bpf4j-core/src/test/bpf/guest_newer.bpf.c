// For NewerKernelGuestCheck in a QEMU guest booting Debian 6.12, which has what this host's kernel
// and Debian 6.1 lack: fprobe (kprobe.multi, kretprobe.multi) and netkit devices. No CO-RE.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 target_tgid = 0;
__u64 multi_hits = 0;
__u64 multi_ret_hits = 0;
__u64 wide_hits = 0;

static __always_inline int mine(void)
{
    return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

/* One function: the glob's '?' matches only the 'd' of getppid. __do_sys_getppid, not its alias
 * __x64_sys_getppid: ftrace (available_filter_functions) knows one name per address. */
SEC("kprobe.multi/__do_sys_getppi?")
int on_multi(void *ctx)
{
    if (mine())
        __sync_fetch_and_add(&multi_hits, 1);
    return 0;
}

SEC("kretprobe.multi/__do_sys_getppi?")
int on_multi_ret(void *ctx)
{
    if (mine())
        __sync_fetch_and_add(&multi_ret_hits, 1);
    return 0;
}

/* Several functions in one link: __do_sys_getpid and __do_sys_getppid (syscalls with arguments have no __do_sys_ name left in ftrace). */
SEC("kprobe.multi/__do_sys_getp*id")
int on_wide(void *ctx)
{
    if (mine())
        __sync_fetch_and_add(&wide_hits, 1);
    return 0;
}

SEC("?kprobe.multi/bpf4j_no_such_function_*")
int on_nothing(void *ctx)
{
    return 0;
}

__u64 netkit_packets = 0;

SEC("netkit/primary")
int count_netkit(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&netkit_packets, 1);
    return 0; /* NETKIT_PASS */
}

char LICENSE[] SEC("license") = "GPL";

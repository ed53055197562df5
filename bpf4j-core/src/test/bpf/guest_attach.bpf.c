// kprobe, kretprobe, fentry and fexit on one kernel function, for GuestAttachCheck in the QEMU guest
// (a kernel with kprobes and BPF trampolines). No CO-RE: plain field reads only, so the object
// compiled here against the host's headers loads on the guest's 6.1 kernel.
//
// __do_sys_getppid is getppid(2)'s body; on x86-64 __x64_sys_getppid is an alias of it (same
// address), and it is in the kernel's BTF, which fentry/fexit need.
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 target_tgid = 0;
__u64 kprobe_hits = 0;
__u64 kretprobe_hits = 0;
__u64 fentry_hits = 0;
__u64 fexit_hits = 0;
// What the function returned, as each return-side probe saw it: the caller's parent pid.
__s64 kretprobe_ret = 0;
__s64 fexit_ret = 0;
// The CPU the kprobe fired on: the perf event is opened for CPU 0 only, yet a BPF program on a
// kprobe runs wherever the function is hit; the guest pins its JVM to CPU 1 to show it.
__u32 kprobe_cpu = 0;

static __always_inline int mine(void)
{
    return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("kprobe/__do_sys_getppid")
int on_kprobe(struct pt_regs *ctx)
{
    if (mine()) {
        __sync_fetch_and_add(&kprobe_hits, 1);
        kprobe_cpu = bpf_get_smp_processor_id();
    }
    return 0;
}

SEC("kretprobe/__do_sys_getppid")
int on_kretprobe(struct pt_regs *ctx)
{
    if (mine()) {
        __sync_fetch_and_add(&kretprobe_hits, 1);
        kretprobe_ret = PT_REGS_RC(ctx);
    }
    return 0;
}

SEC("fentry/__do_sys_getppid")
int on_fentry(__u64 *ctx)
{
    if (mine())
        __sync_fetch_and_add(&fentry_hits, 1);
    return 0;
}

// ctx holds the function's arguments, then its return value: one argument (const struct pt_regs *).
SEC("fexit/__do_sys_getppid")
int on_fexit(__u64 *ctx)
{
    if (mine()) {
        __sync_fetch_and_add(&fexit_hits, 1);
        fexit_ret = (__s64)ctx[1];
    }
    return 0;
}

// Loads fine (a kprobe program names no function at load); attaching must fail with a clear error.
SEC("?kprobe/bpf4j_no_such_function")
int on_missing_function(struct pt_regs *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

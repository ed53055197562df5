// ThousandLoopBpf: the loop program of the write-up our users follow. On every process exit it
// calls bpf_printk 1000 times and reports how long that took, measured with bpf_ktime_get_ns.
// The write-up attaches to kprobe/do_exit; on kernels without kprobes bpf4j loads the second
// program instead, on the sched_process_exit tracepoint, which fires at the same moment.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static __always_inline int thousand_loop(void)
{
    __u64 start = bpf_ktime_get_ns();
    int i;

    for (i = 0; i < 1000; i++) {
        bpf_printk("");
    }

    __u64 end = bpf_ktime_get_ns();
    __u64 delta_ns = end - start;
    bpf_printk("Elapsed time: %lld nanoseconds\n", delta_ns);
    return 0;
}

SEC("kprobe/do_exit")
int bpf_prog(struct pt_regs *ctx)
{
    return thousand_loop();
}

SEC("tracepoint/sched/sched_process_exit")
int bpf_prog_tp(void *ctx)
{
    return thousand_loop();
}

// An iterator over every task (its output read back through BPF_ITER_CREATE) and a perf_event
// program sampled on a software clock.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 samples = 0;

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
    struct seq_file *seq = ctx->meta->seq;
    struct task_struct *task = ctx->task;
    if (!task)
        return 0;
    if (task->pid == task->tgid)
        BPF_SEQ_PRINTF(seq, "%d %s\n", task->tgid, task->comm);
    return 0;
}

SEC("perf_event")
int on_sample(struct bpf_perf_event_data *ctx)
{
    __sync_fetch_and_add(&samples, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

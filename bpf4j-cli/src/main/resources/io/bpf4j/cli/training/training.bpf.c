// Loaded (never attached) by 'bpf4j __aot-training', the run the launcher records its AOT cache from:
// it walks the paths a typical 'bpf4j run' takes - vmlinux.h, clang, globals, a map, CO-RE reads
// relocated against the kernel's BTF - so their classes and profiles are in the cache.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

const volatile int wanted = 0;
__u64 seen = 0;

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} per_pid SEC(".maps");

SEC("tracepoint/sched/sched_process_exit")
int on_exit(void *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u32 pid = BPF_CORE_READ(task, tgid);
    __u64 one = 1;

    if (wanted && pid != wanted)
        return 0;
    bpf_map_update_elem(&per_pid, &pid, &one, BPF_ANY);
    seen++;
    bpf_printk("exit %d", pid);
    return 0;
}

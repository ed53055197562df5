// CO-RE reads of the calling task, from a flavoured local type and through vmlinux.h, kept in
// globals so a test can compare them with what /proc says about the same process.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___local {
    int tgid;
    struct task_struct___local *real_parent;
} __attribute__((preserve_access_index));

const volatile __u32 target_tgid = 0;
__s32 seen_tgid = 0;
__s32 seen_parent_tgid = 0;
__s32 flavoured_parent_tgid = 0;
__u32 has_pid_field = 0;
__u32 task_size = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int read_task(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    seen_tgid = BPF_CORE_READ(task, tgid);
    seen_parent_tgid = BPF_CORE_READ(task, real_parent, tgid);
    struct task_struct___local *local = (void *)task;
    flavoured_parent_tgid = BPF_CORE_READ(local, real_parent, tgid);
    has_pid_field = bpf_core_field_exists(task->pid);
    task_size = bpf_core_type_size(struct task_struct);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

// A kfunc call: bpf_task_from_pid / bpf_task_release, resolved by id in the kernel's BTF.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

const volatile __u32 target_tgid = 0;
__s32 found_pid = -1;

SEC("tp_btf/sys_enter")
int use_kfunc(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    struct task_struct *t = bpf_task_from_pid(target_tgid);
    if (!t)
        return 0;
    found_pid = t->pid;
    bpf_task_release(t);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

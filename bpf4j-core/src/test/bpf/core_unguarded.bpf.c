// For LoadFailureTest: a read of a field no kernel has, not guarded by bpf_core_field_exists. bpf4j
// poisons the instruction; the verifier reaches it and the error must name the field and this line.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___future {
    int bpf4j_no_such_field;
} __attribute__((preserve_access_index));

int seen_pid = 0;
int seen_future = 0;

SEC("tp/syscalls/sys_enter_getpid")
int reads_the_future(void *ctx)
{
    struct task_struct *t = (void *)bpf_get_current_task();
    struct task_struct___future *f = (void *)t;
    seen_pid = BPF_CORE_READ(t, pid);
    seen_future = BPF_CORE_READ(f, bpf4j_no_such_field);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

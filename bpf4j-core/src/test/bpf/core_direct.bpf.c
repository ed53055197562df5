// Direct loads and stores through preserve_access_index types (as in tp_btf/fentry programs): CO-RE
// rewrites the access's offset, and its size when the kernel's unsigned integer is wider or narrower
// than declared. A signed field of another size cannot be resized (sign extension): poisoned.
// Not meant to pass the verifier (it stores to kernel memory); only relocated.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___narrow {
    char comm[16];
    short pid;                      // signed, 4 bytes in the kernel: poisoned
    unsigned short flags;           // unsigned int in the kernel: the 2-byte load becomes 4 bytes
    unsigned long long personality; // unsigned int in the kernel: 8-byte load and store become 4 bytes
    unsigned int atomic_flags;      // unsigned long in the kernel: the 4-byte load becomes 8 bytes
    struct task_struct___narrow *real_parent;
} __attribute__((preserve_access_index));

struct task_struct___future {
    int bpf4j_no_such_field;
} __attribute__((preserve_access_index));

__u64 out[8];

SEC("tp_btf/sched_process_exec")
int direct(struct task_struct___narrow *t)
{
    out[0] = t->pid;
    out[1] = t->flags;
    out[2] = t->comm[3];
    out[3] = (__u64)t->real_parent;
    out[5] = t->personality;
    out[6] = t->atomic_flags;
    t->personality = 5;
    return 0;
}

SEC("tp_btf/sched_process_exec")
int unguarded_missing(struct task_struct___future *f)
{
    out[4] = f->bpf4j_no_such_field;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

// CO-RE relocations of every kind against the running kernel's types; loadable as tracepoints so that
// libbpf (through bpftool) can relocate the same object as a reference. Included vmlinux.h is
// generated from /sys/kernel/btf/vmlinux by the test.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

// Flavoured local views of kernel types: "___suffix" is ignored when looking the type up.
struct task_struct___mine {
    int pid;
    int tgid;
    struct task_struct___mine *real_parent;
} __attribute__((preserve_access_index));

// A field no kernel has: reading it must be poisoned, checking it must give 0.
struct task_struct___future {
    int bpf4j_no_such_field;
} __attribute__((preserve_access_index));

// No kernel type has this name at all.
struct bpf4j_no_such_type {
    int x;
} __attribute__((preserve_access_index));

// Same name as the kernel's, but pid is 8 bytes here: does not TYPE_MATCH.
struct task_struct___wrong_size {
    long pid;
} __attribute__((preserve_access_index));

// A flavoured enum with a flavoured enumerator, and one the kernel lacks.
enum pid_type___mine {
    PIDTYPE_SID___mine = 42,
    BPF4J_NO_SUCH_PIDTYPE___mine = 43,
};

// Members that the kernel keeps inside anonymous unions/structs, declared flat here.
struct sk_buff___flat {
    __u64 tstamp;
    void (*destructor)(struct sk_buff *skb);
    unsigned int len;
} __attribute__((preserve_access_index));

__u64 out[32];

SEC("tp/syscalls/sys_enter_getpid")
int read_fields(void *ctx)
{
    struct task_struct *t = (void *)bpf_get_current_task();
    out[0] = BPF_CORE_READ(t, pid);
    out[1] = BPF_CORE_READ(t, tgid);
    out[2] = BPF_CORE_READ(t, real_parent, tgid);
    return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int read_flavoured(void *ctx)
{
    struct task_struct___mine *t = (void *)bpf_get_current_task();
    out[3] = BPF_CORE_READ(t, pid);
    out[4] = BPF_CORE_READ(t, real_parent, tgid);
    return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int read_bitfield(void *ctx)
{
    struct task_struct *t = (void *)bpf_get_current_task();
    out[5] = BPF_CORE_READ_BITFIELD_PROBED(t, in_execve);
    out[6] = BPF_CORE_READ_BITFIELD_PROBED(t, init_private_fork_class);
    return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int checks(void *ctx)
{
    struct task_struct *t = (void *)bpf_get_current_task();
    struct task_struct___future *f = (void *)t;
    out[7] = bpf_core_field_exists(t->pid);
    out[8] = bpf_core_field_exists(f->bpf4j_no_such_field);
    out[9] = bpf_core_type_exists(struct task_struct);
    out[10] = bpf_core_type_exists(struct bpf4j_no_such_type);
    out[11] = bpf_core_type_size(struct task_struct);
    out[12] = bpf_core_field_size(t->comm);
    out[13] = __builtin_preserve_field_info(t->pid, BPF_FIELD_SIGNED);
    out[14] = bpf_core_enum_value_exists(enum pid_type, PIDTYPE_TGID);
    out[15] = bpf_core_enum_value(enum pid_type, PIDTYPE_SID);
    out[16] = bpf_core_enum_value(enum pid_type___mine, PIDTYPE_SID___mine);
    out[17] = bpf_core_enum_value_exists(enum pid_type___mine, BPF4J_NO_SUCH_PIDTYPE___mine);
    out[18] = bpf_core_enum_value(enum perf_callchain_context, PERF_CONTEXT_KERNEL);
    out[19] = bpf_core_type_id_kernel(struct task_struct);
    out[20] = bpf_core_type_matches(struct task_struct___mine);
    out[21] = bpf_core_type_matches(struct task_struct___wrong_size);
    out[22] = bpf_core_type_size(struct bpf4j_no_such_type);
    out[23] = bpf_core_field_exists(t->comm[3]);
    out[28] = bpf_core_type_id_local(struct task_struct);
    return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int guarded_missing(void *ctx)
{
    struct task_struct___future *f = (void *)bpf_get_current_task();
    if (bpf_core_field_exists(f->bpf4j_no_such_field))
        out[24] = BPF_CORE_READ(f, bpf4j_no_such_field);
    return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int anonymous_members(void *ctx)
{
    struct sk_buff___flat *skb = (void *)bpf_get_current_task(); // only the offsets matter
    out[25] = BPF_CORE_READ(skb, tstamp);
    out[26] = (__u64)BPF_CORE_READ(skb, destructor);
    out[27] = BPF_CORE_READ(skb, len);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

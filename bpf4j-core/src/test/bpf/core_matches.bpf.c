// TYPE_MATCHES and the looser type compatibility of TYPE_EXISTS/TYPE_SIZE on many shapes; the
// expected answers are libbpf's (see CoreRelocatorLibbpfTest).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___m1 { int pid; struct task_struct___m1 *real_parent; };
struct task_struct___m2 { unsigned int pid; };
struct task_struct___m3 { int pid; struct mm_struct *mm; };
enum pid_type___m4 { PIDTYPE_PID___m4, PIDTYPE_TGID___m4 };
enum pid_type___m5 { BPF4J_PIDTYPE_FOO };
typedef long pid_t___m7;
union bpf_attr___m8 { __u32 map_type; };
struct task_struct___m9 { char comm[16]; };
struct task_struct___m10 { char comm[8]; };
struct sk_buff___m11 { void (*destructor)(struct sk_buff *skb); };
struct sk_buff___m12 { void (*destructor)(void); };
struct sk_buff___m13 { int (*destructor)(struct sk_buff *skb); };
struct task_struct___m14 { int pid; void *real_parent; };
struct task_struct___m15 { long pid; };
union task_struct___m16 { int pid; };
struct task_struct___m17 { int pid; int bpf4j_extra; };
struct task_struct___m18 { int pid; union bpf4j_u { int a; } *real_parent; };

__u64 out[64];

SEC("tp/syscalls/sys_enter_getpid")
int matches(void *ctx)
{
    out[0] = bpf_core_type_matches(struct task_struct___m1);
    out[1] = bpf_core_type_matches(struct task_struct___m2);
    out[2] = bpf_core_type_matches(struct task_struct___m3);
    out[3] = bpf_core_type_matches(enum pid_type___m4);
    out[4] = bpf_core_type_matches(enum pid_type___m5);
    out[5] = bpf_core_type_matches(pid_t);
    out[6] = bpf_core_type_matches(pid_t___m7);
    out[7] = bpf_core_type_matches(union bpf_attr___m8);
    out[8] = bpf_core_type_matches(struct task_struct___m9);
    out[9] = bpf_core_type_matches(struct task_struct___m10);
    out[10] = bpf_core_type_matches(struct sk_buff___m11);
    out[11] = bpf_core_type_matches(struct sk_buff___m12);
    out[12] = bpf_core_type_matches(struct sk_buff___m13);
    out[13] = bpf_core_type_matches(struct task_struct___m14);
    out[14] = bpf_core_type_matches(struct task_struct___m15);
    out[15] = bpf_core_type_matches(union task_struct___m16);
    out[16] = bpf_core_type_matches(struct task_struct___m17);
    out[17] = bpf_core_type_matches(struct task_struct___m18);
    out[18] = bpf_core_type_matches(struct task_struct);
    out[19] = bpf_core_type_matches(struct sk_buff);
    return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int compatible(void *ctx)
{
    out[20] = bpf_core_type_exists(struct task_struct___m2);
    out[21] = bpf_core_type_exists(enum pid_type___m5);
    out[22] = bpf_core_type_exists(pid_t___m7);
    out[23] = bpf_core_type_exists(union task_struct___m16);
    out[24] = bpf_core_type_size(struct task_struct___m10);
    out[25] = bpf_core_type_size(pid_t___m7);
    out[26] = bpf_core_type_id_kernel(pid_t);
    out[27] = bpf_core_type_exists(struct sk_buff___m12);
    out[28] = bpf_core_type_size(enum pid_type___m5);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

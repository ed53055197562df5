// Typed __ksym externs (bpf4j passes the id of the kernel's BTF VAR, BPF_PSEUDO_BTF_ID; the kernel
// fills in the address and the verifier knows the type), for KsymGuestCheck in the QEMU guest and
// ExternsTest on this host. CO-RE: vmlinux.h is written from this host's BTF and rq->cpu is relocated
// against the guest's. Debian 6.1's vmlinux BTF has VARs for per-cpu variables only (its one DATASEC
// is .data..percpu), so both variables here are per-cpu: a struct (runqueues) and an int (cpu_number).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern const struct rq runqueues __ksym;
extern const int cpu_number __ksym;
extern const int bpf4j_no_such_variable __ksym __weak;
extern const int bpf4j_missing_variable __ksym;
extern const volatile unsigned long jiffies __ksym; // not per-cpu: no VAR in 6.1's BTF, so not typed there

const volatile __u32 target_tgid = 0;

__u64 hits = 0;
__u64 runqueues_address = 0;
__s64 smp_id = -1;
__s64 this_rq_cpu = -1;
__s64 rq0_cpu = -1;
__s64 rq1_cpu = -1;
__s64 this_cpu_number = -1;
__s64 cpu_number_of_0 = -1;
__s64 cpu_number_of_1 = -1;
__u64 weak_address = 1;
__u64 weak_absent = 0;
__s64 weak_value = -1;

SEC("?tracepoint/syscalls/sys_enter_getppid")
int typed(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    smp_id = bpf_get_smp_processor_id();
    // The address the kernel itself found (kallsyms_lookup_name) for the VAR's name.
    runqueues_address = (__u64)&runqueues;
    struct rq *rq = bpf_this_cpu_ptr(&runqueues);
    this_rq_cpu = rq->cpu;
    struct rq *rq0 = bpf_per_cpu_ptr(&runqueues, 0);
    if (rq0)
        rq0_cpu = rq0->cpu;
    struct rq *rq1 = bpf_per_cpu_ptr(&runqueues, 1);
    if (rq1)
        rq1_cpu = rq1->cpu;
    this_cpu_number = *(const int *)bpf_this_cpu_ptr(&cpu_number);
    const int *n0 = bpf_per_cpu_ptr(&cpu_number, 0);
    if (n0)
        cpu_number_of_0 = *n0;
    const int *n1 = bpf_per_cpu_ptr(&cpu_number, 1);
    if (n1)
        cpu_number_of_1 = *n1;
    hits++;
    return 0;
}

// An absent __weak extern is a constant 0: the verifier then never walks the branch that reads it.
SEC("?tracepoint/syscalls/sys_enter_getppid")
int weak_typed(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    weak_address = (__u64)&bpf4j_no_such_variable;
    if (&bpf4j_no_such_variable)
        weak_value = *(const int *)bpf_this_cpu_ptr(&bpf4j_no_such_variable);
    else
        weak_absent = 1;
    hits++;
    return 0;
}

SEC("?tracepoint/syscalls/sys_enter_getppid")
int missing_typed(void *ctx)
{
    weak_value = *(const int *)bpf_this_cpu_ptr(&bpf4j_missing_variable);
    return 0;
}

SEC("?tracepoint/syscalls/sys_enter_getppid")
int typed_jiffies(void *ctx)
{
    weak_value = jiffies;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

// Typeless __ksym externs (only an address; bpf4j takes it from /proc/kallsyms), for KsymGuestCheck
// in the QEMU guest (Debian's 6.1 has CONFIG_KALLSYMS_ALL) and ExternsTest on this host (which has
// not: there only the weak and missing cases can load or fail). Each program acts only for the
// target tgid, so the guest's other getppid callers stay out.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const void runqueues __ksym;   // per-cpu: kallsyms gives its offset in the per-cpu area
extern const void jiffies __ksym;     // a plain global: in kallsyms, but no VAR in 6.1's BTF
extern const void bpf4j_no_such_symbol __ksym __weak;
extern const void bpf4j_missing_symbol __ksym;

const volatile __u32 target_tgid = 0;

__u64 hits = 0;
__u64 runqueues_address = 0;
__u64 jiffies_address = 0;
__u64 jiffies_value = 0;
__u64 weak_address = 1;
__u64 missing_address = 1;

SEC("?tracepoint/syscalls/sys_enter_getppid")
int typeless(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    runqueues_address = (__u64)&runqueues;
    jiffies_address = (__u64)&jiffies;
    // A typeless address is a number to the verifier: read through it with a helper.
    bpf_probe_read_kernel(&jiffies_value, sizeof(jiffies_value), &jiffies);
    hits++;
    return 0;
}

SEC("?tracepoint/syscalls/sys_enter_getppid")
int weak_typeless(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    weak_address = (__u64)&bpf4j_no_such_symbol;
    hits++;
    return 0;
}

SEC("?tracepoint/syscalls/sys_enter_getppid")
int missing_typeless(void *ctx)
{
    missing_address = (__u64)&bpf4j_missing_symbol;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

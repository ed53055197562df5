// A typed __ksym variable that a module defines, not vmlinux: x_tables' per-cpu xt_recseq. bpf4j
// finds its VAR in the module's BTF and names that BTF by fd in the load (KsymGuestCheck, in QEMU,
// after insmod x_tables). CO-RE: vmlinux.h from this host; seqcount_t relocated against the guest's.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern const seqcount_t xt_recseq __ksym;

const volatile __u32 target_tgid = 0;

__u64 hits = 0;
__u64 address = 0;
__s64 sequence = -1;

SEC("tracepoint/syscalls/sys_enter_getppid")
int module_typed(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    // The address the kernel found for the module's symbol (its per-cpu base, as kallsyms lists it).
    address = (__u64)&xt_recseq;
    // seqcount_t is a typedef: 6.1's verifier dereferences BTF pointers to structs only, so read it as memory.
    const seqcount_t *s = bpf_this_cpu_ptr(&xt_recseq);
    unsigned int seq = 1;
    if (bpf_probe_read_kernel(&seq, sizeof(seq), s) == 0)
        sequence = seq;
    hits++;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

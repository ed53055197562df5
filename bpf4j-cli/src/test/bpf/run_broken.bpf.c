#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_getppid")
int broken(void *ctx)
{
    return undeclared_variable + 1;
}

char LICENSE[] SEC("license") = "GPL";

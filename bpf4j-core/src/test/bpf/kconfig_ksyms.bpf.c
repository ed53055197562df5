// Externs resolved against the running kernel: .kconfig values and a .ksyms kernel variable.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern _Bool CONFIG_BPF_SYSCALL __kconfig;
extern const void runqueues __ksym;

__u32 seen_version = 0;
__s32 seen_hz = 0;
__u32 seen_bpf_syscall = 0;
__u64 ksym_address = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int read_kconfig(void *ctx)
{
    seen_version = LINUX_KERNEL_VERSION;
    seen_hz = CONFIG_HZ;
    seen_bpf_syscall = CONFIG_BPF_SYSCALL;
    return 0;
}

SEC("?tracepoint/syscalls/sys_enter_getppid")
int read_ksym(void *ctx)
{
    ksym_address = (__u64)&runqueues;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

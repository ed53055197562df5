// ksyscall, kretsyscall, fmod_ret, lsm and lsm.s, for GuestAttachCheck in the QEMU guest (Debian's
// 6.1, whose default LSM list ends in bpf). Unlike guest_attach.bpf.c this one uses CO-RE (vmlinux.h written
// from this host's BTF): libbpf's BPF_KSYSCALL reads the syscall's arguments with BPF_CORE_READ
// from the pt_regs the wrapper is given, and the field reads below are relocated against the
// guest's BTF at load.
//
// All of them act on getpgid(2) or on opening the files the test names, and only for the guest program's own tgid
// (the JVM's other threads and the shell stay out of the counts).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define EPERM 1
#define EACCES 13

const volatile __u32 target_tgid = 0;
// fmod_ret answers getpgid(fmod_pid) with fmod_value instead of letting the kernel look.
const volatile __s32 fmod_pid = 0;
const volatile __s32 fmod_value = 0;
// The lsm program refuses opening the file with this inode (EPERM), the lsm.s one that one (EACCES).
const volatile __u64 lsm_ino = 0;
const volatile __u64 lsm_s_ino = 0;

__u64 ksyscall_hits = 0;
__u64 kretsyscall_hits = 0;
// getpgid's argument as BPF_KSYSCALL hands it over, and the return value as kretsyscall sees it.
__s64 ksyscall_arg = 0;
__s64 kretsyscall_ret = 0;
__u64 fmod_calls = 0;
__u64 fmod_injected = 0;
__u64 lsm_denied = 0;
__u64 lsm_s_denied = 0;

static __always_inline int mine(void)
{
    return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("ksyscall/getpgid")
int BPF_KSYSCALL(on_ksyscall, pid_t pid)
{
    if (mine()) {
        __sync_fetch_and_add(&ksyscall_hits, 1);
        ksyscall_arg = pid;
    }
    return 0;
}

SEC("kretsyscall/getpgid")
int BPF_KRETPROBE(on_kretsyscall, long ret)
{
    if (mine()) {
        __sync_fetch_and_add(&kretsyscall_hits, 1);
        kretsyscall_ret = ret;
    }
    return 0;
}

// fmod_ret needs a function on the kernel's error-injection list or a security_* one; Debian's 6.1
// is built without CONFIG_FUNCTION_ERROR_INJECTION (no list, so no syscall qualifies), so this is
// the LSM call getpgid(2) makes for a pid other than 0. A non-zero return skips the function and
// becomes its result, which getpgid hands to user space as is; 0 lets the function run.
SEC("fmod_ret/security_task_getpgid")
int BPF_PROG(on_fmod_ret, struct task_struct *p, int ret)
{
    if (!mine())
        return 0;
    __sync_fetch_and_add(&fmod_calls, 1);
    if (p->pid != fmod_pid)
        return 0;
    __sync_fetch_and_add(&fmod_injected, 1);
    return fmod_value;
}

// ret is what the LSMs before bpf decided; a denial there stands.
static __always_inline int refuse(struct file *file, int ret, __u64 ino, __u64 *count, int err)
{
    if (ret != 0)
        return ret;
    if (mine() && file->f_inode->i_ino == ino) {
        __sync_fetch_and_add(count, 1);
        return -err;
    }
    return 0;
}

SEC("lsm/file_open")
int BPF_PROG(on_lsm, struct file *file, int ret)
{
    return refuse(file, ret, lsm_ino, &lsm_denied, EPERM);
}

SEC("lsm.s/file_open")
int BPF_PROG(on_lsm_s, struct file *file, int ret)
{
    return refuse(file, ret, lsm_s_ino, &lsm_s_denied, EACCES);
}

char LICENSE[] SEC("license") = "GPL";

// For ObjectCommandTest: what 'object disasm' names beside instructions: a CO-RE field access, a
// call to a subprogram, a callback passed to bpf_loop, a global variable.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct {
    int pid;
    int tgid;
} __attribute__((preserve_access_index));

int seen = 0;

static int step(__u32 index, void *ctx)
{
    seen++;
    return 0;
}

__noinline int read_tgid(struct task_struct *t)
{
    int tgid = 0;
    bpf_probe_read_kernel(&tgid, sizeof(tgid), &t->tgid);
    return tgid;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int show(void *ctx)
{
    struct task_struct *t = (struct task_struct *)bpf_get_current_task();
    seen = read_tgid(t);
    bpf_loop(3, step, NULL, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

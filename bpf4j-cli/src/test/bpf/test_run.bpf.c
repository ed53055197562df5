// For TestRunCommandTest: programs of the kinds BPF_PROG_TEST_RUN runs, each leaving globals of
// several BTF types behind. The values the test expects follow from this source.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct point {
    int x;
    short y;
    char tag[4];
};

const volatile int factor = 1;
__u64 runs = 0;
int last = 0;
char word[6] = "none";
__u16 history[4] = {0, 0, 0, 0};
struct point where = {0};
__u64 raw_arg0 = 99;

SEC("xdp")
int xdp_twice(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    runs++;
    last = (int)(end - data) * factor;
    history[runs & 3] = (__u16)runs;
    where.x = -5;
    where.y = 300;
    __builtin_memcpy(where.tag, "ab", 3);
    __builtin_memcpy(word, "seen", 5);
    return XDP_PASS;
}

/* Adds one to the first byte of the packet and sends it back out. */
SEC("xdp")
int xdp_mark(struct xdp_md *ctx)
{
    __u8 *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    if ((void *)(data + 1) > end)
        return XDP_ABORTED;
    data[0] += 1;
    return XDP_TX;
}

SEC("raw_tp/sys_enter")
int raw_args(__u64 *ctx)
{
    runs++;
    raw_arg0 = ctx[0];
    return 5;
}

struct call_args {
    int a;
    int b;
};

SEC("syscall")
int syscall_sum(struct call_args *args)
{
    int sum = args->a + args->b + 40;
    runs++;
    args->a = sum; /* a syscall program's context is written back to the caller */
    return sum;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int not_runnable(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

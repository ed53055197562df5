#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("not_a_section/anything")
int misplaced(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

// A USDT program written without libbpf's usdt.bpf.h: the object has no __bpf_usdt_specs map for
// bpf4j to fill, so attaching must say to include the header (UsdtTest).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("usdt")
int plain(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

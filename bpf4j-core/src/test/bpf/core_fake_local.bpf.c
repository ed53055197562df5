// Reads of the pretend kernel's types (core_fake_kernel.bpf.c) declared with another layout.
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct bpf4j_rec {
    char c;            // inside an anonymous struct inside an anonymous union in the kernel
    long b;
    int d;
    unsigned int mode : 7;
    int tail[];        // flexible: any index is fine
} __attribute__((preserve_access_index));

struct bpf4j_arr {
    struct bpf4j_rec recs[4];
} __attribute__((preserve_access_index));

struct bpf4j_twin {
    int y;
} __attribute__((preserve_access_index));

typedef struct bpf4j_rec bpf4j_rec_t;

enum bpf4j_color {
    BPF4J_GREEN = 2,
};

__u64 out[16];

SEC("tp/syscalls/sys_enter_getpid")
int fake_reads(void *ctx)
{
    struct bpf4j_rec *r = (void *)bpf_get_current_task();
    struct bpf4j_arr *a = (void *)r;
    out[0] = BPF_CORE_READ(r, c);
    out[1] = BPF_CORE_READ(r, b);
    out[2] = BPF_CORE_READ(r, d);
    out[3] = BPF_CORE_READ_BITFIELD_PROBED(r, mode);
    out[4] = bpf_core_field_offset(r->tail[5]);
    out[5] = BPF_CORE_READ(a, recs[2].b);
    out[6] = bpf_core_enum_value(enum bpf4j_color, BPF4J_GREEN);
    out[7] = bpf_core_type_size(struct bpf4j_arr);
    out[11] = bpf_core_type_size(bpf4j_rec_t);
    out[12] = bpf_core_type_exists(bpf4j_rec_t);
    return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int ambiguous(void *ctx)
{
    struct bpf4j_twin *t = (void *)bpf_get_current_task();
    out[8] = BPF_CORE_READ(t, y);
    return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int module_read(void *ctx)
{
    struct bpf4j_mod_only { int field; } __attribute__((preserve_access_index)) *m = (void *)bpf_get_current_task();
    out[9] = BPF_CORE_READ(m, field);
    out[10] = bpf_core_type_id_kernel(struct bpf4j_mod_only);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

// A pretend kernel: its BTF is used as a CO-RE target in tests that need layouts this machine's
// kernel does not have (flexible arrays, anonymous members, ambiguous flavours). Never loaded.
#include <linux/types.h>

struct bpf4j_rec {
    int a;
    union {
        struct {
            long b;
            char c;
        };
        int d;
    };
    unsigned int flags : 3;
    unsigned int mode : 7;
    int tail[];
};

struct bpf4j_arr {
    int n;
    struct bpf4j_rec recs[4];
};

// Two kernel types with the same essential name: a local "struct bpf4j_twin" matches both.
struct bpf4j_twin___a {
    int x;
    int y;
};

struct bpf4j_twin___b {
    int y;
};

enum bpf4j_color {
    BPF4J_RED = 1,
    BPF4J_GREEN = 7,
};

typedef struct bpf4j_rec bpf4j_rec_t;

struct bpf4j_rec rec_var;
struct bpf4j_arr arr_var;
struct bpf4j_twin___a twin_a;
struct bpf4j_twin___b twin_b;
enum bpf4j_color color_var;
bpf4j_rec_t typedef_var;

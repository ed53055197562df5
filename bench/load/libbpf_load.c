// Reference for bench/load/load-vs-libbpf.sh: open + load + close of a BPF object with libbpf,
// N times in one process (in-process figure) or once (whole-process figure). Compiled at bench time
// against the system's libbpf; never shipped.
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) { return 0; }

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s OBJ N\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[2]);
    libbpf_set_print(quiet);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) {
        struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
        if (!obj || bpf_object__load(obj)) {
            fprintf(stderr, "libbpf could not load %s\n", argv[1]);
            return 1;
        }
        bpf_object__close(obj);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double us = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 / n;
    printf("%.1f\n", us);
    return 0;
}

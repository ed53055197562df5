// Reference for bench/load/load-vs-libbpf.sh: a C loader as users write it, on the skeleton
// `bpftool gen skeleton OBJ name bench` makes (the object's bytes embedded, libbpf underneath):
// open + load + destroy, N times in one process (in-process figure) or once (whole-process figure).
// Compiled at bench time against the system's libbpf; never shipped.
#include "bench.skel.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) { return 0; }

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s N\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]);
    libbpf_set_print(quiet);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) {
        struct bench *skel = bench__open_and_load();
        if (!skel) {
            fprintf(stderr, "libbpf could not open and load the skeleton's object\n");
            return 1;
        }
        bench__destroy(skel);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double us = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 / n;
    printf("%.1f\n", us);
    return 0;
}

// Reference for bench/map-ops: the same loops as MapOpsBench.java, in C on libbpf's map calls
// (bpf_map_lookup_elem / bpf_map_update_elem). Compiled at bench time only; never shipped.
//
// With a third argument "threaded" an idle second thread is started first. That matters: the
// kernel looks an fd up faster in a single-threaded process (fdget's fast path skips the file
// reference count when the fd table is not shared), and a JVM always has many threads, so the
// threaded run is the like-for-like reference for Java.
#include <bpf/bpf.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int map_create(enum bpf_map_type type, unsigned max)
{
    int fd = bpf_map_create(type, NULL, 4, 8, max, NULL);
    if (fd < 0) {
        perror("bpf_map_create");
        exit(1);
    }
    return fd;
}

/* CPU time of this thread (user + system): the cost of the calls themselves, which other load on a
 * shared machine does not inflate the way it inflates wall-clock time. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *idle(void *arg)
{
    pause();
    return arg;
}

int main(int argc, char **argv)
{
    pthread_t thread;
    if (argc > 3 && strcmp(argv[3], "threaded") == 0)
        pthread_create(&thread, NULL, idle, NULL);
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    int array = map_create(BPF_MAP_TYPE_ARRAY, 1024);
    int hash = map_create(BPF_MAP_TYPE_HASH, 1024);
    uint32_t key;
    uint64_t value = 0;
    double best_lookup = 0, best_update = 0;
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        for (long i = 0; i < n; i++) {
            key = i & 1023;
            if (bpf_map_lookup_elem(array, &key, &value) < 0) {
                perror("lookup");
                return 1;
            }
        }
        double t1 = now();
        for (long i = 0; i < n; i++) {
            key = i & 1023;
            value = i;
            if (bpf_map_update_elem(hash, &key, &value, BPF_ANY) < 0) {
                perror("update");
                return 1;
            }
        }
        double t2 = now();
        double lookup = n / (t1 - t0), update = n / (t2 - t1);
        if (lookup > best_lookup)
            best_lookup = lookup;
        if (update > best_update)
            best_update = update;
    }
    printf("lookup_ops_per_s %.0f\nupdate_ops_per_s %.0f\n", best_lookup, best_update);
    return 0;
}

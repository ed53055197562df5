// Reference for bench/map-ops: the same loops as MapOpsBench.java, calling the raw bpf(2)
// syscall from C. Compiled at bench time only; never shipped.
//
// With a third argument "threaded" an idle second thread is started first. That matters: the
// kernel looks an fd up faster in a single-threaded process (fdget's fast path skips the file
// reference count when the fd table is not shared), and a JVM always has many threads, so the
// threaded run is the like-for-like reference for Java.
#include <linux/bpf.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long bpf(int cmd, union bpf_attr *attr, unsigned size)
{
    return syscall(__NR_bpf, cmd, attr, size);
}

static int map_create(int type, unsigned max)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = type;
    a.key_size = 4;
    a.value_size = 8;
    a.max_entries = max;
    int fd = bpf(BPF_MAP_CREATE, &a, sizeof(a));
    if (fd < 0) {
        perror("BPF_MAP_CREATE");
        exit(1);
    }
    return fd;
}

static int elem(int cmd, int fd, void *key, void *value, uint64_t flags)
{
    union bpf_attr a;
    memset(&a, 0, 32);
    a.map_fd = fd;
    a.key = (uint64_t)(uintptr_t)key;
    a.value = (uint64_t)(uintptr_t)value;
    a.flags = flags;
    return bpf(cmd, &a, 32);
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
            if (elem(BPF_MAP_LOOKUP_ELEM, array, &key, &value, 0) < 0) {
                perror("lookup");
                return 1;
            }
        }
        double t1 = now();
        for (long i = 0; i < n; i++) {
            key = i & 1023;
            value = i;
            if (elem(BPF_MAP_UPDATE_ELEM, hash, &key, &value, BPF_ANY) < 0) {
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

// The user-space side of UsdtTest: a program with SystemTap SDT probes (sys/sdt.h, from
// systemtap-sdt-dev), compiled for the host at test time together with usdt_guarded.c. Built with
// -O0 so the compiler passes the probe arguments in all three forms the notes' argument strings
// know: constants ($N), registers (%reg) and stack memory (off(%rbp)). Prints whether the
// semaphore of test:guarded was raised, i.e. whether a tracer was attached to it.
#include <sys/sdt.h>
#include <stdio.h>

int guarded(void);

// GCC names a global probe argument by symbol, as in 8@counter(%rip): an operand bpf4j (like
// libbpf) cannot turn into an argument spec, so attaching must say so. clang copies the global to
// the stack first, so this probe's argument string is written out literally (STAP_PROBE_ASM).
long counter = 7;

int main(int argc, char **argv)
{
    (void)argv;
    signed char c = -7;
    unsigned short s = 65000;
    int i = -123456;
    long l = 0x123456789abcL;
    unsigned char uc = 200;
    // Register variables make -O0 pass these two in registers: %rbx (8 bytes) and %r12w (2 bytes)
    register long reg __asm__("rbx") = argc * 3 + 1;
    register short neg __asm__("r12") = (short)(-argc * 1000);
    // 1-byte signed, 2-byte unsigned, 4-byte signed, 8-byte (all in memory), a negative constant,
    // an 8-byte and a signed 2-byte register, 1-byte unsigned in memory
    STAP_PROBE8(test, args, c, s, i, l, -5, reg, neg, uc);

    int seen = guarded();

    // One probe, two call sites: each gets its own uprobe, and its own argument spec.
    STAP_PROBE1(test, twice, 1);
    STAP_PROBE1(test, twice, 2);

    __asm__ __volatile__("" STAP_PROBE_ASM(test, global, 8@counter(%rip)));

    printf("semaphore %d\n", seen);
    return 0;
}

// A probe guarded by a semaphore, in its own file because sys/sdt.h gives either every probe of a
// file a semaphore or none: _SDT_HAS_SEMAPHORES makes each probe's note carry the address of
// PROVIDER_NAME_semaphore, which the kernel increments while a uprobe with ref_ctr_offset is on it.
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

unsigned short test_guarded_semaphore __attribute__((unused)) __attribute__((section(".probes")));

int guarded(void)
{
    if (test_guarded_semaphore) {
        STAP_PROBE1(test, guarded, 42);
        return 1;
    }
    return 0;
}

package io.bpf4j.testing.qemu;

import java.util.function.Supplier;

/**
 * One boot shared by every test of a class: booted when the first test asks, and a boot that failed
 * (a timeout, a panic, no kernel package) fails or skips every later test with the same exception
 * instead of booting again (a boot costs 20-60 s under emulation).
 */
public final class SharedBoot {
    private final Supplier<GuestResult> boot;
    private GuestResult result;
    private RuntimeException failure;

    public SharedBoot(Supplier<GuestResult> boot) {
        this.boot = boot;
    }

    public synchronized GuestResult get() {
        if (failure != null) {
            throw failure;
        }
        if (result == null) {
            try {
                result = boot.get();
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return result;
    }
}

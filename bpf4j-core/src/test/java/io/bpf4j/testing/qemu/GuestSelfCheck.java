package io.bpf4j.testing.qemu;

import io.bpf4j.host.Capabilities;
import io.bpf4j.host.KernelRelease;

/**
 * Runs inside the QEMU guest ({@link QemuGuestTest}): proves that bpf4j's own classes, shipped with
 * {@link GuestFile#testClasspath()}, load and run there. No JUnit: the guest has none.
 */
public final class GuestSelfCheck {
    private GuestSelfCheck() {
    }

    public static void main(String[] args) {
        System.out.println("bpf4j-release=" + KernelRelease.current());
        System.out.println("bpf4j-cap-bpf=" + Capabilities.ofCurrentProcess().has(Capabilities.Cap.CAP_BPF));
        for (String a : args) {
            System.out.println("arg=" + a);
        }
    }
}

package io.bpf4j.load;

import io.bpf4j.sys.Os;

import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * What a load needs first and a fresh JVM is slow to set up, prepared on a background thread while
 * the caller does other work (parses the object, runs clang): the native call path (~45 ms on the
 * first system call) and then the kernel's BTF (~70 ms; most objects have CO-RE relocations or BTF
 * attach targets). A load that gets there first waits for the same work; it is not done twice.
 */
public final class LoadPreparation {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private LoadPreparation() {
    }

    /** Starts the preparation, once per process; later calls do nothing. */
    public static void startInBackground() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread.ofPlatform().daemon().name("bpf4j-prepare").start(() -> {
            try {
                Os.prepareNativeCalls();
                if (Files.isReadable(KernelBtf.VMLINUX)) {
                    KernelBtf.vmlinux();
                }
            } catch (RuntimeException e) {
                // Nothing is kept: the load that needs the same thing does it again and reports the error.
            }
            // The thread stays (parked, a daemon) instead of ending: a thread that exits runs the
            // programs attached to sched_process_exit, and would show up in their output.
            while (true) {
                LockSupport.park();
            }
        });
    }
}

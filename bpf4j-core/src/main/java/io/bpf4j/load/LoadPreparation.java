package io.bpf4j.load;

import io.bpf4j.btf.KernelBtf;
import io.bpf4j.sys.Os;

import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a load needs first and a fresh JVM is slow to set up, prepared on a background thread while
 * the caller does other work (parses the object, runs clang): the native call path (~45 ms on the
 * first system call) and then the kernel's BTF (~70 ms; most objects have CO-RE relocations or BTF
 * attach targets). A load that gets there first waits for the same work; it is not done twice.
 */
public final class LoadPreparation {
    private static final AtomicReference<Thread> THREAD = new AtomicReference<>();

    private LoadPreparation() {
    }

    /** Starts the preparation, once per process; later calls do nothing. */
    public static void startInBackground() {
        if (THREAD.get() != null) {
            return;
        }
        // Nothing of the caller's context is kept: the thread only touches bpf4j's own classes.
        Thread t = Thread.ofPlatform().daemon().name("bpf4j-prepare").inheritInheritableThreadLocals(false)
                .unstarted(LoadPreparation::prepare);
        t.setContextClassLoader(null);
        if (THREAD.compareAndSet(null, t)) {
            t.start();
        }
    }

    private static void prepare() {
        try {
            Os.prepareNativeCalls();
            if (Files.isReadable(KernelBtf.VMLINUX)) {
                KernelBtf.vmlinux();
            }
        } catch (RuntimeException e) {
            // Nothing is kept: the load that needs the same thing does it again and reports the error.
        }
    }

    /**
     * Waits until the preparation thread has ended, so that it never ends while a program is
     * attached: a thread's exit runs the programs attached to sched_process_exit, and would show
     * in their output. Called at the end of a load, by which time the thread's work is done.
     */
    static void awaitEnd() {
        Thread t = THREAD.get();
        if (t == null) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

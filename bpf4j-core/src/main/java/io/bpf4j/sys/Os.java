package io.bpf4j.sys;

/** Process and thread ids straight from the kernel (the JDK caches the pid; tests need real syscalls). */
public final class Os {
    private Os() {
    }

    /** getpid(2): a real system call on every invocation. */
    public static int getpid() {
        return Native.getpid();
    }

    /** gettid(2): the kernel id of the calling thread. */
    public static int gettid() {
        return Native.gettid();
    }
}

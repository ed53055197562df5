package io.bpf4j.sys;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An owned file descriptor of a kernel object (map, program, BTF, link, perf event, epoll).
 * Closing releases the fd exactly once; closing again does nothing, so every owner can simply
 * close in a finally block or try-with-resources.
 */
public final class Fd implements AutoCloseable {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Fd.class, "value", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int value;
    private final int original;
    private final String kind;

    private Fd(int value, String kind) {
        this.value = value;
        this.original = value;
        this.kind = kind;
    }

    /**
     * Takes ownership of an open fd (e.g. one received from another process or library).
     *
     * @param kind what the fd refers to, for messages: "map", "prog", "btf", "link", "perf_event"
     */
    public static Fd adopt(int fd, String kind) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        return new Fd(fd, kind);
    }

    /** The fd number; fails when already closed (using a closed fd could hit an unrelated file). */
    public int value() {
        int v = value;
        if (v < 0) {
            throw new IllegalStateException(this + " is closed");
        }
        return v;
    }

    public boolean isOpen() {
        return value >= 0;
    }

    /** What the fd refers to: "map", "prog", "btf", "link", ... */
    public String kind() {
        return kind;
    }

    /**
     * What the kernel says the fd is, from its anonymous inode: "bpf-map", "bpf-prog", "bpf_link", ...
     * BPF_OBJ_GET_INFO_BY_FD answers for every BPF object, each in its own layout, so a pinned path
     * is checked with this before its info is read.
     */
    public String objectKind() {
        try {
            String link = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + value())).toString();
            return link.startsWith("anon_inode:") ? link.substring("anon_inode:".length()) : link;
        } catch (java.io.IOException e) {
            return "unknown object";
        }
    }

    /** A second, independently owned fd for the same kernel object (F_DUPFD_CLOEXEC). */
    public Fd dup() {
        Native.Scratch s = Native.scratch();
        int r = Native.dupCloexec(s, value());
        if (r < 0) {
            throw Failures.of("dup", s.errno(), toString());
        }
        return new Fd(r, kind);
    }

    /** Gives up ownership without closing: returns the number, after which close() does nothing. */
    public int release() {
        int v = (int) VALUE.getAndSet(this, -1);
        if (v < 0) {
            throw new IllegalStateException(this + " is closed");
        }
        return v;
    }

    @Override
    public void close() {
        int v = (int) VALUE.getAndSet(this, -1);
        if (v >= 0) {
            // close(2) releases the fd even when it reports an error (EINTR, EIO), so never retry.
            Native.close(Native.scratch(), v);
        }
    }

    @Override
    public String toString() {
        int v = value;
        return v >= 0 ? kind + " fd " + v : kind + " fd " + original + " (closed)";
    }
}

package io.bpf4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An epoll instance (epoll(7)) for waiting on ring buffer and perf buffer fds. Not thread-safe: one
 * consumer thread owns it.
 */
public final class Epoll implements AutoCloseable {
    public static final int EPOLLIN = 0x1;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    /** struct epoll_event is packed on x86_64 (12 bytes: u32 events, u64 data) and 16 bytes elsewhere. */
    private static final long EVENT_SIZE = Native.X86_64 ? 12 : 16;
    private static final long DATA_OFFSET = Native.X86_64 ? 4 : 8;

    private final Fd fd;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment events;
    private final int maxEvents;
    private final long[] ready;

    private Epoll(Fd fd, int maxEvents) {
        this.fd = fd;
        this.maxEvents = maxEvents;
        this.events = arena.allocate(EVENT_SIZE * maxEvents, 8);
        this.ready = new long[maxEvents];
    }

    /** epoll_create1(EPOLL_CLOEXEC), reporting up to {@code maxEvents} fds per wait. */
    public static Epoll create(int maxEvents) {
        Native.Scratch s = Native.scratch();
        int r = Native.epollCreate1(s, EPOLL_CLOEXEC);
        if (r < 0) {
            throw Failures.of("epoll_create1", s.errno(), "an epoll instance");
        }
        return new Epoll(Fd.adopt(r, "epoll"), maxEvents);
    }

    /** Watches {@code target} for {@code events} (e.g. {@link #EPOLLIN}); {@code data} comes back from wait. */
    public void add(Fd target, int eventMask, long data) {
        Native.Scratch s = Native.scratch();
        MemorySegment ev = s.buffer(16);
        ev.set(JAVA_INT, 0, eventMask);
        ev.set(JAVA_LONG.withByteAlignment(4), DATA_OFFSET, data);
        if (Native.epollCtl(s, fd.value(), EPOLL_CTL_ADD, target.value(), ev) < 0) {
            throw Failures.of("epoll_ctl(ADD)", s.errno(), target.toString());
        }
    }

    public void remove(Fd target) {
        Native.Scratch s = Native.scratch();
        if (Native.epollCtl(s, fd.value(), EPOLL_CTL_DEL, target.value(), s.buffer(16)) < 0) {
            throw Failures.of("epoll_ctl(DEL)", s.errno(), target.toString());
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever, 0: poll) and returns how many fds are ready;
     * their {@code data} values are {@link #data(int)} 0..n-1. An interrupted wait returns 0.
     */
    public int await(int timeoutMillis) {
        Native.Scratch s = Native.scratch();
        int n = Native.epollWait(s, fd.value(), events, maxEvents, timeoutMillis);
        if (n < 0) {
            if (s.errno() == 4) { // EINTR: a signal arrived; the caller simply waits again
                return 0;
            }
            throw Failures.of("epoll_wait", s.errno(), fd.toString());
        }
        for (int i = 0; i < n; i++) {
            ready[i] = events.get(JAVA_LONG.withByteAlignment(4), i * EVENT_SIZE + DATA_OFFSET);
        }
        return n;
    }

    /** The data of the i-th ready fd of the last {@link #await}. */
    public long data(int i) {
        return ready[i];
    }

    @Override
    public void close() {
        fd.close();
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}

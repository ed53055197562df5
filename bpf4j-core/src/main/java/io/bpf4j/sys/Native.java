package io.bpf4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The FFM downcalls into libc. Every handle is created once, lives in a {@code static final}
 * field and is called with {@code invokeExact}, so after JIT a call costs the native call itself.
 * Each handle captures errno into a per-thread segment ({@link Scratch#errno}) instead of
 * allocating per call.
 */
@SuppressWarnings("restricted") // this class is the sanctioned native boundary
final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** Syscall numbers differ per architecture (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h). */
    static final long SYS_BPF;
    static final long SYS_PERF_EVENT_OPEN;
    static final long SYS_GETTID;
    private static final long SYS_READ;
    private static final long SYS_CLOSE;
    private static final long SYS_MMAP;
    private static final long SYS_MUNMAP;
    private static final long SYS_IOCTL;
    /** x86_64 packs some structs (epoll_event) that other architectures align naturally. */
    static final boolean X86_64;
    /** Why system calls cannot be made here (an architecture whose numbers bpf4j does not know), else null. */
    private static final String UNSUPPORTED;

    static {
        String arch = System.getProperty("os.arch");
        X86_64 = arch.equals("amd64") || arch.equals("x86_64");
        String unsupported = null;
        switch (arch) {
            case "amd64", "x86_64" -> {
                SYS_BPF = 321;
                SYS_PERF_EVENT_OPEN = 298;
                SYS_GETTID = 186;
                SYS_READ = 0;
                SYS_CLOSE = 3;
                SYS_MMAP = 9;
                SYS_MUNMAP = 11;
                SYS_IOCTL = 16;
            }
            case "aarch64", "arm64", "riscv64", "loongarch64" -> {
                // The asm-generic table shared by the newer architectures.
                SYS_BPF = 280;
                SYS_PERF_EVENT_OPEN = 241;
                SYS_GETTID = 178;
                SYS_READ = 63;
                SYS_CLOSE = 57;
                SYS_MMAP = 222;
                SYS_MUNMAP = 215;
                SYS_IOCTL = 29;
            }
            default -> {
                // Not an initialisation error: that would leave the class unusable and the message lost
                // for every later caller. Each system call reports it instead.
                SYS_BPF = SYS_PERF_EVENT_OPEN = SYS_GETTID = SYS_READ = SYS_CLOSE = SYS_MMAP = SYS_MUNMAP = SYS_IOCTL = -1;
                unsupported = "bpf4j does not know the syscall numbers of architecture " + arch
                        + "; supported: x86_64, aarch64, riscv64, loongarch64";
            }
        }
        UNSUPPORTED = unsupported;
    }

    // Generating a downcall stub costs a fresh JVM ~9 ms, so the calls a load or an attachment makes
    // share one: syscall(2) with six variadic longs (pointers passed as addresses), which the kernel
    // reads as its arguments whatever their number. The rarer libc calls each sit in a holder class
    // of their own, created on first use. static final keeps every handle constant for the JIT.
    private static final class Syscall {
        static final MethodHandle H = downcall("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    }

    private static final class DupCloexec {
        static final MethodHandle H = downcall("fcntl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    }

    private static final class EpollCreate1 {
        static final MethodHandle H = downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    }

    private static final class EpollCtl {
        static final MethodHandle H = downcall("epoll_ctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), -1);
    }

    private static final class EpollWait {
        static final MethodHandle H = downcall("epoll_wait",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), -1);
    }

    private static final class Open {
        static final MethodHandle H = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    }

    private static final class Getpid {
        static final MethodHandle H = downcall("getpid", FunctionDescriptor.of(JAVA_INT), -1);
    }

    private static final class Socket {
        static final MethodHandle H = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), -1);
    }

    private static final class Bind {
        static final MethodHandle H = downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), -1);
    }

    private static final class Setsockopt {
        static final MethodHandle H = downcall("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), -1);
    }

    static final int F_DUPFD_CLOEXEC = 1030;

    private Native() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd, int firstVariadic) {
        MemorySegment address = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new ExceptionInInitializerError("libc has no symbol " + name));
        return firstVariadic < 0
                ? LINKER.downcallHandle(address, fd, CAPTURE_ERRNO)
                : LINKER.downcallHandle(address, fd, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    /**
     * Per-thread native memory reused by every call of that thread: the errno capture, the
     * {@code union bpf_attr} buffer and a small scratch area for keys, values and names.
     */
    static final class Scratch {
        /** Large enough for every bpf_attr member this library writes (the 6.18 union is under 200 bytes). */
        static final int ATTR_SIZE = 256;
        final Arena arena = Arena.ofAuto();
        final MemorySegment errno = arena.allocate(CAPTURE_LAYOUT);
        final MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
        private MemorySegment buffer = arena.allocate(512, 8);

        /** A zeroed-on-request scratch buffer of at least {@code size} bytes; grows, never shrinks. */
        MemorySegment buffer(long size) {
            if (buffer.byteSize() < size) {
                buffer = arena.allocate(Math.max(size, buffer.byteSize() * 2), 8);
            }
            return buffer;
        }

        int errno() {
            return (int) ERRNO.get(errno, 0L);
        }

        /** Zeroes the first {@code size} bytes of the attr buffer and returns it. */
        MemorySegment attr(long size) {
            attr.asSlice(0, size).fill((byte) 0);
            return attr;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() {
        return SCRATCH.get();
    }

    /** bpf(cmd, attr, size); returns the raw result (-1 with errno in the scratch on failure). */
    static long bpf(Scratch s, int cmd, long size) {
        return syscall(s, SYS_BPF, cmd, s.attr.address(), size, 0, 0, 0);
    }

    static long perfEventOpen(Scratch s, MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        long r = syscall(s, SYS_PERF_EVENT_OPEN, addressOf(attr), pid, cpu, groupFd, flags, 0);
        Reference.reachabilityFence(attr);
        return r;
    }

    static int close(Scratch s, int fd) {
        return (int) syscall(s, SYS_CLOSE, fd, 0, 0, 0, 0, 0);
    }

    static int dupCloexec(Scratch s, int fd) {
        try {
            return (int) DupCloexec.H.invokeExact(s.errno, fd, F_DUPFD_CLOEXEC, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ioctl(Scratch s, int fd, long request, long arg) {
        return (int) syscall(s, SYS_IOCTL, fd, request, arg, 0, 0, 0);
    }

    static MemorySegment mmap(Scratch s, long length, int prot, int flags, int fd, long offset) {
        long r = syscall(s, SYS_MMAP, 0, length, prot, flags, fd, offset);
        return MemorySegment.ofAddress(r);
    }

    static int munmap(Scratch s, MemorySegment address, long length) {
        return (int) syscall(s, SYS_MUNMAP, address.address(), length, 0, 0, 0, 0);
    }

    static int epollCreate1(Scratch s, int flags) {
        try {
            return (int) EpollCreate1.H.invokeExact(s.errno, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int epollCtl(Scratch s, int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EpollCtl.H.invokeExact(s.errno, epfd, op, fd, event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int epollWait(Scratch s, int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        try {
            return (int) EpollWait.H.invokeExact(s.errno, epfd, events, maxEvents, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int open(Scratch s, MemorySegment path, int flags) {
        try {
            return (int) Open.H.invokeExact(s.errno, path, flags, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int socket(Scratch s, int domain, int type, int protocol) {
        try {
            return (int) Socket.H.invokeExact(s.errno, domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int bind(Scratch s, int fd, MemorySegment addr, int len) {
        try {
            return (int) Bind.H.invokeExact(s.errno, fd, addr, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int setsockopt(Scratch s, int fd, int level, int name, MemorySegment value, int len) {
        try {
            return (int) Setsockopt.H.invokeExact(s.errno, fd, level, name, value, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long read(Scratch s, int fd, MemorySegment buf, long count) {
        long r = syscall(s, SYS_READ, fd, addressOf(buf), Math.min(count, buf.byteSize()), 0, 0, 0);
        Reference.reachabilityFence(buf);
        return r;
    }

    static int getpid() {
        try {
            return (int) Getpid.H.invokeExact(scratch().errno);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int gettid() {
        Scratch s = scratch();
        return (int) syscall(s, SYS_GETTID, 0, 0, 0, 0, 0, 0);
    }

    /** The address of native memory that is still alive: what FFM checks for ADDRESS arguments, done by hand here. */
    private static long addressOf(MemorySegment segment) {
        if (!segment.isNative() || !segment.scope().isAlive()) {
            throw new IllegalArgumentException("a system call needs live native memory, not " + segment);
        }
        return segment.address();
    }

    /** syscall(nr, a..f): the raw result, -1 with errno in the scratch on failure. */
    private static long syscall(Scratch s, long nr, long a, long b, long c, long d, long e, long f) {
        if (UNSUPPORTED != null) {
            throw new UnsupportedOperationException(UNSUPPORTED);
        }
        try {
            return (long) Syscall.H.invokeExact(s.errno, nr, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}

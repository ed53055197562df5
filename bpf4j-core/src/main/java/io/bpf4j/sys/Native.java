package io.bpf4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
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
    /** x86_64 packs some structs (epoll_event) that other architectures align naturally. */
    static final boolean X86_64;

    static {
        String arch = System.getProperty("os.arch");
        X86_64 = arch.equals("amd64") || arch.equals("x86_64");
        switch (arch) {
            case "amd64", "x86_64" -> {
                SYS_BPF = 321;
                SYS_PERF_EVENT_OPEN = 298;
                SYS_GETTID = 186;
            }
            case "aarch64", "arm64", "riscv64", "loongarch64" -> {
                // The asm-generic table shared by the newer architectures.
                SYS_BPF = 280;
                SYS_PERF_EVENT_OPEN = 241;
                SYS_GETTID = 178;
            }
            default -> throw new ExceptionInInitializerError("bpf4j does not know the syscall numbers of architecture "
                    + arch + "; supported: x86_64, aarch64, riscv64, loongarch64");
        }
    }

    /** long syscall(long nr, ...) called with three variadic longs: bpf(cmd, attr, size), perf_event_open needs five. */
    private static final MethodHandle SYSCALL3 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG), 1);
    private static final MethodHandle SYSCALL5 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle DUP_CLOEXEC = downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 2);
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), -1);
    private static final MethodHandle EPOLL_WAIT = downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle GETPID = downcall("getpid", FunctionDescriptor.of(JAVA_INT), -1);
    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle READ = downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);

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
        try {
            return (long) SYSCALL3.invokeExact(s.errno, SYS_BPF, (long) cmd, s.attr, size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long perfEventOpen(Scratch s, MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        try {
            return (long) SYSCALL5.invokeExact(s.errno, SYS_PERF_EVENT_OPEN, attr, (long) pid, (long) cpu,
                    (long) groupFd, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(Scratch s, int fd) {
        try {
            return (int) CLOSE.invokeExact(s.errno, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int dupCloexec(Scratch s, int fd) {
        try {
            return (int) DUP_CLOEXEC.invokeExact(s.errno, fd, F_DUPFD_CLOEXEC, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ioctl(Scratch s, int fd, long request, long arg) {
        try {
            return (int) IOCTL.invokeExact(s.errno, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment mmap(Scratch s, long length, int prot, int flags, int fd, long offset) {
        try {
            return (MemorySegment) MMAP.invokeExact(s.errno, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int munmap(Scratch s, MemorySegment address, long length) {
        try {
            return (int) MUNMAP.invokeExact(s.errno, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int epollCreate1(Scratch s, int flags) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(s.errno, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int epollCtl(Scratch s, int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL.invokeExact(s.errno, epfd, op, fd, event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int epollWait(Scratch s, int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        try {
            return (int) EPOLL_WAIT.invokeExact(s.errno, epfd, events, maxEvents, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int open(Scratch s, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(s.errno, path, flags, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int socket(Scratch s, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(s.errno, domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int bind(Scratch s, int fd, MemorySegment addr, int len) {
        try {
            return (int) BIND.invokeExact(s.errno, fd, addr, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int setsockopt(Scratch s, int fd, int level, int name, MemorySegment value, int len) {
        try {
            return (int) SETSOCKOPT.invokeExact(s.errno, fd, level, name, value, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long read(Scratch s, int fd, MemorySegment buf, long count) {
        try {
            return (long) READ.invokeExact(s.errno, fd, buf, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int getpid() {
        try {
            return (int) GETPID.invokeExact(scratch().errno);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int gettid() {
        Scratch s = scratch();
        try {
            return (int) (long) SYSCALL3.invokeExact(s.errno, SYS_GETTID, 0L, MemorySegment.NULL, 0L);
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

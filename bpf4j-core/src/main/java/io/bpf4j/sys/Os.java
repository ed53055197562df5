package io.bpf4j.sys;

import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * Small system calls around BPF: opening the directories and namespace files that attach targets
 * are (cgroups, network namespaces), and process/thread ids straight from the kernel.
 */
public final class Os {
    public static final int O_RDONLY = 0;
    public static final int O_DIRECTORY = 0x10000;
    private static final int O_CLOEXEC = 0x80000;

    private Os() {
    }

    /**
     * Makes one harmless system call, so that the native call path exists: a fresh JVM spends ~45 ms
     * generating it on the first call. A thread that calls meanwhile waits for the same path, it is
     * not built twice.
     */
    public static void prepareNativeCalls() {
        Native.gettid();
    }

    /**
     * open(2) with O_CLOEXEC: an fd for a cgroup directory ({@code O_RDONLY | O_DIRECTORY}), a netns
     * file (/proc/self/ns/net) or a binary, as BPF_PROG_ATTACH and BPF_LINK_CREATE targets.
     */
    public static Fd open(Path path, int flags) {
        Native.Scratch s = Native.scratch();
        try (Arena arena = Arena.ofConfined()) {
            int r = Native.open(s, arena.allocateFrom(path.toString()), flags | O_CLOEXEC);
            if (r < 0) {
                throw Failures.of("open", s.errno(), path.toString());
            }
            return Fd.adopt(r, "file");
        }
    }

    /**
     * Reads an fd to its end (read(2) until 0): what an iterator fd from BPF_ITER_CREATE produces,
     * the program running once per read.
     */
    public static byte[] readAll(Fd fd) {
        Native.Scratch s = Native.scratch();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            java.lang.foreign.MemorySegment buf = arena.allocate(1 << 16);
            while (true) {
                long n = Native.read(s, fd.value(), buf, buf.byteSize());
                if (n < 0) {
                    int errno = s.errno();
                    if (errno == 4) { // EINTR: try again
                        continue;
                    }
                    throw Failures.of("read", errno, fd.toString());
                }
                if (n == 0) {
                    return out.toByteArray();
                }
                out.write(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 0, (int) n);
            }
        }
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

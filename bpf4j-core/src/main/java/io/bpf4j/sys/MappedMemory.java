package io.bpf4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Kernel memory mapped into this process: the value area of a BPF_F_MMAPABLE array, a ring
 * buffer, a perf buffer. {@link #segment()} is valid until {@link #close()}, which unmaps it; any
 * access after that fails with IllegalStateException instead of touching unmapped memory.
 */
@SuppressWarnings("restricted") // wraps the address mmap returned, with its real length
public final class MappedMemory implements AutoCloseable {
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;

    private final Arena arena;
    private final MemorySegment segment;

    private MappedMemory(Arena arena, MemorySegment segment) {
        this.arena = arena;
        this.segment = segment;
    }

    /** Maps {@code length} bytes of the map's value area read-write (the map needs BPF_F_MMAPABLE). */
    public static MappedMemory ofMap(Fd map, long length) {
        return map(map, length, PROT_READ | PROT_WRITE, 0);
    }

    /**
     * mmap(NULL, length, prot, MAP_SHARED, fd, offset).
     *
     * @param prot PROT_READ (1) | PROT_WRITE (2)
     */
    public static MappedMemory map(Fd fd, long length, int prot, long offset) {
        Native.Scratch s = Native.scratch();
        MemorySegment raw = Native.mmap(s, length, prot, MAP_SHARED, fd.value(), offset);
        if (raw.address() == -1L) {
            throw Failures.of("mmap", s.errno(), fd + " (" + length + " bytes at offset " + offset
                    + "; an array map must be created with BPF_F_MMAPABLE)");
        }
        Arena arena = Arena.ofShared();
        MemorySegment seg = raw.reinterpret(length, arena, m -> Native.munmap(Native.scratch(), m, length));
        return new MappedMemory(arena, seg);
    }

    public MemorySegment segment() {
        return segment;
    }

    /** Unmaps the memory; idempotent. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}

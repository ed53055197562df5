package io.bpf4j.load;

import io.bpf4j.spec.MapSpec;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.MapInfo;
import io.bpf4j.sys.MapType;
import io.bpf4j.sys.MappedMemory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A map in the kernel, owned by its {@link BpfObject}: lookups, updates, deletes and iteration on
 * byte arrays of the map's key and value sizes (per-CPU maps: one 8-byte-aligned slot per possible CPU).
 * Global-data maps are also mmapped, so their variables are read and written without a syscall.
 */
public final class BpfMap implements AutoCloseable {
    private final MapSpec spec;
    private final String kernelName;
    private final Fd fd;
    private final MappedMemory mapped;
    /** struct_ops maps: the value that registers them, once their programs are loaded. */
    private byte[] structOpsValue;
    /** struct_ops maps: created with BPF_F_LINK, so registered by BPF_LINK_CREATE (else by a map update). */
    private boolean structOpsLink;

    BpfMap(MapSpec spec, String kernelName, Fd fd, MappedMemory mapped) {
        this.spec = spec;
        this.kernelName = kernelName;
        this.fd = fd;
        this.mapped = mapped;
    }

    /** The name in the object: the variable name, or the section name (".data", ".rodata") for global data. */
    public String name() {
        return spec.name();
    }

    /** The name the kernel keeps (15 characters at most), as bpftool shows it. */
    public String kernelName() {
        return kernelName;
    }

    public MapSpec spec() {
        return spec;
    }

    public MapType type() {
        return spec.type();
    }

    public Fd fd() {
        return fd;
    }

    public MapInfo info() {
        return Bpf.mapInfo(fd);
    }

    /** The size of one value as lookups return it: per-CPU maps hold a slot per possible CPU. */
    public int valueBufferSize() {
        return isPerCpu() ? ((spec.valueSize() + 7) & ~7) * PossibleCpus.count() : spec.valueSize();
    }

    private boolean isPerCpu() {
        return switch (spec.type()) {
            case PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH, PERCPU_CGROUP_STORAGE -> true;
            default -> false;
        };
    }

    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        return Optional.ofNullable(Bpf.mapLookup(fd, key, valueBufferSize()));
    }

    /** Updates with BPF_ANY, BPF_NOEXIST, BPF_EXIST or BPF_F_LOCK ({@link Bpf#ANY} and friends). */
    public void update(byte[] key, byte[] value, long flags) {
        checkKey(key);
        if (value.length != valueBufferSize()) {
            throw new LoadException("map " + name() + ": a value is " + valueBufferSize() + " bytes, got " + value.length);
        }
        Bpf.mapUpdate(fd, key, value, flags);
    }

    /** True when the key was there. */
    public boolean delete(byte[] key) {
        checkKey(key);
        return Bpf.mapDelete(fd, key);
    }

    /** Every key, in the kernel's iteration order (a snapshot: a map that changes meanwhile may skip or repeat keys). */
    public List<byte[]> keys() {
        List<byte[]> out = new ArrayList<>();
        byte[] key = null;
        while ((key = Bpf.mapNextKey(fd, key, spec.keySize())) != null) {
            out.add(key);
            if (out.size() > 100_000_000) {
                break;
            }
        }
        return out;
    }

    /** One key and its value, as {@link #entries()} returns them. */
    public record Entry(byte[] key, byte[] value) {
    }

    /** How many elements one BPF_MAP_LOOKUP_BATCH call asks for. */
    private static final int BATCH = 256;

    /**
     * Every key with its value: with BPF_MAP_LOOKUP_BATCH (a few syscalls for the whole map) where the
     * kernel and the map type have it, else key by key (two syscalls per element).
     */
    public List<Entry> entries() {
        try {
            return batchEntries();
        } catch (io.bpf4j.sys.BpfException.InvalidArgument | io.bpf4j.sys.BpfException.NotSupported e) {
            List<Entry> out = new ArrayList<>();
            for (byte[] k : keys()) {
                lookup(k).ifPresent(v -> out.add(new Entry(k, v)));
            }
            return out;
        }
    }

    private List<Entry> batchEntries() {
        int keySize = spec.keySize();
        int valueSize = valueBufferSize();
        List<Entry> out = new ArrayList<>();
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment keys = arena.allocate((long) keySize * BATCH, 8);
            MemorySegment values = arena.allocate((long) valueSize * BATCH, 8);
            // The batch tokens are opaque to user space: a bucket index or a key, so the larger of the two.
            long tokenSize = Math.max(8, keySize);
            MemorySegment in = null;
            MemorySegment outToken = arena.allocate(tokenSize, 8);
            MemorySegment spare = arena.allocate(tokenSize, 8);
            while (true) {
                Bpf.BatchResult r = Bpf.mapLookupBatch(fd, in, outToken, keys, values, BATCH, 0, false);
                for (int i = 0; i < r.count(); i++) {
                    out.add(new Entry(keys.asSlice((long) i * keySize, keySize).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                            values.asSlice((long) i * valueSize, valueSize).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
                }
                if (r.done()) {
                    return out;
                }
                MemorySegment t = spare;
                spare = outToken;
                outToken = t;
                in = spare;
            }
        }
    }

    void structOpsLink(boolean link) {
        this.structOpsLink = link;
    }

    void structOpsValue(byte[] value) {
        this.structOpsValue = value.clone();
    }

    /**
     * For a struct_ops map: the value (the kernel's wrapper struct, program fds in its function
     * pointers) whose update at key 0 registers a map not made for links; empty for other maps.
     */
    public Optional<byte[]> structOpsValue() {
        return Optional.ofNullable(structOpsValue).map(byte[]::clone);
    }

    /**
     * True for a struct_ops map made with BPF_F_LINK (its value already written): it is registered by
     * BPF_LINK_CREATE. False for plain {@code .struct_ops} maps and for {@code .struct_ops.link} ones on
     * kernels before 6.4, which register by a map update.
     */
    public boolean registersWithLink() {
        return structOpsLink;
    }

    /** The mmapped contents of a global-data map (its single value), when it was mapped. */
    public Optional<MemorySegment> memory() {
        return Optional.ofNullable(mapped).map(MappedMemory::segment);
    }

    private void checkKey(byte[] key) {
        if (key.length != spec.keySize()) {
            throw new LoadException("map " + name() + ": a key is " + spec.keySize() + " bytes, got " + key.length);
        }
    }

    @Override
    public void close() {
        if (structOpsValue != null && !structOpsLink) {
            // A struct_ops map registered by an update holds itself: without the delete it would stay registered
            // after its last fd closes. Deleting an unregistered one fails harmlessly (ENOENT).
            try {
                Bpf.mapDelete(fd, new byte[4]);
            } catch (RuntimeException ignored) {
                // not registered
            }
        }
        if (mapped != null) {
            mapped.close();
        }
        fd.close();
    }
}

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
        if (mapped != null) {
            mapped.close();
        }
        fd.close();
    }
}

package io.bpf4j.spec;

import io.bpf4j.sys.MapType;

import java.util.List;
import java.util.Optional;

/**
 * A map an object declares: BTF-defined in {@code .maps}, legacy in {@code maps}, a struct_ops variable
 * ({@link StructOpsSpec}), or the array map
 * that holds one global-data section ({@code .data}, {@code .rodata}, {@code .bss}, {@code .data.*},
 * {@code .rodata.*}) or the {@code .kconfig} externs.
 *
 * @param name        the map's name in the object: the variable name, or the section name for data maps
 * @param kind        where it was declared
 * @param type        the map type
 * @param keySize     key size in bytes
 * @param valueSize   value size in bytes
 * @param maxEntries  max_entries (0 allowed for ring buffers set later, and for maps resized before load)
 * @param flags       map_flags (BPF_F_*)
 * @param numaNode    NUMA node, or -1 when not given
 * @param pinning     whether the map is pinned by name under the pin directory
 * @param innerMap    for map-in-map types: the template of the inner maps
 * @param initialData for data maps: the section's bytes (zeros for .bss); empty otherwise
 * @param initialSlots for map-in-map (and prog arrays): slot index to the name of the map or program put there
 * @param btfKeyTypeId   BTF id of the key type in the object's BTF, 0 when none
 * @param btfValueTypeId BTF id of the value type (the DATASEC for data maps), 0 when none
 * @param mapExtra    map_extra (bloom filter hash count, arena address)
 */
public record MapSpec(String name, Kind kind, MapType type, int keySize, int valueSize, int maxEntries, int flags,
                      int numaNode, Pinning pinning, Optional<MapSpec> innerMap, byte[] initialData,
                      List<Slot> initialSlots, int btfKeyTypeId, int btfValueTypeId, long mapExtra) {
    public enum Kind { BTF_DEFINED, LEGACY, DATA, KCONFIG, STRUCT_OPS }

    public enum Pinning { NONE, BY_NAME }

    /** One initial entry of a map-in-map or program array: {@code values = { [3] = &other }}. */
    public record Slot(int index, String target) {
    }

    /** BPF_F_RDONLY_PROG: the program may only read (set on .rodata and .kconfig maps). */
    public static final int F_RDONLY_PROG = 1 << 7;
    /** BPF_F_MMAPABLE: user space can mmap the array (global data). */
    public static final int F_MMAPABLE = 1 << 10;
    /** BPF_F_LINK: a struct_ops map registered through a BPF link (Linux 6.4+). */
    public static final int F_LINK = 1 << 13;

    public MapSpec {
        initialData = initialData.clone();
        initialSlots = List.copyOf(initialSlots);
    }

    @Override
    public byte[] initialData() {
        return initialData.clone();
    }

    /** True for .rodata-like data maps, which are frozen after their initial values are written. */
    public boolean readOnly() {
        return (flags & F_RDONLY_PROG) != 0;
    }

    /** A copy with another max_entries (resizing before load). */
    public MapSpec withMaxEntries(int n) {
        return new MapSpec(name, kind, type, keySize, valueSize, n, flags, numaNode, pinning, innerMap, initialData,
                initialSlots, btfKeyTypeId, btfValueTypeId, mapExtra);
    }

    /** A copy with another value size (a struct_ops map takes the size of the kernel's wrapper struct). */
    public MapSpec withValueSize(int n) {
        return new MapSpec(name, kind, type, keySize, n, maxEntries, flags, numaNode, pinning, innerMap, initialData,
                initialSlots, btfKeyTypeId, btfValueTypeId, mapExtra);
    }

    /** A copy with other initial data (global variables set before load). */
    public MapSpec withInitialData(byte[] data) {
        return new MapSpec(name, kind, type, keySize, valueSize, maxEntries, flags, numaNode, pinning, innerMap, data,
                initialSlots, btfKeyTypeId, btfValueTypeId, mapExtra);
    }
}

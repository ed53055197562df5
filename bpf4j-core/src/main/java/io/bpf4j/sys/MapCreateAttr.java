package io.bpf4j.sys;

import java.util.Objects;

/**
 * What BPF_MAP_CREATE needs: every member of its struct in {@code union bpf_attr}. Start from
 * {@link #of(MapType, int, int, int)} and add the rest with the {@code with...} methods; 0 means
 * "not set" for the fd and id members as it does for the kernel.
 *
 * @param name    the map name the kernel keeps (at most 15 bytes are sent; longer names are cut)
 * @param flags   BPF_F_* map flags, e.g. {@link #F_NO_PREALLOC}, {@link #F_MMAPABLE}
 * @param btfFd   fd of the BTF object holding the key/value types, or 0
 */
public record MapCreateAttr(MapType type, int keySize, int valueSize, int maxEntries, int flags, int innerMapFd,
                            int numaNode, String name, int ifindex, int btfFd, int btfKeyTypeId,
                            int btfValueTypeId, int btfVmlinuxValueTypeId, long mapExtra) {
    /** Flags for BPF_MAP_CREATE (enum in linux/bpf.h). */
    public static final int F_NO_PREALLOC = 1;
    public static final int F_NO_COMMON_LRU = 1 << 1;
    public static final int F_NUMA_NODE = 1 << 2;
    public static final int F_RDONLY = 1 << 3;
    public static final int F_WRONLY = 1 << 4;
    public static final int F_STACK_BUILD_ID = 1 << 5;
    public static final int F_ZERO_SEED = 1 << 6;
    public static final int F_RDONLY_PROG = 1 << 7;
    public static final int F_WRONLY_PROG = 1 << 8;
    public static final int F_CLONE = 1 << 9;
    public static final int F_MMAPABLE = 1 << 10;
    public static final int F_PRESERVE_ELEMS = 1 << 11;
    public static final int F_INNER_MAP = 1 << 12;
    /** struct_ops maps registered through a BPF link (Linux 6.4+). */
    public static final int F_LINK = 1 << 13;

    public MapCreateAttr {
        Objects.requireNonNull(type, "type");
        name = name == null ? "" : name;
    }

    public static MapCreateAttr of(MapType type, int keySize, int valueSize, int maxEntries) {
        return new MapCreateAttr(type, keySize, valueSize, maxEntries, 0, 0, 0, "", 0, 0, 0, 0, 0, 0);
    }

    public MapCreateAttr withName(String n) {
        return new MapCreateAttr(type, keySize, valueSize, maxEntries, flags, innerMapFd, numaNode, n, ifindex, btfFd,
                btfKeyTypeId, btfValueTypeId, btfVmlinuxValueTypeId, mapExtra);
    }

    public MapCreateAttr withFlags(int f) {
        return new MapCreateAttr(type, keySize, valueSize, maxEntries, f, innerMapFd, numaNode, name, ifindex, btfFd,
                btfKeyTypeId, btfValueTypeId, btfVmlinuxValueTypeId, mapExtra);
    }

    public MapCreateAttr withInnerMapFd(int fd) {
        return new MapCreateAttr(type, keySize, valueSize, maxEntries, flags, fd, numaNode, name, ifindex, btfFd,
                btfKeyTypeId, btfValueTypeId, btfVmlinuxValueTypeId, mapExtra);
    }

    /** Places the map on a NUMA node; also sets {@link #F_NUMA_NODE}. */
    public MapCreateAttr withNumaNode(int node) {
        return new MapCreateAttr(type, keySize, valueSize, maxEntries, flags | F_NUMA_NODE, innerMapFd, node, name,
                ifindex, btfFd, btfKeyTypeId, btfValueTypeId, btfVmlinuxValueTypeId, mapExtra);
    }

    public MapCreateAttr withIfindex(int i) {
        return new MapCreateAttr(type, keySize, valueSize, maxEntries, flags, innerMapFd, numaNode, name, i, btfFd,
                btfKeyTypeId, btfValueTypeId, btfVmlinuxValueTypeId, mapExtra);
    }

    /** Describes key and value by BTF type ids inside the BTF object {@code fd}. */
    public MapCreateAttr withBtf(int fd, int keyTypeId, int valueTypeId) {
        return new MapCreateAttr(type, keySize, valueSize, maxEntries, flags, innerMapFd, numaNode, name, ifindex, fd,
                keyTypeId, valueTypeId, btfVmlinuxValueTypeId, mapExtra);
    }

    public MapCreateAttr withBtfVmlinuxValueTypeId(int id) {
        return new MapCreateAttr(type, keySize, valueSize, maxEntries, flags, innerMapFd, numaNode, name, ifindex, btfFd,
                btfKeyTypeId, btfValueTypeId, id, mapExtra);
    }

    /** map_extra: the bloom filter's hash count, the arena's user address. */
    public MapCreateAttr withMapExtra(long extra) {
        return new MapCreateAttr(type, keySize, valueSize, maxEntries, flags, innerMapFd, numaNode, name, ifindex, btfFd,
                btfKeyTypeId, btfValueTypeId, btfVmlinuxValueTypeId, extra);
    }

    String describe() {
        return name.isEmpty() ? "map (" + type + ")" : "map '" + name + "' (" + type + ")";
    }
}

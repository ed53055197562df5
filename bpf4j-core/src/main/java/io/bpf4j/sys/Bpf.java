package io.bpf4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The bpf(2) system call, one typed method per command. This is the entry point of the native
 * boundary: every kernel object comes back as an owned {@link Fd}, every failure as a
 * {@link BpfException} subclass whose message says what to do.
 *
 * <p>Map element methods come in two shapes: {@link MemorySegment} ones for hot loops (the segments
 * must be native; nothing is allocated or copied) and {@code byte[]} ones for convenience (copied
 * through a per-thread buffer).
 */
public final class Bpf {
    /** Element flags of BPF_MAP_UPDATE_ELEM. */
    public static final long ANY = 0;
    public static final long NOEXIST = 1;
    public static final long EXIST = 2;
    public static final long F_LOCK = 4;

    /** The largest verifier log bpf4j asks for when it fetches one itself (the kernel allows up to 4 GiB). */
    static final int MAX_AUTO_LOG = 64 << 20;
    static final int FIRST_AUTO_LOG = 256 << 10;

    private static final int OBJ_NAME_LEN = 16;
    private static final int ERRNO_ENOENT = 2;
    private static final int ERRNO_ENOSPC = 28;
    private static final int ERRNO_EACCES = 13;
    private static final int ERRNO_EINVAL = 22;
    private static final int ERRNO_EPERM = 1;
    private static final int ERRNO_ENOMEM = 12;

    private Bpf() {
    }

    // ---------------------------------------------------------------- maps

    /** BPF_MAP_CREATE. */
    public static Fd mapCreate(MapCreateAttr a) {
        Native.Scratch s = Native.scratch();
        MemorySegment attr = s.attr(BpfAttr.MapCreate.SIZE);
        attr.set(JAVA_INT, BpfAttr.MapCreate.MAP_TYPE, a.type().value());
        attr.set(JAVA_INT, BpfAttr.MapCreate.KEY_SIZE, a.keySize());
        attr.set(JAVA_INT, BpfAttr.MapCreate.VALUE_SIZE, a.valueSize());
        attr.set(JAVA_INT, BpfAttr.MapCreate.MAX_ENTRIES, a.maxEntries());
        attr.set(JAVA_INT, BpfAttr.MapCreate.MAP_FLAGS, a.flags());
        attr.set(JAVA_INT, BpfAttr.MapCreate.INNER_MAP_FD, a.innerMapFd());
        attr.set(JAVA_INT, BpfAttr.MapCreate.NUMA_NODE, a.numaNode());
        putName(attr, BpfAttr.MapCreate.MAP_NAME, a.name());
        attr.set(JAVA_INT, BpfAttr.MapCreate.MAP_IFINDEX, a.ifindex());
        attr.set(JAVA_INT, BpfAttr.MapCreate.BTF_FD, a.btfFd());
        attr.set(JAVA_INT, BpfAttr.MapCreate.BTF_KEY_TYPE_ID, a.btfKeyTypeId());
        attr.set(JAVA_INT, BpfAttr.MapCreate.BTF_VALUE_TYPE_ID, a.btfValueTypeId());
        attr.set(JAVA_INT, BpfAttr.MapCreate.BTF_VMLINUX_VALUE_TYPE_ID, a.btfVmlinuxValueTypeId());
        attr.set(JAVA_LONG, BpfAttr.MapCreate.MAP_EXTRA, a.mapExtra());
        return fdOrThrow(s, BpfCommand.MAP_CREATE, BpfAttr.MapCreate.SIZE, "map", a.describe());
    }

    /**
     * BPF_MAP_LOOKUP_ELEM into {@code value}; false when the key is absent. Both segments must be
     * native and at least key/value size long (for per-CPU maps: value size rounded to 8 × CPUs).
     */
    public static boolean mapLookup(Fd map, MemorySegment key, MemorySegment value, long flags) {
        return elem(map, BpfCommand.MAP_LOOKUP_ELEM, key, value, flags);
    }

    /** BPF_MAP_UPDATE_ELEM with {@link #ANY}, {@link #NOEXIST}, {@link #EXIST}, optionally | {@link #F_LOCK}. */
    public static void mapUpdate(Fd map, MemorySegment key, MemorySegment value, long flags) {
        Native.Scratch s = Native.scratch();
        MemorySegment attr = s.attr(BpfAttr.MapElem.SIZE);
        attr.set(JAVA_INT, BpfAttr.MapElem.MAP_FD, map.value());
        attr.set(JAVA_LONG, BpfAttr.MapElem.KEY, key.address());
        attr.set(JAVA_LONG, BpfAttr.MapElem.VALUE, value.address());
        attr.set(JAVA_LONG, BpfAttr.MapElem.FLAGS, flags);
        if (Native.bpf(s, BpfCommand.MAP_UPDATE_ELEM.value(), BpfAttr.MapElem.SIZE) < 0) {
            throw Failures.of("BPF_MAP_UPDATE_ELEM", s.errno(), map.toString());
        }
    }

    /** BPF_MAP_DELETE_ELEM; false when the key was absent. */
    public static boolean mapDelete(Fd map, MemorySegment key) {
        return elem(map, BpfCommand.MAP_DELETE_ELEM, key, MemorySegment.NULL, 0);
    }

    /**
     * BPF_MAP_GET_NEXT_KEY: writes the key after {@code key} (or the first key when {@code key} is
     * null) into {@code nextKey}; false when there is none.
     */
    public static boolean mapNextKey(Fd map, MemorySegment key, MemorySegment nextKey) {
        return elem(map, BpfCommand.MAP_GET_NEXT_KEY, key == null ? MemorySegment.NULL : key, nextKey, 0);
    }

    /** BPF_MAP_LOOKUP_AND_DELETE_ELEM (also pops queues and stacks, with a null key); false when empty/absent. */
    public static boolean mapLookupAndDelete(Fd map, MemorySegment key, MemorySegment value, long flags) {
        return elem(map, BpfCommand.MAP_LOOKUP_AND_DELETE_ELEM, key == null ? MemorySegment.NULL : key, value, flags);
    }

    private static boolean elem(Fd map, BpfCommand cmd, MemorySegment key, MemorySegment value, long flags) {
        Native.Scratch s = Native.scratch();
        MemorySegment attr = s.attr(BpfAttr.MapElem.SIZE);
        attr.set(JAVA_INT, BpfAttr.MapElem.MAP_FD, map.value());
        attr.set(JAVA_LONG, BpfAttr.MapElem.KEY, key.address());
        attr.set(JAVA_LONG, BpfAttr.MapElem.VALUE, value.address());
        attr.set(JAVA_LONG, BpfAttr.MapElem.FLAGS, flags);
        if (Native.bpf(s, cmd.value(), BpfAttr.MapElem.SIZE) < 0) {
            int errno = s.errno();
            if (errno == ERRNO_ENOENT) {
                return false;
            }
            throw Failures.of("BPF_" + cmd, errno, map.toString());
        }
        return true;
    }

    /** BPF_MAP_LOOKUP_ELEM with arrays: the value, or null when the key is absent. */
    public static byte[] mapLookup(Fd map, byte[] key, int valueSize) {
        Native.Scratch s = Native.scratch();
        long valueAt = align8(key.length);
        MemorySegment buf = s.buffer(valueAt + valueSize);
        MemorySegment.copy(key, 0, buf, JAVA_BYTE, 0, key.length);
        if (!mapLookup(map, buf, buf.asSlice(valueAt), 0)) {
            return null;
        }
        return buf.asSlice(valueAt, valueSize).toArray(JAVA_BYTE);
    }

    /** BPF_MAP_UPDATE_ELEM with arrays. */
    public static void mapUpdate(Fd map, byte[] key, byte[] value, long flags) {
        Native.Scratch s = Native.scratch();
        long valueAt = align8(key.length);
        MemorySegment buf = s.buffer(valueAt + value.length);
        MemorySegment.copy(key, 0, buf, JAVA_BYTE, 0, key.length);
        MemorySegment.copy(value, 0, buf, JAVA_BYTE, valueAt, value.length);
        mapUpdate(map, buf, buf.asSlice(valueAt), flags);
    }

    /** BPF_MAP_DELETE_ELEM with an array key; false when absent. */
    public static boolean mapDelete(Fd map, byte[] key) {
        MemorySegment buf = Native.scratch().buffer(key.length);
        MemorySegment.copy(key, 0, buf, JAVA_BYTE, 0, key.length);
        return mapDelete(map, buf);
    }

    /** BPF_MAP_GET_NEXT_KEY with arrays: the key after {@code key} (first when null), or null at the end. */
    public static byte[] mapNextKey(Fd map, byte[] key, int keySize) {
        Native.Scratch s = Native.scratch();
        long nextAt = align8(keySize);
        MemorySegment buf = s.buffer(nextAt + keySize);
        if (key != null) {
            MemorySegment.copy(key, 0, buf, JAVA_BYTE, 0, key.length);
        }
        if (!mapNextKey(map, key == null ? null : buf, buf.asSlice(nextAt))) {
            return null;
        }
        return buf.asSlice(nextAt, keySize).toArray(JAVA_BYTE);
    }

    /** BPF_MAP_FREEZE: the map becomes read-only for user space. */
    public static void mapFreeze(Fd map) {
        Native.Scratch s = Native.scratch();
        s.attr(BpfAttr.MapElem.SIZE).set(JAVA_INT, BpfAttr.MapElem.MAP_FD, map.value());
        if (Native.bpf(s, BpfCommand.MAP_FREEZE.value(), 4) < 0) {
            throw Failures.of("BPF_MAP_FREEZE", s.errno(), map.toString());
        }
    }

    /**
     * The outcome of a batch operation: how many elements were processed, and whether the map has
     * no more (the kernel's ENOENT at the end of a lookup batch, which still returns elements).
     */
    public record BatchResult(int count, boolean done) {
    }

    /**
     * BPF_MAP_LOOKUP_BATCH (or LOOKUP_AND_DELETE_BATCH when {@code delete}): reads up to {@code count}
     * elements into {@code keys} and {@code values}. {@code inBatch} is null for the first call, then
     * the previous {@code outBatch}: opaque kernel tokens (a bucket index for hash maps, a key for
     * arrays), so give them at least max(key size, 8) bytes. {@code done} says the map is exhausted.
     */
    public static BatchResult mapLookupBatch(Fd map, MemorySegment inBatch, MemorySegment outBatch, MemorySegment keys,
                                             MemorySegment values, int count, long elemFlags, boolean delete) {
        BpfCommand cmd = delete ? BpfCommand.MAP_LOOKUP_AND_DELETE_BATCH : BpfCommand.MAP_LOOKUP_BATCH;
        Native.Scratch s = Native.scratch();
        MemorySegment attr = batchAttr(s, map, keys, values, count, elemFlags);
        attr.set(JAVA_LONG, BpfAttr.Batch.IN_BATCH, inBatch == null ? 0 : inBatch.address());
        attr.set(JAVA_LONG, BpfAttr.Batch.OUT_BATCH, outBatch.address());
        if (Native.bpf(s, cmd.value(), BpfAttr.Batch.SIZE) < 0) {
            int errno = s.errno();
            if (errno == ERRNO_ENOENT) {
                return new BatchResult(attr.get(JAVA_INT, BpfAttr.Batch.COUNT), true);
            }
            throw Failures.of("BPF_" + cmd, errno, map.toString());
        }
        return new BatchResult(attr.get(JAVA_INT, BpfAttr.Batch.COUNT), false);
    }

    /** BPF_MAP_UPDATE_BATCH: writes {@code count} key/value pairs; returns how many were written. */
    public static int mapUpdateBatch(Fd map, MemorySegment keys, MemorySegment values, int count, long elemFlags) {
        Native.Scratch s = Native.scratch();
        MemorySegment attr = batchAttr(s, map, keys, values, count, elemFlags);
        if (Native.bpf(s, BpfCommand.MAP_UPDATE_BATCH.value(), BpfAttr.Batch.SIZE) < 0) {
            throw Failures.of("BPF_MAP_UPDATE_BATCH", s.errno(), map + " after "
                    + attr.get(JAVA_INT, BpfAttr.Batch.COUNT) + " elements");
        }
        return attr.get(JAVA_INT, BpfAttr.Batch.COUNT);
    }

    /** BPF_MAP_DELETE_BATCH: deletes {@code count} keys; returns how many were deleted. */
    public static int mapDeleteBatch(Fd map, MemorySegment keys, int count, long elemFlags) {
        Native.Scratch s = Native.scratch();
        MemorySegment attr = batchAttr(s, map, keys, MemorySegment.NULL, count, elemFlags);
        if (Native.bpf(s, BpfCommand.MAP_DELETE_BATCH.value(), BpfAttr.Batch.SIZE) < 0) {
            throw Failures.of("BPF_MAP_DELETE_BATCH", s.errno(), map + " after "
                    + attr.get(JAVA_INT, BpfAttr.Batch.COUNT) + " elements");
        }
        return attr.get(JAVA_INT, BpfAttr.Batch.COUNT);
    }

    private static MemorySegment batchAttr(Native.Scratch s, Fd map, MemorySegment keys, MemorySegment values,
                                           int count, long elemFlags) {
        MemorySegment attr = s.attr(BpfAttr.Batch.SIZE);
        attr.set(JAVA_LONG, BpfAttr.Batch.KEYS, keys.address());
        attr.set(JAVA_LONG, BpfAttr.Batch.VALUES, values.address());
        attr.set(JAVA_INT, BpfAttr.Batch.COUNT, count);
        attr.set(JAVA_INT, BpfAttr.Batch.MAP_FD, map.value());
        attr.set(JAVA_LONG, BpfAttr.Batch.ELEM_FLAGS, elemFlags);
        return attr;
    }

    // ---------------------------------------------------------------- programs

    /** A loaded program and the verifier log when one was asked for (else ""). */
    public record LoadedProgram(Fd fd, String log) {
    }

    /**
     * BPF_PROG_LOAD. On rejection throws {@link VerifierException} carrying the verifier log: when
     * no log was asked for, the load is repeated once with a log so the exception can say why.
     */
    public static Fd progLoad(ProgLoadAttr a) {
        return progLoadWithLog(a).fd();
    }

    /** BPF_PROG_LOAD returning the verifier log too (useful with log level 4 for statistics). */
    public static LoadedProgram progLoadWithLog(ProgLoadAttr a) {
        Native.Scratch s = Native.scratch();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(a.insns().length, 8);
            MemorySegment.copy(a.insns(), 0, insns, JAVA_BYTE, 0, a.insns().length);
            MemorySegment license = arena.allocateFrom(a.license());
            MemorySegment funcInfo = copy(arena, a.funcInfo());
            MemorySegment lineInfo = copy(arena, a.lineInfo());
            MemorySegment fdArray = MemorySegment.NULL;
            if (a.fdArray() != null && a.fdArray().length > 0) {
                fdArray = arena.allocateFrom(JAVA_INT, a.fdArray());
            }
            int level = a.logLevel();
            int size = level > 0 ? a.logSize() : 0; // the kernel wants at least 128 bytes
            while (true) {
                MemorySegment log = size > 0 ? arena.allocate(size) : MemorySegment.NULL;
                MemorySegment attr = s.attr(BpfAttr.ProgLoad.SIZE);
                attr.set(JAVA_INT, BpfAttr.ProgLoad.PROG_TYPE, a.type().value());
                attr.set(JAVA_INT, BpfAttr.ProgLoad.INSN_CNT, a.insnCount());
                attr.set(JAVA_LONG, BpfAttr.ProgLoad.INSNS, insns.address());
                attr.set(JAVA_LONG, BpfAttr.ProgLoad.LICENSE, license.address());
                attr.set(JAVA_INT, BpfAttr.ProgLoad.LOG_LEVEL, size > 0 ? level : 0);
                attr.set(JAVA_INT, BpfAttr.ProgLoad.LOG_SIZE, size);
                attr.set(JAVA_LONG, BpfAttr.ProgLoad.LOG_BUF, log.address());
                attr.set(JAVA_INT, BpfAttr.ProgLoad.KERN_VERSION, a.kernVersion());
                attr.set(JAVA_INT, BpfAttr.ProgLoad.PROG_FLAGS, a.flags());
                putName(attr, BpfAttr.ProgLoad.PROG_NAME, a.name());
                attr.set(JAVA_INT, BpfAttr.ProgLoad.PROG_IFINDEX, a.ifindex());
                attr.set(JAVA_INT, BpfAttr.ProgLoad.EXPECTED_ATTACH_TYPE,
                        a.expectedAttachType() == null ? a.structOpsMember() : a.expectedAttachType().value());
                attr.set(JAVA_INT, BpfAttr.ProgLoad.PROG_BTF_FD, a.btfFd());
                if (a.funcInfo() != null) {
                    attr.set(JAVA_INT, BpfAttr.ProgLoad.FUNC_INFO_REC_SIZE, a.funcInfoRecSize());
                    attr.set(JAVA_LONG, BpfAttr.ProgLoad.FUNC_INFO, funcInfo.address());
                    attr.set(JAVA_INT, BpfAttr.ProgLoad.FUNC_INFO_CNT, a.funcInfo().length / a.funcInfoRecSize());
                }
                if (a.lineInfo() != null) {
                    attr.set(JAVA_INT, BpfAttr.ProgLoad.LINE_INFO_REC_SIZE, a.lineInfoRecSize());
                    attr.set(JAVA_LONG, BpfAttr.ProgLoad.LINE_INFO, lineInfo.address());
                    attr.set(JAVA_INT, BpfAttr.ProgLoad.LINE_INFO_CNT, a.lineInfo().length / a.lineInfoRecSize());
                }
                attr.set(JAVA_INT, BpfAttr.ProgLoad.ATTACH_BTF_ID, a.attachBtfId());
                attr.set(JAVA_INT, BpfAttr.ProgLoad.ATTACH_PROG_FD, a.attachFd());
                attr.set(JAVA_LONG, BpfAttr.ProgLoad.FD_ARRAY, fdArray.address());
                long r = Native.bpf(s, BpfCommand.PROG_LOAD.value(), BpfAttr.ProgLoad.SIZE);
                if (r >= 0) {
                    return new LoadedProgram(Fd.adopt((int) r, "prog"), size > 0 && a.logLevel() > 0 ? string(log) : "");
                }
                int errno = s.errno();
                int trueSize = attr.get(JAVA_INT, BpfAttr.ProgLoad.LOG_TRUE_SIZE);
                if (errno == ERRNO_ENOSPC && size > 0) {
                    if (a.logLevel() > 0) {
                        throw new BpfException.LogTooSmall("BPF_PROG_LOAD", errno, a.describe()
                                + ": the verifier log did not fit in " + size + " bytes"
                                + (trueSize > 0 ? " (it needs " + trueSize + ")" : "")
                                + "; load again with a bigger log size", trueSize, string(log));
                    }
                    if (size >= MAX_AUTO_LOG) {
                        throw new VerifierException("BPF_PROG_LOAD", errno, a.describe(), string(log));
                    }
                    size = trueSize > size ? trueSize : Math.min(size * 4, MAX_AUTO_LOG);
                    continue;
                }
                if (size == 0 && errno != ERRNO_EPERM && errno != ERRNO_ENOMEM) {
                    // No log was asked for: load once more with one, so the failure can say why.
                    level = 1;
                    size = FIRST_AUTO_LOG;
                    continue;
                }
                if (errno == ERRNO_EACCES || errno == ERRNO_EINVAL) {
                    throw new VerifierException("BPF_PROG_LOAD", errno, a.describe(), string(log));
                }
                throw Failures.withLog(Failures.of("BPF_PROG_LOAD", errno, a.describe()), string(log));
            }
        }
    }

    /** BPF_PROG_TEST_RUN (alias BPF_PROG_RUN). */
    public static TestRun.Result progTestRun(Fd prog, TestRun run) {
        Native.Scratch s = Native.scratch();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dataIn = copy(arena, run.dataIn());
            MemorySegment ctxIn = copy(arena, run.ctxIn());
            MemorySegment dataOut = run.dataOutSize() > 0 ? arena.allocate(run.dataOutSize()) : MemorySegment.NULL;
            MemorySegment ctxOut = run.ctxOutSize() > 0 ? arena.allocate(run.ctxOutSize()) : MemorySegment.NULL;
            MemorySegment attr = s.attr(BpfAttr.TestRun.SIZE);
            attr.set(JAVA_INT, BpfAttr.TestRun.PROG_FD, prog.value());
            attr.set(JAVA_INT, BpfAttr.TestRun.DATA_SIZE_IN, run.dataIn() == null ? 0 : run.dataIn().length);
            attr.set(JAVA_INT, BpfAttr.TestRun.DATA_SIZE_OUT, run.dataOutSize());
            attr.set(JAVA_LONG, BpfAttr.TestRun.DATA_IN, dataIn.address());
            attr.set(JAVA_LONG, BpfAttr.TestRun.DATA_OUT, dataOut.address());
            attr.set(JAVA_INT, BpfAttr.TestRun.REPEAT, run.repeat());
            attr.set(JAVA_INT, BpfAttr.TestRun.CTX_SIZE_IN, run.ctxIn() == null ? 0 : run.ctxIn().length);
            attr.set(JAVA_INT, BpfAttr.TestRun.CTX_SIZE_OUT, run.ctxOutSize());
            attr.set(JAVA_LONG, BpfAttr.TestRun.CTX_IN, ctxIn.address());
            attr.set(JAVA_LONG, BpfAttr.TestRun.CTX_OUT, ctxOut.address());
            attr.set(JAVA_INT, BpfAttr.TestRun.FLAGS, run.flags());
            attr.set(JAVA_INT, BpfAttr.TestRun.CPU, run.cpu());
            if (Native.bpf(s, BpfCommand.PROG_TEST_RUN.value(), BpfAttr.TestRun.SIZE) < 0) {
                throw Failures.of("BPF_PROG_TEST_RUN", s.errno(), prog.toString());
            }
            int outSize = Math.min(attr.get(JAVA_INT, BpfAttr.TestRun.DATA_SIZE_OUT), run.dataOutSize());
            int ctxOutSize = Math.min(attr.get(JAVA_INT, BpfAttr.TestRun.CTX_SIZE_OUT), run.ctxOutSize());
            return new TestRun.Result(attr.get(JAVA_INT, BpfAttr.TestRun.RETVAL),
                    attr.get(JAVA_INT, BpfAttr.TestRun.DURATION),
                    outSize > 0 ? dataOut.asSlice(0, outSize).toArray(JAVA_BYTE) : new byte[0],
                    ctxOutSize > 0 ? ctxOut.asSlice(0, ctxOutSize).toArray(JAVA_BYTE) : new byte[0],
                    run.ctxIn() == null ? new byte[0] : ctxIn.toArray(JAVA_BYTE));
        }
    }

    /** BPF_PROG_ATTACH: attaches to a cgroup, sockmap, netns, ... ({@code targetFd} is that object's fd). */
    public static void progAttach(int targetFd, Fd prog, AttachType type, int flags) {
        progAttachDetach(BpfCommand.PROG_ATTACH, targetFd, prog, type, flags);
    }

    /** BPF_PROG_DETACH; {@code prog} may be null for attach types that hold one program. */
    public static void progDetach(int targetFd, Fd prog, AttachType type) {
        progAttachDetach(BpfCommand.PROG_DETACH, targetFd, prog, type, 0);
    }

    private static void progAttachDetach(BpfCommand cmd, int targetFd, Fd prog, AttachType type, int flags) {
        Native.Scratch s = Native.scratch();
        MemorySegment attr = s.attr(BpfAttr.ProgAttach.SIZE);
        attr.set(JAVA_INT, BpfAttr.ProgAttach.TARGET_FD, targetFd);
        attr.set(JAVA_INT, BpfAttr.ProgAttach.ATTACH_BPF_FD, prog == null ? 0 : prog.value());
        attr.set(JAVA_INT, BpfAttr.ProgAttach.ATTACH_TYPE, type.value());
        attr.set(JAVA_INT, BpfAttr.ProgAttach.ATTACH_FLAGS, flags);
        if (Native.bpf(s, cmd.value(), BpfAttr.ProgAttach.SIZE) < 0) {
            throw Failures.of("BPF_" + cmd, s.errno(), (prog == null ? "program" : prog.toString()) + " at "
                    + type + " of fd " + targetFd);
        }
    }

    // ---------------------------------------------------------------- BTF

    /** BPF_BTF_LOAD of a raw BTF blob (header, types, strings); a rejection carries the kernel's log. */
    public static Fd btfLoad(byte[] blob) {
        return btfLoad(blob, 0, 0);
    }

    /** BPF_BTF_LOAD with an explicit log level/size (0: a log is fetched only on failure). */
    public static Fd btfLoad(byte[] blob, int logLevel, int logSize) {
        Native.Scratch s = Native.scratch();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = copy(arena, blob);
            int level = logLevel;
            int size = logLevel > 0 ? Math.max(logSize, 1024) : 0;
            while (true) {
                MemorySegment log = size > 0 ? arena.allocate(size) : MemorySegment.NULL;
                MemorySegment attr = s.attr(BpfAttr.BtfLoad.SIZE);
                attr.set(JAVA_LONG, BpfAttr.BtfLoad.BTF, data.address());
                attr.set(JAVA_LONG, BpfAttr.BtfLoad.BTF_LOG_BUF, log.address());
                attr.set(JAVA_INT, BpfAttr.BtfLoad.BTF_SIZE, blob.length);
                attr.set(JAVA_INT, BpfAttr.BtfLoad.BTF_LOG_SIZE, size);
                attr.set(JAVA_INT, BpfAttr.BtfLoad.BTF_LOG_LEVEL, size > 0 ? level : 0);
                long r = Native.bpf(s, BpfCommand.BTF_LOAD.value(), BpfAttr.BtfLoad.SIZE);
                if (r >= 0) {
                    return Fd.adopt((int) r, "btf");
                }
                int errno = s.errno();
                int trueSize = attr.get(JAVA_INT, BpfAttr.BtfLoad.BTF_LOG_TRUE_SIZE);
                if (errno == ERRNO_ENOSPC && size > 0 && size < MAX_AUTO_LOG) {
                    if (logLevel > 0) {
                        throw new BpfException.LogTooSmall("BPF_BTF_LOAD", errno, "BTF blob of " + blob.length
                                + " bytes: the log did not fit in " + size + " bytes; load again with a bigger log",
                                trueSize, string(log));
                    }
                    size = trueSize > size ? trueSize : Math.min(size * 4, MAX_AUTO_LOG);
                    continue;
                }
                if (errno == ERRNO_EACCES || errno == ERRNO_EINVAL || errno == ERRNO_ENOSPC) {
                    if (size == 0) {
                        level = 1;
                        size = FIRST_AUTO_LOG;
                        continue;
                    }
                    throw new VerifierException("BPF_BTF_LOAD", errno, "BTF blob of " + blob.length + " bytes",
                            string(log));
                }
                throw Failures.of("BPF_BTF_LOAD", errno, "BTF blob of " + blob.length + " bytes");
            }
        }
    }

    // ---------------------------------------------------------------- objects, ids, pinning

    /** BPF_OBJ_PIN: pins the object at a path inside a bpffs mount (e.g. /sys/fs/bpf/x). */
    public static void objPin(Fd object, Path path) {
        Native.Scratch s = Native.scratch();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(path.toString());
            MemorySegment attr = s.attr(BpfAttr.Obj.SIZE);
            attr.set(JAVA_LONG, BpfAttr.Obj.PATHNAME, name.address());
            attr.set(JAVA_INT, BpfAttr.Obj.BPF_FD, object.value());
            if (Native.bpf(s, BpfCommand.OBJ_PIN.value(), BpfAttr.Obj.SIZE) < 0) {
                int errno = s.errno();
                if (errno == ERRNO_EINVAL || errno == 1) {
                    throw Failures.of("BPF_OBJ_PIN", errno, object + " at " + path
                            + " (the path must be inside a bpffs mount: mount -t bpf bpf /sys/fs/bpf)");
                }
                throw Failures.of("BPF_OBJ_PIN", errno, object + " at " + path);
            }
        }
    }

    /** BPF_OBJ_GET: opens a pinned object. {@code fileFlags}: 0, or BPF_F_RDONLY / BPF_F_WRONLY. */
    public static Fd objGet(Path path, int fileFlags) {
        Native.Scratch s = Native.scratch();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(path.toString());
            MemorySegment attr = s.attr(BpfAttr.Obj.SIZE);
            attr.set(JAVA_LONG, BpfAttr.Obj.PATHNAME, name.address());
            attr.set(JAVA_INT, BpfAttr.Obj.FILE_FLAGS, fileFlags);
            return fdOrThrow(s, BpfCommand.OBJ_GET, BpfAttr.Obj.SIZE, "pinned", "pinned object " + path);
        }
    }

    /** BPF_{PROG,MAP,BTF,LINK}_GET_NEXT_ID: the next id after {@code startId}, or 0 when there is none. */
    public static int nextId(ObjectKind kind, int startId) {
        Native.Scratch s = Native.scratch();
        MemorySegment attr = s.attr(BpfAttr.GetId.SIZE);
        attr.set(JAVA_INT, BpfAttr.GetId.START_ID, startId);
        if (Native.bpf(s, kind.nextId.value(), BpfAttr.GetId.SIZE) < 0) {
            int errno = s.errno();
            if (errno == ERRNO_ENOENT) {
                return 0;
            }
            throw Failures.of("BPF_" + kind.nextId, errno, kind.kind() + " ids after " + startId);
        }
        return attr.get(JAVA_INT, BpfAttr.GetId.NEXT_ID);
    }

    /** Every id of that kind currently in the kernel, in ascending order. */
    public static int[] ids(ObjectKind kind) {
        int[] out = new int[16];
        int n = 0;
        for (int id = nextId(kind, 0); id != 0; id = nextId(kind, id)) {
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = id;
        }
        return Arrays.copyOf(out, n);
    }

    /** BPF_{PROG,MAP,BTF,LINK}_GET_FD_BY_ID: an fd for the object with that id. */
    public static Fd fdById(ObjectKind kind, int id) {
        Native.Scratch s = Native.scratch();
        MemorySegment attr = s.attr(BpfAttr.GetId.SIZE);
        attr.set(JAVA_INT, BpfAttr.GetId.START_ID, id);
        return fdOrThrow(s, kind.fdById, BpfAttr.GetId.SIZE, kind.kind(), kind.kind() + " id " + id);
    }

    // ---------------------------------------------------------------- info

    /** BPF_OBJ_GET_INFO_BY_FD for a program, without the instructions. */
    public static ProgInfo progInfo(Fd prog) {
        return progInfo(prog, false);
    }

    /** BPF_OBJ_GET_INFO_BY_FD for a program; with {@code xlated} also its kernel-translated instructions. */
    public static ProgInfo progInfo(Fd prog, boolean xlated) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(BpfAttr.ProgInfo.SIZE, 8);
            objInfo(prog, info);
            int nrMaps = info.get(JAVA_INT, BpfAttr.ProgInfo.NR_MAP_IDS);
            int xlatedLen = info.get(JAVA_INT, BpfAttr.ProgInfo.XLATED_PROG_LEN);
            MemorySegment mapIds = arena.allocate(Math.max(4L * nrMaps, 4), 4);
            MemorySegment insns = arena.allocate(Math.max(xlatedLen, 8), 8);
            // Ask again with buffers for the variable-length parts; the counts may have changed
            // meanwhile, so the second answer is the one to trust (the kernel fills at most our sizes).
            info.fill((byte) 0);
            info.set(JAVA_INT, BpfAttr.ProgInfo.NR_MAP_IDS, nrMaps);
            info.set(JAVA_LONG, BpfAttr.ProgInfo.MAP_IDS, mapIds.address());
            if (xlated) {
                info.set(JAVA_INT, BpfAttr.ProgInfo.XLATED_PROG_LEN, xlatedLen);
                info.set(JAVA_LONG, BpfAttr.ProgInfo.XLATED_PROG_INSNS, insns.address());
            }
            objInfo(prog, info);
            int gotMaps = Math.min(nrMaps, info.get(JAVA_INT, BpfAttr.ProgInfo.NR_MAP_IDS));
            int gotXlated = xlated ? Math.min(xlatedLen, info.get(JAVA_INT, BpfAttr.ProgInfo.XLATED_PROG_LEN)) : 0;
            byte[] tag = info.asSlice(BpfAttr.ProgInfo.TAG, 8).toArray(JAVA_BYTE);
            return new ProgInfo(info.get(JAVA_INT, BpfAttr.ProgInfo.TYPE), info.get(JAVA_INT, BpfAttr.ProgInfo.ID),
                    HexFormat.of().formatHex(tag), info.get(JAVA_INT, BpfAttr.ProgInfo.JITED_PROG_LEN),
                    info.get(JAVA_INT, BpfAttr.ProgInfo.XLATED_PROG_LEN), info.get(JAVA_LONG, BpfAttr.ProgInfo.LOAD_TIME),
                    info.get(JAVA_INT, BpfAttr.ProgInfo.CREATED_BY_UID),
                    mapIds.asSlice(0, 4L * gotMaps).toArray(JAVA_INT), name(info, BpfAttr.ProgInfo.NAME),
                    info.get(JAVA_INT, BpfAttr.ProgInfo.IFINDEX), info.get(JAVA_INT, BpfAttr.ProgInfo.BTF_ID),
                    info.get(JAVA_LONG, BpfAttr.ProgInfo.RUN_TIME_NS), info.get(JAVA_LONG, BpfAttr.ProgInfo.RUN_CNT),
                    info.get(JAVA_LONG, BpfAttr.ProgInfo.RECURSION_MISSES),
                    info.get(JAVA_INT, BpfAttr.ProgInfo.VERIFIED_INSNS),
                    info.get(JAVA_INT, BpfAttr.ProgInfo.ATTACH_BTF_OBJ_ID),
                    info.get(JAVA_INT, BpfAttr.ProgInfo.ATTACH_BTF_ID),
                    insns.asSlice(0, gotXlated).toArray(JAVA_BYTE));
        }
    }

    /** BPF_OBJ_GET_INFO_BY_FD for a map. */
    public static MapInfo mapInfo(Fd map) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(BpfAttr.MapInfo.SIZE, 8);
            objInfo(map, info);
            return new MapInfo(info.get(JAVA_INT, BpfAttr.MapInfo.TYPE), info.get(JAVA_INT, BpfAttr.MapInfo.ID),
                    info.get(JAVA_INT, BpfAttr.MapInfo.KEY_SIZE), info.get(JAVA_INT, BpfAttr.MapInfo.VALUE_SIZE),
                    info.get(JAVA_INT, BpfAttr.MapInfo.MAX_ENTRIES), info.get(JAVA_INT, BpfAttr.MapInfo.MAP_FLAGS),
                    name(info, BpfAttr.MapInfo.NAME), info.get(JAVA_INT, BpfAttr.MapInfo.IFINDEX),
                    info.get(JAVA_INT, BpfAttr.MapInfo.BTF_VMLINUX_VALUE_TYPE_ID),
                    info.get(JAVA_INT, BpfAttr.MapInfo.BTF_ID), info.get(JAVA_INT, BpfAttr.MapInfo.BTF_KEY_TYPE_ID),
                    info.get(JAVA_INT, BpfAttr.MapInfo.BTF_VALUE_TYPE_ID),
                    info.get(JAVA_LONG, BpfAttr.MapInfo.MAP_EXTRA));
        }
    }

    /** BPF_OBJ_GET_INFO_BY_FD for a BTF object. */
    public static BtfInfo btfInfo(Fd btf) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(BpfAttr.BtfInfo.SIZE, 8);
            MemorySegment name = arena.allocate(256);
            info.set(JAVA_LONG, BpfAttr.BtfInfo.NAME, name.address());
            info.set(JAVA_INT, BpfAttr.BtfInfo.NAME_LEN, (int) name.byteSize());
            objInfo(btf, info);
            return new BtfInfo(info.get(JAVA_INT, BpfAttr.BtfInfo.ID), info.get(JAVA_INT, BpfAttr.BtfInfo.BTF_SIZE),
                    name.getString(0), info.get(JAVA_INT, BpfAttr.BtfInfo.KERNEL_BTF) != 0);
        }
    }

    /** The raw BTF blob of a BTF object, as the kernel holds it (e.g. vmlinux's or one a loader uploaded). */
    public static byte[] btfData(Fd btf) {
        int size = btfInfo(btf).size();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(BpfAttr.BtfInfo.SIZE, 8);
            MemorySegment data = arena.allocate(Math.max(size, 1), 8);
            info.set(JAVA_LONG, BpfAttr.BtfInfo.BTF, data.address());
            info.set(JAVA_INT, BpfAttr.BtfInfo.BTF_SIZE, size);
            objInfo(btf, info);
            return data.asSlice(0, Math.min(size, info.get(JAVA_INT, BpfAttr.BtfInfo.BTF_SIZE))).toArray(JAVA_BYTE);
        }
    }

    /** BPF_OBJ_GET_INFO_BY_FD for a link, with its target decoded for the common link types. */
    public static LinkInfo linkInfo(Fd link) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(BpfAttr.LinkInfo.BUFFER, 8);
            objInfo(link, info);
            int type = info.get(JAVA_INT, BpfAttr.LinkInfo.TYPE);
            LinkType lt = LinkType.ofValue(type);
            MemorySegment name = arena.allocate(512);
            boolean needsName = lt == LinkType.RAW_TRACEPOINT || lt == LinkType.ITER;
            if (needsName) {
                // The name lives in a buffer we provide: ask again with one.
                info.fill((byte) 0);
                info.set(JAVA_LONG, BpfAttr.LinkInfo.RAW_TP_NAME, name.address());
                info.set(JAVA_INT, BpfAttr.LinkInfo.RAW_TP_NAME_LEN, (int) name.byteSize());
                objInfo(link, info);
            }
            LinkInfo.Target target = switch (lt) {
                case RAW_TRACEPOINT -> new LinkInfo.RawTracepoint(name.getString(0));
                case TRACING -> new LinkInfo.Tracing(info.get(JAVA_INT, BpfAttr.LinkInfo.TRACING_ATTACH_TYPE),
                        info.get(JAVA_INT, BpfAttr.LinkInfo.TRACING_TARGET_OBJ_ID),
                        info.get(JAVA_INT, BpfAttr.LinkInfo.TRACING_TARGET_BTF_ID));
                case CGROUP -> new LinkInfo.Cgroup(info.get(JAVA_LONG, BpfAttr.LinkInfo.CGROUP_ID),
                        info.get(JAVA_INT, BpfAttr.LinkInfo.CGROUP_ATTACH_TYPE));
                case ITER -> new LinkInfo.Iter(name.getString(0), info.get(JAVA_INT, BpfAttr.LinkInfo.ITER_MAP_ID));
                case NETNS -> new LinkInfo.Netns(info.get(JAVA_INT, BpfAttr.LinkInfo.NETNS_INO),
                        info.get(JAVA_INT, BpfAttr.LinkInfo.NETNS_ATTACH_TYPE));
                case XDP -> new LinkInfo.Xdp(info.get(JAVA_INT, BpfAttr.LinkInfo.XDP_IFINDEX));
                case null, default -> new LinkInfo.Other(
                        info.asSlice(16, BpfAttr.LinkInfo.BUFFER - 16).toArray(JAVA_BYTE));
            };
            return new LinkInfo(type, info.get(JAVA_INT, BpfAttr.LinkInfo.ID),
                    info.get(JAVA_INT, BpfAttr.LinkInfo.PROG_ID), target);
        }
    }

    private static void objInfo(Fd fd, MemorySegment info) {
        Native.Scratch s = Native.scratch();
        MemorySegment attr = s.attr(BpfAttr.Info.SIZE);
        attr.set(JAVA_INT, BpfAttr.Info.BPF_FD, fd.value());
        attr.set(JAVA_INT, BpfAttr.Info.INFO_LEN, (int) info.byteSize());
        attr.set(JAVA_LONG, BpfAttr.Info.INFO, info.address());
        if (Native.bpf(s, BpfCommand.OBJ_GET_INFO_BY_FD.value(), BpfAttr.Info.SIZE) < 0) {
            throw Failures.of("BPF_OBJ_GET_INFO_BY_FD", s.errno(), fd.toString());
        }
    }

    // ---------------------------------------------------------------- stats, links, tracepoints

    /**
     * BPF_ENABLE_STATS(BPF_STATS_RUN_TIME): the kernel counts run_cnt/run_time_ns of every program
     * for as long as the returned fd is open.
     */
    public static Fd enableStats() {
        Native.Scratch s = Native.scratch();
        s.attr(BpfAttr.EnableStats.SIZE).set(JAVA_INT, BpfAttr.EnableStats.TYPE, 0);
        return fdOrThrow(s, BpfCommand.ENABLE_STATS, BpfAttr.EnableStats.SIZE, "stats", "run-time statistics");
    }

    /**
     * BPF_ITER_CREATE: a readable fd that runs an iterator link's program, one read at a time; its
     * output is what the program wrote with bpf_seq_printf / bpf_seq_write.
     */
    public static Fd iterCreate(Fd link) {
        Native.Scratch s = Native.scratch();
        s.attr(BpfAttr.IterCreate.SIZE).set(JAVA_INT, BpfAttr.IterCreate.LINK_FD, link.value());
        return fdOrThrow(s, BpfCommand.ITER_CREATE, BpfAttr.IterCreate.SIZE, "iter", link + " (iterator)");
    }

    /** BPF_LINK_CREATE. */
    public static Fd linkCreate(LinkCreateAttr a) {
        Native.Scratch s = Native.scratch();
        try (Arena arena = Arena.ofConfined()) {
            int size = BpfAttr.LinkCreate.TAIL + a.tailSize();
            MemorySegment attr = s.attr(size);
            attr.set(JAVA_INT, BpfAttr.LinkCreate.PROG_FD, a.prog().value());
            attr.set(JAVA_INT, BpfAttr.LinkCreate.TARGET_FD, a.target());
            attr.set(JAVA_INT, BpfAttr.LinkCreate.ATTACH_TYPE, a.attachType().value());
            attr.set(JAVA_INT, BpfAttr.LinkCreate.FLAGS, a.flags());
            a.writeTail(attr, arena);
            return fdOrThrow(s, BpfCommand.LINK_CREATE, size, "link", a.prog() + " at " + a.attachType());
        }
    }

    /** BPF_LINK_DETACH: detaches the program while the link fd stays open (defunct). */
    public static void linkDetach(Fd link) {
        Native.Scratch s = Native.scratch();
        s.attr(BpfAttr.LinkDetach.SIZE).set(JAVA_INT, BpfAttr.LinkDetach.LINK_FD, link.value());
        if (Native.bpf(s, BpfCommand.LINK_DETACH.value(), BpfAttr.LinkDetach.SIZE) < 0) {
            throw Failures.of("BPF_LINK_DETACH", s.errno(), link.toString());
        }
    }

    /** BPF_RAW_TRACEPOINT_OPEN: attaches a raw tracepoint program; the returned link fd keeps it attached. */
    public static Fd rawTracepointOpen(String tracepoint, Fd prog) {
        Native.Scratch s = Native.scratch();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = tracepoint == null ? MemorySegment.NULL : arena.allocateFrom(tracepoint);
            MemorySegment attr = s.attr(BpfAttr.RawTracepoint.SIZE);
            attr.set(JAVA_LONG, BpfAttr.RawTracepoint.NAME, name.address());
            attr.set(JAVA_INT, BpfAttr.RawTracepoint.PROG_FD, prog.value());
            return fdOrThrow(s, BpfCommand.RAW_TRACEPOINT_OPEN, BpfAttr.RawTracepoint.SIZE, "link",
                    prog + " at raw tracepoint '" + tracepoint + "'");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Fd fdOrThrow(Native.Scratch s, BpfCommand cmd, long size, String kind, String what) {
        long r = Native.bpf(s, cmd.value(), size);
        if (r < 0) {
            throw Failures.of("BPF_" + cmd, s.errno(), what);
        }
        return Fd.adopt((int) r, kind);
    }

    /** Writes a NUL-terminated object name of at most 15 bytes (BPF_OBJ_NAME_LEN - 1). */
    private static void putName(MemorySegment attr, long offset, String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(b.length, OBJ_NAME_LEN - 1);
        MemorySegment.copy(b, 0, attr, JAVA_BYTE, offset, n);
    }

    private static String name(MemorySegment info, long offset) {
        return info.asSlice(offset, OBJ_NAME_LEN).getString(0);
    }

    private static MemorySegment copy(Arena arena, byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return MemorySegment.NULL;
        }
        MemorySegment seg = arena.allocate(bytes.length, 8);
        MemorySegment.copy(bytes, 0, seg, JAVA_BYTE, 0, bytes.length);
        return seg;
    }

    private static String string(MemorySegment log) {
        if (log.equals(MemorySegment.NULL) || log.byteSize() == 0) {
            return "";
        }
        // The kernel NUL-terminates; a truncated log may fill the buffer up to the last byte.
        long end = 0;
        while (end < log.byteSize() && log.get(JAVA_BYTE, end) != 0) {
            end++;
        }
        return new String(log.asSlice(0, end).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }
}

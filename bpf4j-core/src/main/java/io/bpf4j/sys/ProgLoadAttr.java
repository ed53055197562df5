package io.bpf4j.sys;

import java.util.Objects;

/**
 * What BPF_PROG_LOAD needs. Start from {@link #of(ProgType, byte[], String)} and add options with
 * the {@code with...} methods. Byte arrays are sent as they are (little-endian instructions,
 * {@code struct bpf_func_info} / {@code bpf_line_info} records as found in .BTF.ext).
 *
 * @param insns        the instructions, 8 bytes each
 * @param logLevel     0 (no log unless the load fails, then bpf4j fetches one), 1, 2 or 4 (stats)
 * @param logSize      the log buffer size in bytes when {@code logLevel > 0}
 * @param attachFd     attach_prog_fd (for EXT/fentry on a program) or attach_btf_obj_fd (a module's BTF)
 * @param fdArray      fds referenced by BPF_PSEUDO_MAP_IDX / kfunc module BTFs, or null
 * @param structOpsMember for STRUCT_OPS programs: the index of the member they implement, which the kernel
 *                     takes in expected_attach_type (used when {@code expectedAttachType} is null)
 */
public record ProgLoadAttr(ProgType type, byte[] insns, String license, String name, int logLevel, int logSize,
                           int kernVersion, int flags, int ifindex, AttachType expectedAttachType, int btfFd,
                           byte[] funcInfo, int funcInfoRecSize, byte[] lineInfo, int lineInfoRecSize,
                           int attachBtfId, int attachFd, int[] fdArray, int structOpsMember) {
    /** prog_flags (linux/bpf.h). */
    public static final int F_STRICT_ALIGNMENT = 1;
    public static final int F_ANY_ALIGNMENT = 1 << 1;
    public static final int F_TEST_RND_HI32 = 1 << 2;
    public static final int F_TEST_STATE_FREQ = 1 << 3;
    public static final int F_SLEEPABLE = 1 << 4;
    public static final int F_XDP_HAS_FRAGS = 1 << 5;

    public ProgLoadAttr {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(insns, "insns");
        if (insns.length == 0 || insns.length % 8 != 0) {
            throw new IllegalArgumentException("instructions must be a non-empty multiple of 8 bytes, got "
                    + insns.length);
        }
        if (funcInfo != null && (funcInfoRecSize <= 0 || funcInfo.length % funcInfoRecSize != 0)) {
            throw new IllegalArgumentException("func_info of " + funcInfo.length + " bytes is not a whole number of "
                    + funcInfoRecSize + "-byte records");
        }
        if (lineInfo != null && (lineInfoRecSize <= 0 || lineInfo.length % lineInfoRecSize != 0)) {
            throw new IllegalArgumentException("line_info of " + lineInfo.length + " bytes is not a whole number of "
                    + lineInfoRecSize + "-byte records");
        }
        license = license == null ? "" : license;
        name = name == null ? "" : name;
    }

    public static ProgLoadAttr of(ProgType type, byte[] insns, String license) {
        return new ProgLoadAttr(type, insns, license, "", 0, 0, 0, 0, 0, null, 0, null, 0, null, 0, 0, 0, null, 0);
    }

    public int insnCount() {
        return insns.length / 8;
    }

    public ProgLoadAttr withName(String n) {
        return new ProgLoadAttr(type, insns, license, n, logLevel, logSize, kernVersion, flags, ifindex,
                expectedAttachType, btfFd, funcInfo, funcInfoRecSize, lineInfo, lineInfoRecSize, attachBtfId, attachFd,
                fdArray, structOpsMember);
    }

    /** Asks for the verifier log even on success (level 1, 2, or 4 for statistics only). */
    public ProgLoadAttr withLog(int level, int size) {
        return new ProgLoadAttr(type, insns, license, name, level, size, kernVersion, flags, ifindex,
                expectedAttachType, btfFd, funcInfo, funcInfoRecSize, lineInfo, lineInfoRecSize, attachBtfId, attachFd,
                fdArray, structOpsMember);
    }

    public ProgLoadAttr withKernVersion(int v) {
        return new ProgLoadAttr(type, insns, license, name, logLevel, logSize, v, flags, ifindex,
                expectedAttachType, btfFd, funcInfo, funcInfoRecSize, lineInfo, lineInfoRecSize, attachBtfId, attachFd,
                fdArray, structOpsMember);
    }

    public ProgLoadAttr withFlags(int f) {
        return new ProgLoadAttr(type, insns, license, name, logLevel, logSize, kernVersion, f, ifindex,
                expectedAttachType, btfFd, funcInfo, funcInfoRecSize, lineInfo, lineInfoRecSize, attachBtfId, attachFd,
                fdArray, structOpsMember);
    }

    public ProgLoadAttr withIfindex(int i) {
        return new ProgLoadAttr(type, insns, license, name, logLevel, logSize, kernVersion, flags, i,
                expectedAttachType, btfFd, funcInfo, funcInfoRecSize, lineInfo, lineInfoRecSize, attachBtfId, attachFd,
                fdArray, structOpsMember);
    }

    public ProgLoadAttr withExpectedAttachType(AttachType t) {
        return new ProgLoadAttr(type, insns, license, name, logLevel, logSize, kernVersion, flags, ifindex, t,
                btfFd, funcInfo, funcInfoRecSize, lineInfo, lineInfoRecSize, attachBtfId, attachFd, fdArray, structOpsMember);
    }

    /** The program's BTF and its func_info/line_info records (either array may be null). */
    public ProgLoadAttr withBtf(int fd, byte[] funcInfoRecords, int funcInfoRecordSize, byte[] lineInfoRecords,
                                int lineInfoRecordSize) {
        return new ProgLoadAttr(type, insns, license, name, logLevel, logSize, kernVersion, flags, ifindex,
                expectedAttachType, fd, funcInfoRecords, funcInfoRecordSize, lineInfoRecords, lineInfoRecordSize,
                attachBtfId, attachFd, fdArray, structOpsMember);
    }

    /** attach_btf_id plus attach_btf_obj_fd (module BTF) or attach_prog_fd (target program), 0 for vmlinux. */
    public ProgLoadAttr withAttachTarget(int btfId, int objOrProgFd) {
        return new ProgLoadAttr(type, insns, license, name, logLevel, logSize, kernVersion, flags, ifindex,
                expectedAttachType, btfFd, funcInfo, funcInfoRecSize, lineInfo, lineInfoRecSize, btfId, objOrProgFd,
                fdArray, structOpsMember);
    }

    /** A STRUCT_OPS program for member {@code index} of its kernel struct (attach_btf_id names the struct). */
    public ProgLoadAttr withStructOpsMember(int index) {
        return new ProgLoadAttr(type, insns, license, name, logLevel, logSize, kernVersion, flags, ifindex,
                null, btfFd, funcInfo, funcInfoRecSize, lineInfo, lineInfoRecSize, attachBtfId, attachFd, fdArray, index);
    }

    public ProgLoadAttr withFdArray(int[] fds) {
        return new ProgLoadAttr(type, insns, license, name, logLevel, logSize, kernVersion, flags, ifindex,
                expectedAttachType, btfFd, funcInfo, funcInfoRecSize, lineInfo, lineInfoRecSize, attachBtfId, attachFd,
                fds, structOpsMember);
    }

    String describe() {
        return name.isEmpty() ? "program (" + type + ")" : "program '" + name + "' (" + type + ")";
    }
}

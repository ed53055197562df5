package io.bpf4j.sys;

import io.bpf4j.asm.Instruction;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * "Does this kernel have X", answered by a tiny real system call (create a map with the flag, load
 * a two-instruction program, upload a BTF blob) and cached for the life of the process. Used by the
 * loader (fallbacks), doctor and tests (skip with a reason). A probe that cannot run for lack of
 * privilege answers false; call them as root for a true picture.
 */
public final class KernelFeatures {
    private static final Map<Object, Boolean> CACHE = new ConcurrentHashMap<>();
    private static final byte[] RETURN_ZERO = Instruction.encode(Instruction.mov64(0, 0), Instruction.exit());

    private KernelFeatures() {
    }

    private record ProgTypeProbe(ProgType type) {
    }

    private record MapTypeProbe(MapType type) {
    }

    private record BtfKindProbe(int kind) {
    }

    private record HelperProbe(ProgType type, int helperId) {
    }

    private enum Misc { MMAPABLE_ARRAYS, PERF_EVENT_LINKS }

    /**
     * Whether the kernel knows the program type. For most types a {@code r0 = 0; exit} program
     * loads. Types that need an attach target in the kernel's BTF (TRACING, EXT, LSM, STRUCT_OPS)
     * cannot load without one, so for them this answers whether the verifier took up the type
     * (it wrote a log) rather than refusing it outright.
     */
    public static boolean progType(ProgType type) {
        return CACHE.computeIfAbsent(new ProgTypeProbe(type), k -> probeProgType(type));
    }

    private static boolean probeProgType(ProgType type) {
        ProgLoadAttr attr = ProgLoadAttr.of(type, RETURN_ZERO, "GPL");
        AttachType expected = switch (type) {
            case CGROUP_SOCK_ADDR -> AttachType.CGROUP_INET4_CONNECT;
            case CGROUP_SOCKOPT -> AttachType.CGROUP_GETSOCKOPT;
            case SK_LOOKUP -> AttachType.SK_LOOKUP;
            case NETFILTER -> AttachType.NETFILTER;
            case SK_REUSEPORT -> AttachType.SK_REUSEPORT_SELECT;
            default -> null;
        };
        if (expected != null) {
            attr = attr.withExpectedAttachType(expected);
        }
        if (type == ProgType.SYSCALL) {
            attr = attr.withFlags(ProgLoadAttr.F_SLEEPABLE); // syscall programs must be sleepable
        }
        try (Fd fd = Bpf.progLoad(attr)) {
            return fd.isOpen();
        } catch (VerifierException e) {
            boolean needsTarget = type == ProgType.TRACING || type == ProgType.EXT || type == ProgType.LSM
                    || type == ProgType.STRUCT_OPS;
            return needsTarget && !e.log().isBlank();
        } catch (BpfException e) {
            return false;
        }
    }

    /** Whether a map of this type can be created (with the key/value sizes and flags the type demands). */
    public static boolean mapType(MapType type) {
        return CACHE.computeIfAbsent(new MapTypeProbe(type), k -> probeMapType(type));
    }

    private static boolean probeMapType(MapType type) {
        MapCreateAttr attr = switch (type) {
            case RINGBUF, USER_RINGBUF -> MapCreateAttr.of(type, 0, 0, 4096);
            case QUEUE, STACK, BLOOM_FILTER -> MapCreateAttr.of(type, 0, 4, 1);
            case LPM_TRIE -> MapCreateAttr.of(type, 8, 4, 1).withFlags(MapCreateAttr.F_NO_PREALLOC);
            case CGROUP_STORAGE, PERCPU_CGROUP_STORAGE -> MapCreateAttr.of(type, 8, 4, 0); // key: the cgroup's u64 id
            case SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE ->
                    MapCreateAttr.of(type, 4, 4, 0).withFlags(MapCreateAttr.F_NO_PREALLOC);
            case ARENA -> MapCreateAttr.of(type, 0, 0, 1).withFlags(MapCreateAttr.F_MMAPABLE);
            case STACK_TRACE -> MapCreateAttr.of(type, 4, 8, 1);
            default -> MapCreateAttr.of(type, 4, 4, 1);
        };
        Fd inner = null;
        Fd btf = null;
        try {
            if (type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS) {
                inner = Bpf.mapCreate(MapCreateAttr.of(MapType.ARRAY, 4, 4, 1));
                attr = attr.withInnerMapFd(inner.value());
            }
            if (attr.maxEntries() == 0 && type != MapType.CGROUP_STORAGE && type != MapType.PERCPU_CGROUP_STORAGE) {
                // Local storages describe their value by BTF: type 1 of the probe blob, an int.
                btf = Bpf.btfLoad(ProbeBtf.forKind(ProbeBtf.KIND_INT));
                attr = attr.withBtf(btf.value(), 1, 1);
            }
            try (Fd fd = Bpf.mapCreate(attr)) {
                return fd.isOpen();
            }
        } catch (BpfException e) {
            return false;
        } finally {
            if (inner != null) {
                inner.close();
            }
            if (btf != null) {
                btf.close();
            }
        }
    }

    /** Whether BPF_F_MMAPABLE array maps can be created (Linux 5.5+). */
    public static boolean mmapableArrays() {
        return CACHE.computeIfAbsent(Misc.MMAPABLE_ARRAYS, k -> {
            try (Fd fd = Bpf.mapCreate(MapCreateAttr.of(MapType.ARRAY, 4, 8, 1).withFlags(MapCreateAttr.F_MMAPABLE))) {
                return fd.isOpen();
            } catch (BpfException e) {
                return false;
            }
        });
    }

    /** Whether BPF_BTF_LOAD accepts a BTF kind (BTF_KIND_* number, 1 INT ... 19 ENUM64). */
    public static boolean btfKind(int kind) {
        return CACHE.computeIfAbsent(new BtfKindProbe(kind), k -> {
            try (Fd fd = Bpf.btfLoad(ProbeBtf.forKind(kind))) {
                return fd.isOpen();
            } catch (BpfException e) {
                return false;
            }
        });
    }

    /**
     * Whether BPF_LINK_CREATE knows BPF_PERF_EVENT (Linux 5.15+): links to an invalid fd, which a
     * kernel that knows the attach type refuses with EBADF rather than EINVAL.
     */
    public static boolean perfEventLinks() {
        return CACHE.computeIfAbsent(Misc.PERF_EVENT_LINKS, k -> {
            try (Fd prog = Bpf.progLoad(ProgLoadAttr.of(ProgType.TRACEPOINT, RETURN_ZERO, "GPL"));
                 Fd link = Bpf.linkCreate(new LinkCreateAttr(prog, -1, AttachType.PERF_EVENT, 0, null))) {
                return link.isOpen();
            } catch (BpfException.BadFd e) {
                return true;
            } catch (BpfException e) {
                return false;
            }
        });
    }

    /**
     * Whether a perf event link carries a BPF cookie the program reads with bpf_get_attach_cookie
     * (Linux 5.15+, both came together): libbpf's usdt.bpf.h looks its argument specs up by it when
     * the object's LINUX_HAS_BPF_COOKIE extern says so.
     */
    public static boolean bpfCookies() {
        return perfEventLinks() && helper(ProgType.KPROBE, io.bpf4j.asm.Helpers.id("bpf_get_attach_cookie").orElseThrow());
    }

    /**
     * Whether programs of {@code type} may call the helper: loads {@code call id; r0 = 0; exit} and
     * looks at why the verifier refused it. An unknown or forbidden helper is refused at the call
     * ("unknown func", "invalid func", "program of this type cannot use helper", or ENOTSUPP with
     * "not supported for program type"); anything else (bad arguments) means the call is allowed.
     */
    public static boolean helper(ProgType type, int helperId) {
        return CACHE.computeIfAbsent(new HelperProbe(type, helperId), k -> {
            byte[] insns = Instruction.encode(Instruction.call(helperId), Instruction.mov64(0, 0), Instruction.exit());
            try (Fd fd = Bpf.progLoad(ProgLoadAttr.of(type, insns, "GPL"))) {
                return fd.isOpen();
            } catch (VerifierException e) {
                String log = e.log();
                return !(log.contains("unknown func") || log.contains("invalid func")
                        || log.contains("program of this type cannot use helper"));
            } catch (BpfException e) {
                return false;
            }
        });
    }
}

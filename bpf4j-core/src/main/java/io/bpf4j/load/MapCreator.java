package io.bpf4j.load;

import io.bpf4j.host.KernelRelease;
import io.bpf4j.spec.MapSpec;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.KernelFeatures;
import io.bpf4j.sys.MapCreateAttr;
import io.bpf4j.sys.MapType;
import io.bpf4j.sys.MappedMemory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Creates one map of an object in the kernel, writes its initial data, freezes read-only data, pins. */
final class MapCreator {
    /** Kernel object names hold 15 characters plus NUL (BPF_OBJ_NAME_LEN). */
    static final int NAME_MAX = 15;

    private final String objectName;
    private final Fd btf;
    private final Path pinDir;
    /** Pins this load made (not the ones it reused): a load that fails removes them, as it found the directory. */
    private final List<Path> createdPins = new ArrayList<>();

    MapCreator(String objectName, Fd btf, Path pinDir) {
        this.objectName = objectName;
        this.btf = btf;
        this.pinDir = pinDir;
    }

    /**
     * The kernel name of a map: its own name, or for global data the object's name cut to make room for
     * the section name (e.g. "features.rodata"), as bpftool and libbpf users expect to see them.
     */
    String kernelName(MapSpec spec) {
        String name = spec.name();
        if (spec.kind() == MapSpec.Kind.DATA || spec.kind() == MapSpec.Kind.KCONFIG) {
            int room = Math.max(0, Math.min(8, NAME_MAX - name.length()));
            name = objectName.substring(0, Math.min(room, objectName.length())) + name;
        }
        return sanitize(name);
    }

    /** The kernel accepts only [A-Za-z0-9_.] in object names. */
    static String sanitize(String name) {
        StringBuilder b = new StringBuilder();
        for (char c : name.toCharArray()) {
            b.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
            if (b.length() == NAME_MAX) {
                break;
            }
        }
        return b.toString();
    }

    /** Removes the pins this creator made; for a load that failed after some maps were pinned. */
    void removeCreatedPins() {
        for (Path p : createdPins) {
            try {
                Files.deleteIfExists(p);
            } catch (java.io.IOException e) {
                // Nothing more to do: the map stays pinned, and its path is in the load's error anyway.
            }
        }
        createdPins.clear();
    }

    BpfMap create(MapSpec spec) {
        String name = kernelName(spec);
        Path pin = spec.pinning() == MapSpec.Pinning.BY_NAME ? pinDir.resolve(spec.name()) : null;
        if (pin != null && Files.exists(pin)) {
            return reusePinned(spec, name, pin);
        }
        Fd fd = createRaw(spec, name);
        try {
            MappedMemory mapped = null;
            if (spec.kind() == MapSpec.Kind.DATA || spec.kind() == MapSpec.Kind.KCONFIG) {
                mapped = initialise(spec, fd);
            }
            if (pin != null) {
                Bpf.objPin(fd, pin);
                createdPins.add(pin);
            }
            return new BpfMap(spec, name, fd, mapped);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private Fd createRaw(MapSpec spec, String name) {
        Fd inner = null;
        try {
            MapCreateAttr attr = attr(spec, name);
            if (spec.innerMap().isPresent() && spec.type() != MapType.PROG_ARRAY) {
                // The kernel learns the shape of the inner maps from a template map that lives only for this call.
                MapSpec t = spec.innerMap().get();
                inner = createRaw(t, sanitize(spec.name() + "_in"));
                attr = attr.withInnerMapFd(inner.value());
            }
            // The kernel checks key and value types together: describe both or neither.
            boolean withBtf = btf != null && spec.btfValueTypeId() != 0
                    && (spec.btfKeyTypeId() != 0 || spec.kind() == MapSpec.Kind.DATA || spec.kind() == MapSpec.Kind.KCONFIG);
            try {
                return Bpf.mapCreate(withBtf ? attr.withBtf(btf.value(), spec.btfKeyTypeId(), spec.btfValueTypeId()) : attr);
            } catch (BpfException.InvalidArgument | BpfException.NotSupported e) {
                if (!withBtf) {
                    throw e;
                }
                // Some map types refuse BTF key/value descriptions (sockmap and sockhash answer ENOTSUPP even on
                // 6.18): libbpf retries without them, so do we.
                return Bpf.mapCreate(attr);
            }
        } catch (BpfException.NotSupported | BpfException.InvalidArgument e) {
            if (lacksType(spec.type())) {
                throw new LoadException(missingType(spec, e), e);
            }
            if (e instanceof BpfException.NotSupported) {
                throw new LoadException("map " + spec.name() + ": this kernel does not support maps of type " + spec.type()
                        + " with these attributes (" + e.getMessage() + "); use another map type or a newer kernel", e);
            }
            throw new LoadException("map " + spec.name() + " (" + spec.type() + ", key " + spec.keySize() + " bytes, value "
                    + spec.valueSize() + " bytes, max_entries " + spec.maxEntries() + ", flags 0x"
                    + Integer.toHexString(spec.flags()) + ") was refused by the kernel: " + e.getMessage() + hint(spec), e);
        } finally {
            if (inner != null) {
                inner.close();
            }
        }
    }

    /**
     * Whether the kernel lacks the map type altogether. A kernel older than a type refuses it with
     * EINVAL (the type is past its table: kernel/bpf/syscall.c, find_and_alloc_map), the same errno as
     * for bad sizes or flags; so a minimal map of the type is tried. STRUCT_OPS maps cannot be
     * created without a kernel struct_ops type id, so that probe cannot tell and is not believed.
     */
    private static boolean lacksType(MapType type) {
        return type != MapType.STRUCT_OPS && !KernelFeatures.mapType(type);
    }

    private static String missingType(MapSpec spec, BpfException e) {
        String since = MapTypeHistory.since(spec.type());
        String head = "map " + spec.name() + " is of type BPF_MAP_TYPE_" + spec.type() + ", which the running kernel (Linux "
                + KernelRelease.current() + ") lacks";
        String evidence = " (BPF_MAP_CREATE failed with " + e.errno() + ", and so does a minimal map of that type)";
        if (!since.isEmpty() && newerOrEqual(KernelRelease.current(), since)) {
            // The release has the type: this build left out the option that provides it (e.g. CONFIG_BPF_LSM
            // for INODE_STORAGE, CONFIG_XDP_SOCKETS for XSKMAP).
            return head + ": the type exists since Linux " + since + ", so this kernel was built without the option that "
                    + "provides it" + evidence + ". Check its configuration with 'bpf4j doctor', or use another map type";
        }
        return head + (since.isEmpty() ? "" : ": it was added in Linux " + since) + evidence
                + ". Use a kernel that has it, or another map type";
    }

    /** Whether release "6.1.0-56-cloud-amd64" is at least "5.10". */
    static boolean newerOrEqual(String release, String since) {
        return KernelRelease.versionCode(release) >= KernelRelease.versionCode(since);
    }

    private static String hint(MapSpec spec) {
        return switch (spec.type()) {
            case RINGBUF -> "; a ring buffer's max_entries must be a power of 2 and a multiple of the page size (4096)";
            case ARRAY, PERCPU_ARRAY -> spec.maxEntries() == 0 ? "; max_entries must be at least 1" : "";
            case HASH, LRU_HASH, PERCPU_HASH -> spec.maxEntries() == 0 ? "; max_entries must be at least 1" : "";
            default -> "";
        };
    }

    private static MapCreateAttr attr(MapSpec spec, String name) {
        int key = spec.keySize();
        int value = spec.valueSize();
        int max = spec.maxEntries();
        if (spec.type() == MapType.RINGBUF || spec.type() == MapType.USER_RINGBUF) {
            key = 0;
            value = 0;
        }
        if (spec.type() == MapType.PERF_EVENT_ARRAY) {
            key = 4;
            value = 4;
            if (max == 0) {
                max = PossibleCpus.count();
            }
        }
        MapCreateAttr a = MapCreateAttr.of(spec.type(), key, value, max).withName(name).withFlags(spec.flags());
        if (spec.numaNode() >= 0) {
            a = a.withNumaNode(spec.numaNode());
        }
        if (spec.mapExtra() != 0) {
            a = a.withMapExtra(spec.mapExtra());
        }
        return a;
    }

    /** Writes a data map's initial value, freezes it when read-only, and mmaps it. */
    private static MappedMemory initialise(MapSpec spec, Fd fd) {
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0).array();
        Bpf.mapUpdate(fd, key, spec.initialData(), Bpf.ANY);
        if (spec.readOnly()) {
            Bpf.mapFreeze(fd);
        }
        // A frozen map can be mapped read-only only; the kernel refuses a writable mapping of it.
        return spec.readOnly() ? MappedMemory.map(fd, spec.valueSize(), MappedMemory.PROT_READ, 0)
                : MappedMemory.ofMap(fd, spec.valueSize());
    }

    /**
     * A struct_ops map: its value is the kernel's wrapper struct (see {@link StructOpsLayout}). A
     * {@code .struct_ops.link} map asks for BPF_F_LINK; kernels before 6.4 refuse any flag on these maps
     * (EINVAL), and then the map is made without it and registered by a map update instead.
     */
    BpfMap createStructOps(MapSpec spec, StructOpsLayout layout, java.util.List<String> warnings) {
        String name = kernelName(spec);
        if (btf == null) {
            throw new LoadException("struct_ops map " + spec.name() + ": the kernel wants the object's BTF with it, and the "
                    + "object's BTF was not loaded (see the warnings); compile with clang -g");
        }
        // The value is the kernel's type, yet the kernel insists on a valid btf_fd (the object's BTF), with
        // no key/value ids of its own: a bad or missing fd is EINVAL (kernel/bpf/syscall.c, map_create).
        MapCreateAttr attr = MapCreateAttr.of(MapType.STRUCT_OPS, 4, layout.valueSize(), 1).withName(name)
                .withFlags(spec.flags()).withBtf(btf.value(), 0, 0).withBtfVmlinuxValueTypeId(layout.wrapperId());
        boolean link = (spec.flags() & MapCreateAttr.F_LINK) != 0;
        Fd fd;
        try {
            try {
                fd = Bpf.mapCreate(attr);
            } catch (BpfException.InvalidArgument e) {
                // Only a kernel before 6.4 lacks struct_ops links; on a later one EINVAL has another cause.
                if (!link || newerOrEqual(KernelRelease.current(), "6.4")) {
                    throw e;
                }
                fd = Bpf.mapCreate(attr.withFlags(spec.flags() & ~MapCreateAttr.F_LINK));
                link = false;
                warnings.add("struct_ops map " + spec.name() + " is in .struct_ops.link, but this kernel (Linux "
                        + KernelRelease.current() + ") has no struct_ops links (Linux 6.4+): it is registered by a map "
                        + "update instead, and unregistered when its Link closes");
            }
        } catch (BpfException e) {
            throw new LoadException("struct_ops map " + spec.name() + " (struct " + layout.spec().structName() + ", value "
                    + layout.valueSize() + " bytes) was refused by the kernel: " + e.getMessage(), e);
        }
        BpfMap map = new BpfMap(spec.withValueSize(layout.valueSize()), name, fd, null);
        map.structOpsLink(link);
        return map;
    }

    private BpfMap reusePinned(MapSpec spec, String name, Path pin) {
        Fd fd = Bpf.objGet(pin, 0);
        var info = Bpf.mapInfo(fd);
        if (info.type() != spec.type().value() || info.keySize() != spec.keySize()
                || (info.valueSize() != spec.valueSize() && spec.type() != MapType.RINGBUF) || info.maxEntries() != spec.maxEntries()) {
            fd.close();
            throw new LoadException("map " + spec.name() + " is pinned at " + pin + " with another shape (type "
                    + info.mapType() + ", key " + info.keySize() + ", value " + info.valueSize() + ", max_entries "
                    + info.maxEntries() + "); remove the pin (rm " + pin + ") or change the map back");
        }
        return new BpfMap(spec, name, fd, null);
    }
}

package io.bpf4j.link;

import io.bpf4j.load.BpfMap;
import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.LinkCreateAttr;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Registers a struct_ops map with the kernel subsystem that owns its struct (a TCP congestion
 * control, a sched_ext scheduler...): from then on the kernel calls the map's programs as that
 * struct's operations. Two ways, chosen at load by how the map was made:
 * <ul>
 *   <li>{@code .struct_ops.link} maps (BPF_F_LINK, Linux 6.4+): BPF_LINK_CREATE with the map; closing
 *       the link (or the last fd of a pinned one) unregisters;</li>
 *   <li>{@code .struct_ops} maps, and link maps on older kernels: the update of key 0 registers, the
 *       delete of key 0 unregisters. The registration holds the map, so it would outlive the map's fd:
 *       the returned Link deletes the key, and so does closing the map.</li>
 * </ul>
 */
public final class StructOps {
    private static final byte[] KEY = new byte[4];
    /** Maps registered through this class, so {@link Attacher#whyNotAttachable} knows their programs run. */
    private static final Set<BpfMap> REGISTERED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    /** Maps once registered by an update: the kernel keeps them busy after the delete (EBUSY to another update). */
    private static final Set<BpfMap> SPENT = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private StructOps() {
    }

    /** Registers the struct_ops map; the returned Link unregisters it when closed. */
    public static Link register(BpfMap map) {
        byte[] value = map.structOpsValue().orElseThrow(() -> new AttachException("map " + map.name() + " is a "
                + map.type() + " map, not a struct_ops map of a loaded object; only those can be registered"));
        // Claimed before the syscall, so two threads cannot both register one map.
        if (!REGISTERED.add(map)) {
            throw new AttachException("struct_ops map " + map.name() + " is already registered; close its Link first");
        }
        if (SPENT.contains(map)) {
            REGISTERED.remove(map);
            throw new AttachException("struct_ops map " + map.name() + " was registered by a map update and unregistered: the "
                    + "kernel does not take such a map again (EBUSY); open and load the object again to register it anew");
        }
        try {
            return map.registersWithLink() ? withLink(map) : byUpdate(map, value);
        } catch (RuntimeException e) {
            REGISTERED.remove(map);
            throw e;
        }
    }

    /** True while the map is registered through {@link #register} (and not closed since). */
    public static boolean isRegistered(BpfMap map) {
        return REGISTERED.contains(map) && map.fd().isOpen();
    }

    private static Link withLink(BpfMap map) {
        Fd link;
        try {
            // link_create's prog_fd shares its place with map_fd: for BPF_STRUCT_OPS it is the map.
            link = Bpf.linkCreate(new LinkCreateAttr(map.fd(), 0, AttachType.STRUCT_OPS, 0, null));
        } catch (BpfException e) {
            throw refused(map, e);
        }
        return new Link(map.name(), "struct_ops map " + map.name() + " (BPF link)", List.of(link),
                List.of(() -> REGISTERED.remove(map)), null);
    }

    private static Link byUpdate(BpfMap map, byte[] value) {
        try {
            map.update(KEY, value, Bpf.ANY);
        } catch (BpfException e) {
            throw refused(map, e);
        }
        SPENT.add(map);
        AutoCloseable unregister = () -> {
            REGISTERED.remove(map);
            map.delete(KEY);
        };
        return new Link(map.name(), "struct_ops map " + map.name() + " (registered by a map update)", List.of(),
                List.of(unregister), null);
    }

    /** EEXIST is the usual one: the name (e.g. a congestion control's .name) is taken already. */
    private static AttachException refused(BpfMap map, BpfException e) {
        String hint = switch (e.errno()) {
            case EEXIST -> "; something of that name is registered already (another congestion control named so?): change the name member";
            case EINVAL -> "; the kernel found a member it does not accept (a required operation left unset, or data it does not take)";
            default -> "";
        };
        return new AttachException("struct_ops map " + map.name() + ": the kernel refused to register it: " + e.getMessage() + hint, e);
    }
}

package io.bpf4j.link;

import io.bpf4j.load.BpfProgram;
import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.LinkCreateAttr;
import io.bpf4j.sys.MapType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * sk_msg and sk_skb programs: they run for the sockets in a sockmap or sockhash, so that map is
 * their target, named as a map of the same object or as a path where a map is pinned. The kernel
 * copies a map's programs into each socket when it joins the map: closing the link spares sockets
 * that join later, while those already in the map keep the program until they leave it.
 */
final class Sockmaps {
    private Sockmaps() {
    }

    static Link attach(BpfProgram p, String target) {
        AttachType type = p.spec().def().orElseThrow().attachType();
        if (type == null) {
            throw new AttachException("program " + p.name() + " (" + p.spec().section() + ") does not say where in the "
                    + "socket's path it runs; name the section sk_skb/stream_parser, sk_skb/stream_verdict, "
                    + "sk_skb/verdict or sk_msg");
        }
        var own = p.objectMap(target);
        if (own.isPresent()) {
            return attach(p, own.get().type(), type, own.get().fd(), "map " + target, List.of());
        }
        if (!target.startsWith("/")) {
            throw new AttachException("program " + p.name() + ": '" + target + "' is neither a map of its object nor the "
                    + "path of a pinned map; give the name of a BPF_MAP_TYPE_SOCKMAP or SOCKHASH map, e.g. --attach "
                    + p.name() + "=sock_map");
        }
        if (!Files.exists(Path.of(target))) {
            throw new AttachException("program " + p.name() + ": nothing is pinned at " + target);
        }
        Fd pinned = Bpf.objGet(Path.of(target), 0);
        try {
            if (!pinned.objectKind().equals("bpf-map")) {
                throw new AttachException("program " + p.name() + ": " + target + " is not a pinned map (it is a pinned "
                        + pinned.objectKind() + "); give the path of a pinned sockmap or sockhash");
            }
            MapType mapType = Bpf.mapInfo(pinned).mapType();
            return attach(p, mapType, type, pinned, "pinned map " + target, List.of(pinned));
        } catch (RuntimeException e) {
            pinned.close();
            throw e;
        }
    }

    /**
     * BPF_LINK_CREATE on the map (Linux 6.10+); BPF_PROG_ATTACH, undone on close, before that.
     *
     * @param held what the attachment keeps open until it is closed (the fd of a pinned map)
     */
    private static Link attach(BpfProgram p, MapType mapType, AttachType type, Fd map, String what, List<Fd> held) {
        if (mapType != MapType.SOCKMAP && mapType != MapType.SOCKHASH) {
            throw new AttachException("program " + p.name() + ": " + what + " is of type " + mapType + "; sk_msg and sk_skb "
                    + "programs attach to a BPF_MAP_TYPE_SOCKMAP or BPF_MAP_TYPE_SOCKHASH map");
        }
        String description = p.spec().sectionName() + " on " + what;
        try {
            return new Link(p, description, Bpf.linkCreate(new LinkCreateAttr(p.fd(), map.value(), type, 0, null)), held);
        } catch (BpfException.InvalidArgument | BpfException.NotSupported e) {
            try {
                Bpf.progAttach(map.value(), p.fd(), type, 0);
            } catch (BpfException refused) {
                throw new AttachException("program " + p.name() + ": " + what + " refused it as its " + type + " program ("
                        + refused.getMessage() + "); a sockmap holds one program of each kind, so detach the one it has", refused);
            }
            List<AutoCloseable> owned = new java.util.ArrayList<>(held);
            owned.add(() -> Bpf.progDetach(map.value(), p.fd(), type));
            return new Link(p, description, null, owned);
        }
    }
}

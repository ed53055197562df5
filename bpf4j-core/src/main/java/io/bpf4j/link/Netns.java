package io.bpf4j.link;

import io.bpf4j.load.BpfProgram;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.LinkCreateAttr;
import io.bpf4j.sys.Os;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * flow_dissector and sk_lookup programs: they serve a whole network namespace, so that is their
 * target: a namespace file (/proc/PID/ns/net, /proc/self/ns/net for bpf4j's own) or the name
 * `ip netns add` gave it (a file in /run/netns).
 */
final class Netns {
    /** Where `ip netns add NAME` bind-mounts a namespace. */
    private static final Path NAMED = Path.of("/run/netns");

    private Netns() {
    }

    /** The namespace file a target names. */
    static Path file(String target) {
        Path path = target.contains("/") ? Path.of(target) : NAMED.resolve(target);
        if (!Files.exists(path)) {
            throw new AttachException("there is no network namespace " + (target.contains("/") ? "file " + path
                    : "'" + target + "' (" + path + ")") + "; give a name from 'ip netns list', a file such as "
                    + "/proc/PID/ns/net, or /proc/self/ns/net for the current one");
        }
        return path;
    }

    static Link attach(BpfProgram p, String target) {
        Path path = file(target);
        var type = p.spec().def().orElseThrow().attachType();
        try (Fd ns = Os.open(path, Os.O_RDONLY)) {
            Fd link = Bpf.linkCreate(new LinkCreateAttr(p.fd(), ns.value(), type, 0, null));
            return new Link(p, p.spec().sectionName() + " on network namespace " + target, link, List.of());
        } catch (BpfException.InvalidArgument e) {
            throw new AttachException("program " + p.name() + ": " + path + " is not a network namespace the kernel "
                    + "accepts (" + e.getMessage() + ")", e);
        } catch (BpfException.AlreadyExists e) {
            throw new AttachException("program " + p.name() + ": network namespace " + target + " already has a "
                    + p.spec().sectionName() + " program, and it takes only one; list it with: bpf4j prog list", e);
        }
    }
}

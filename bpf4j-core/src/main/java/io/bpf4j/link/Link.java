package io.bpf4j.link;

import io.bpf4j.load.BpfProgram;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A program attached to a hook, alive while this handle is open. Closing it detaches the program:
 * a BPF link detaches when its last fd closes (unless pinned); an older-style attachment (a perf
 * event with PERF_EVENT_IOC_SET_BPF, a socket option) is undone by closing what it owns.
 */
public final class Link implements AutoCloseable {
    private final BpfProgram program;
    /** The program's name, or the struct_ops map's for a registration. */
    private final String name;
    private final String description;
    /** The BPF links of this attachment, first the main one: USDT has one per call site. */
    private final List<Fd> links;
    private final List<AutoCloseable> owned;
    /** Why this attachment cannot outlive bpf4j even with its links pinned, or null. */
    private final String unpinnable;

    /**
     * @param linkFd the BPF link, or null for attachments made without one
     * @param owned  what else the attachment holds (a perf event fd, a socket), closed after the link
     */
    Link(BpfProgram program, String description, Fd linkFd, List<? extends AutoCloseable> owned) {
        this(program, description, linkFd == null ? List.of() : List.of(linkFd), owned, null);
    }

    /**
     * @param links      every BPF link of the attachment, the main one first
     * @param unpinnable why pinning the links would not keep the attachment (closing undoes more than
     *                   fds), or null
     */
    Link(BpfProgram program, String description, List<Fd> links, List<? extends AutoCloseable> owned, String unpinnable) {
        this(program, program.name(), description, links, owned, unpinnable);
    }

    /** A registered struct_ops map: many programs, none of them the link's own. */
    Link(String mapName, String description, List<Fd> links, List<? extends AutoCloseable> owned, String unpinnable) {
        this(null, mapName, description, links, owned, unpinnable);
    }

    private Link(BpfProgram program, String name, String description, List<Fd> links, List<? extends AutoCloseable> owned,
                 String unpinnable) {
        this.program = program;
        this.name = name;
        this.description = description;
        this.links = List.copyOf(links);
        this.owned = new ArrayList<>(owned);
        this.unpinnable = unpinnable;
    }

    /** The attached program; a struct_ops registration has none (its map calls several): see {@link #name()}. */
    public BpfProgram program() {
        if (program == null) {
            throw new IllegalStateException(description + " registers a struct_ops map, not one program");
        }
        return program;
    }

    /** The program's name, or for a struct_ops registration the map's. */
    public String name() {
        return name;
    }

    /** Where the program is attached, in words: "tracepoint sched/sched_process_exit". */
    public String description() {
        return description;
    }

    /** True when the attachment is a BPF link (listed by bpftool link, pinnable). */
    public boolean isBpfLink() {
        return !links.isEmpty();
    }

    /** The (main) BPF link. */
    public Fd fd() {
        if (links.isEmpty()) {
            throw new IllegalStateException(description + " is not a BPF link");
        }
        return links.getFirst();
    }

    /**
     * Pins every BPF link of the attachment on bpffs so it outlives this process: the main one at
     * {@code path}, further ones (one per USDT call site) at path_1, path_2, ...
     *
     * @return the paths pinned
     */
    public List<Path> pin(Path path) {
        Optional<String> why = whyNotPinnable();
        if (why.isPresent()) {
            throw new AttachException(why.get());
        }
        List<Path> pinned = new ArrayList<>();
        for (int i = 0; i < links.size(); i++) {
            Path at = i == 0 ? path : path.resolveSibling(path.getFileName() + "_" + i);
            Bpf.objPin(links.get(i), at);
            pinned.add(at);
        }
        return pinned;
    }

    /** Why pinning would not keep this attachment past the process, or empty when {@link #pin} can. */
    public Optional<String> whyNotPinnable() {
        if (links.isEmpty()) {
            return Optional.of(name + " (" + description + ") is attached without a BPF link, which cannot be pinned: it "
                    + "lasts as long as the process that attached it");
        }
        return Optional.ofNullable(unpinnable).map(u -> name + " (" + description + ") cannot be pinned: " + u);
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>(links);
        List<AutoCloseable> rest = new ArrayList<>(owned);
        Collections.reverse(rest);
        all.addAll(rest);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception ignored) {
                // Detaching cannot be retried meaningfully; release the rest.
            }
        }
    }

    @Override
    public String toString() {
        return name + " -> " + description;
    }
}

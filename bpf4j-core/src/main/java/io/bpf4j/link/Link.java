package io.bpf4j.link;

import io.bpf4j.load.BpfProgram;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A program attached to a hook, alive while this handle is open. Closing it detaches the program:
 * a BPF link detaches when its last fd closes (unless pinned); an older-style attachment (a perf
 * event with PERF_EVENT_IOC_SET_BPF, a socket option) is undone by closing what it owns.
 */
public final class Link implements AutoCloseable {
    private final BpfProgram program;
    private final String description;
    private final Fd linkFd;
    private final List<AutoCloseable> owned;

    /**
     * @param linkFd the BPF link, or null for attachments made without one
     * @param owned  what else the attachment holds (a perf event fd, a socket), closed after the link
     */
    Link(BpfProgram program, String description, Fd linkFd, List<? extends AutoCloseable> owned) {
        this.program = program;
        this.description = description;
        this.linkFd = linkFd;
        this.owned = new ArrayList<>(owned);
    }

    public BpfProgram program() {
        return program;
    }

    /** Where the program is attached, in words: "tracepoint sched/sched_process_exit". */
    public String description() {
        return description;
    }

    /** True when the attachment is a BPF link (listed by bpftool link, pinnable). */
    public boolean isBpfLink() {
        return linkFd != null;
    }

    public Fd fd() {
        if (linkFd == null) {
            throw new IllegalStateException(description + " is not a BPF link");
        }
        return linkFd;
    }

    /** Pins the link on bpffs so it outlives this process. */
    public void pin(Path path) {
        Bpf.objPin(fd(), path);
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>();
        if (linkFd != null) {
            all.add(linkFd);
        }
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
        return program.name() + " -> " + description;
    }
}

package io.bpf4j.link;

import io.bpf4j.load.BpfProgram;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.PerfEvent;
import io.bpf4j.sys.PerfEventAttr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * kprobes through tracefs' kprobe_events, for kernels without the kprobe PMU (before 4.17): bpf4j
 * defines a kprobe event of its own (group bpf4j, a name unique to this process), opens it as a
 * tracepoint, and removes the definition when the link closes, so nothing is left in kprobe_events.
 */
final class TracefsKprobes {
    /** The tracefs group of bpf4j's events: events/bpf4j/NAME. */
    static final String GROUP = "bpf4j";
    private static final AtomicInteger NEXT = new AtomicInteger();
    /** Event names must be shorter than the kernel's MAX_EVENT_NAME_LEN (64). */
    private static final int MAX_NAME = 63;

    private TracefsKprobes() {
    }

    /** True when this kernel has kprobe_events to fall back on. */
    static boolean available() {
        try {
            return Files.exists(Tracefs.root().resolve("kprobe_events"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A kprobe (or kretprobe) on {@code symbol+offset}, defined in kprobe_events for as long as the link lives. */
    static Link attach(BpfProgram p, String symbol, long offset, boolean ret, String description) {
        Path events = Tracefs.root().resolve("kprobe_events");
        // pid and counter make the name unique; the symbol only helps a reader, cut so the whole name
        // stays under the kernel's 64-character limit for event names.
        String prefix = (ret ? "r_" : "p_") + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet() + "_";
        String readable = symbol.replaceAll("[^A-Za-z0-9_]", "_");
        String name = prefix + readable.substring(0, Math.min(readable.length(), MAX_NAME - prefix.length()));
        String where = offset == 0 ? symbol : symbol + "+" + offset;
        String definition = (ret ? "r:" : "p:") + GROUP + "/" + name + " " + where;
        try {
            define(events, definition);
        } catch (IOException first) {
            // A bpf4j process that died with this pid (pids are reused) may have left the name defined.
            remove(events, name);
            try {
                define(events, definition);
            } catch (IOException e) {
                // The kernel answers a write for a function it cannot probe with ENOENT/EINVAL.
                throw new AttachException("program " + p.name() + ": the kernel refused a " + (ret ? "kretprobe" : "kprobe")
                        + " on '" + where + "' in " + events + " (" + e.getMessage() + "); check the name in /proc/kallsyms", e);
            }
        }
        AutoCloseable undefine = () -> remove(events, name);
        try {
            long id = Tracefs.tracepointId(GROUP, name);
            Fd event = PerfEvent.open(PerfEventAttr.tracepoint(id), -1, 0, -1, 0);
            return Attacher.perfEventLink(p, event, description + " (tracefs)", List.of(undefine),
                    "its kprobe_events definition is removed when bpf4j exits (this kernel has no kprobe PMU)");
        } catch (RuntimeException e) {
            remove(events, name);
            throw e;
        }
    }

    private static void define(Path events, String definition) throws IOException {
        Files.writeString(events, definition + "\n", StandardOpenOption.APPEND);
    }

    /** Removes bpf4j's event; the kernel refuses while a perf event still holds it, so the link closes that first. */
    private static void remove(Path events, String name) {
        try {
            Files.writeString(events, "-:" + GROUP + "/" + name + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            // Nothing more to do: the event stays listed in kprobe_events under group bpf4j, where
            // 'echo -:bpf4j/NAME >> kprobe_events' removes it.
        }
    }
}

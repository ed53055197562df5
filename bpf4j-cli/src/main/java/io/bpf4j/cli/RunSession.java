package io.bpf4j.cli;

import io.bpf4j.Bpf4jException;
import io.bpf4j.events.TracePipe;
import io.bpf4j.events.TraceRecord;
import io.bpf4j.link.Attacher;
import io.bpf4j.link.Link;
import io.bpf4j.link.StructOps;
import io.bpf4j.load.BpfMap;
import io.bpf4j.spec.AttachKind;
import io.bpf4j.load.BpfObject;
import io.bpf4j.load.BpfProgram;
import io.bpf4j.load.GlobalVariable;
import io.bpf4j.spec.SectionDef;
import io.bpf4j.sys.Bpf;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A loaded object with its programs attached and its bpf_printk output streaming, until stopped: by
 * the trigger command exiting, a duration, Ctrl-C or SIGTERM. Closing detaches and unloads everything,
 * whichever of those comes first; a shutdown hook makes sure of it on signals.
 */
final class RunSession implements AutoCloseable {
    /** How long trace lines may still arrive after the trigger command exits. */
    static final Duration DRAIN = Duration.ofMillis(500);

    private final BpfObject object;
    private final List<Link> links = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread shutdownHook;
    private TracePipe trace;
    private Thread reader;
    private boolean closed;

    private RunSession(BpfObject object) {
        this.object = object;
        this.shutdownHook = new Thread(this::onSignal, "bpf4j-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Loads (already configured) and attaches every program that attaches by itself or has a target.
     *
     * @param pid the process uprobes and USDT probes fire in, or {@link Attacher#ALL_PROCESSES}
     */
    static RunSession start(BpfObject object, Map<String, String> targets, int pid, PrintStream out) {
        RunSession s = new RunSession(object);
        try {
            for (String prog : targets.keySet()) {
                if (object.spec().program(prog).isEmpty()) {
                    throw new Bpf4jException("--attach " + prog + "=...: " + object.name() + " has no program " + prog
                            + "; it has: " + String.join(", ", object.spec().programs().stream().map(p -> p.name()).toList()));
                }
            }
            for (Map.Entry<String, String> t : targets.entrySet()) {
                if (object.spec().program(t.getKey()).orElseThrow().def().map(SectionDef::targetsAProgram).orElse(false)) {
                    LoadOptions.applyProgramTarget(object, t.getKey(), t.getValue());
                }
            }
            object.load();
            for (String w : object.warnings()) {
                out.println("bpf4j: warning: " + w);
            }
            if (pid != Attacher.ALL_PROCESSES && object.programs().stream().noneMatch(RunSession::perProcess)) {
                throw new Bpf4jException("--pid " + pid + ": it limits uprobe, uprobe.multi and usdt programs to one "
                        + "process, and " + object.name() + " has none; leave it out");
            }
            for (BpfMap m : object.maps()) {
                if (m.structOpsValue().isPresent()) {
                    // The kernel calls struct_ops programs once their map is registered: that is their attachment.
                    Link l = StructOps.register(m);
                    s.links.add(l);
                    out.println("bpf4j: registered " + l.description());
                }
            }
            for (BpfProgram p : object.programs()) {
                Optional<String> target = Optional.ofNullable(targets.get(p.name()));
                Optional<String> notOurs = Attacher.whyNotAttachable(p);
                if (!p.structOpsMaps().isEmpty() && notOurs.isEmpty()) {
                    out.println("bpf4j: loaded " + p.name() + ", called through struct_ops map "
                            + String.join(", ", p.structOpsMaps().stream().map(BpfMap::name).toList()));
                    continue;
                }
                if (notOurs.isPresent()) {
                    // Another tool attaches it: say how, and let the rest of the object run.
                    out.println("bpf4j: loaded " + p.name() + ", not attached: " + notOurs.get());
                    continue;
                }
                // A kind that needs a target and has none fails in attach, with an example for that kind.
                if (target.isPresent() || Attacher.autoAttachable(p) || p.spec().def().orElseThrow().attachKind().needsTarget()) {
                    Link l = Attacher.attach(p, target, pid);
                    s.links.add(l);
                    out.println("bpf4j: attached " + p.name() + " to " + l.description());
                    if (p.spec().def().orElseThrow().attachKind() == AttachKind.ITER) {
                        // An iterator does its work when read: run it once and show what it wrote.
                        System.out.print(Attacher.runIterator(l));
                    }
                } else {
                    out.println("bpf4j: loaded " + p.name() + " (" + p.spec().section() + "), not attached: its section names no target");
                }
            }
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static boolean perProcess(BpfProgram p) {
        AttachKind kind = p.spec().def().orElseThrow().attachKind();
        return kind == AttachKind.UPROBE || kind == AttachKind.UPROBE_MULTI || kind == AttachKind.USDT;
    }

    BpfObject object() {
        return object;
    }

    List<Link> links() {
        return links;
    }

    /** Streams bpf_printk records to {@code sink} on a background thread. */
    void streamTrace(Consumer<TraceRecord> sink) {
        trace = TracePipe.open();
        int kib = trace.expandBuffer();
        if (kib > 0) {
            System.err.println("bpf4j: the kernel's trace buffer was at its boot-time minimum; set it to " + kib
                    + " KiB per CPU so bursts of bpf_printk lines are not lost");
        }
        reader = Thread.ofPlatform().name("bpf4j-trace").daemon().start(() -> {
            try {
                trace.stream(r -> {
                    if (r.isPrintk()) {
                        sink.accept(r);
                    }
                }, line -> { });
            } catch (Bpf4jException e) {
                System.err.println("bpf4j: " + e.getMessage());
            }
        });
    }

    static String format(TraceRecord r) {
        return String.format("%16s-%-7d [%03d] %13.6f: %s", r.task(), r.pid(), r.cpu(), r.timestamp(), r.message());
    }

    /** Runs the trigger command with this terminal, returning its exit code. */
    static int runCommand(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            return p.waitFor();
        } catch (IOException e) {
            throw new Bpf4jException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** Waits until Ctrl-C/SIGTERM, or the duration when given. */
    void await(Optional<Duration> duration) {
        try {
            if (duration.isPresent()) {
                stopped.await(duration.get().toMillis(), TimeUnit.MILLISECONDS);
            } else {
                stopped.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets trace lines of the last events arrive before stopping. */
    void drain() {
        await(Optional.of(DRAIN));
    }

    /** Every global variable, decoded by its BTF type. */
    Map<String, Object> globals() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (GlobalVariable v : object.globalVariables()) {
            out.put(v.name(), object.globalValue(v.name()));
        }
        return out;
    }

    /** Pins programs and links under dir (created on bpffs), so they outlive this process. */
    void pin(Path dir) {
        // Every attachment must be able to outlive the process, or nothing is pinned: a half-pinned
        // object would keep running without what it needs.
        for (Link l : links) {
            l.whyNotPinnable().ifPresent(why -> {
                throw new Bpf4jException("--pin: " + why);
            });
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new Bpf4jException("cannot create pin directory " + dir + ": " + e.getMessage() + " (it must be on bpffs, e.g. /sys/fs/bpf/NAME)");
        }
        for (BpfProgram p : object.programs()) {
            Bpf.objPin(p.fd(), dir.resolve(p.name()));
        }
        for (Link l : links) {
            l.pin(dir.resolve(l.name() + "_link"));
        }
    }

    private void onSignal() {
        stopped.countDown();
        close();
    }

    /** Stops the trace, detaches every link and unloads the object; safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopped.countDown();
        if (trace != null) {
            trace.close();
        }
        for (int i = links.size() - 1; i >= 0; i--) {
            links.get(i).close();
        }
        object.close();
        if (reader != null) {
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }
}

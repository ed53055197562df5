package io.bpf4j.cli;

import io.bpf4j.Bpf4jException;
import io.bpf4j.link.Attacher;
import io.bpf4j.load.BpfObject;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class RunCommand implements Verb {
    Path file;
    final List<String> command = new ArrayList<>();
    final LoadOptions loading = new LoadOptions();
    final List<String> attach = new ArrayList<>();
    Integer pid;
    String duration;
    boolean noTrace;
    boolean showGlobals;
    boolean json;
    Path pinDir;

    @Override
    public void declare(Args a) {
        a.describe("Compile (for .c), load, attach, trigger and trace a BPF program, then clean up.")
                .parameter("FILE", "A BPF C source (FILE.bpf.c) or object (FILE.bpf.o).", v -> file = Path.of(v))
                .rest("CMD", "A command to run after attaching (after --), to trigger the probes.", command::add)
                .repeatable("--attach", "PROG=TARGET", "Attach PROG to TARGET: an interface (xdp, tc, netkit), a cgroup directory, "
                        + "BINARY:SYMBOL (uprobe), BINARY:GLOB (uprobe.multi), BINARY:PROVIDER:NAME (usdt), a sockmap (sk_msg, "
                        + "sk_skb), a network namespace (sk_lookup, flow_dissector), FAMILY:HOOK (netfilter, e.g. ipv4:input), "
                        + "EVENT:FREQ (perf_event), /dev/lircN (lirc_mode2), a loaded program whose function it replaces (freplace) "
                        + "or traces (fentry, fexit): a pinned path, id:N or the program's name.", attach::add)
                .option("--pid", "PID", "uprobe, uprobe.multi and usdt programs fire in process PID only (default: every process).",
                        v -> pid = Integer.valueOf(v))
                .option("--duration", "D", "Stop after D (e.g. 10s, 500ms, 2m).", v -> duration = v)
                .flag("--no-trace", "Do not stream bpf_printk output.", () -> noTrace = true)
                .flag("--show-globals", "Print the global variables when stopping.", () -> showGlobals = true)
                .flag("--json", "Print the globals as JSON (with --show-globals).", () -> json = true)
                .option("--pin", "DIR", "Pin programs and links under DIR (on bpffs) so they stay after exit.", v -> pinDir = Path.of(v));
        loading.declare(a);
        a.footer("Examples:",
                "  bpf4j run hello.bpf.c -- ls /",
                "  bpf4j run counter.bpf.o --set target_pid=42 --duration 10s --show-globals",
                "  bpf4j run xdp_drop.bpf.c --attach xdp_drop=eth0 --duration 30s");
    }

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Optional<Duration> limit = Optional.ofNullable(duration).map(Durations::parse);
        Map<String, String> targets = parseTargets(attach);
        Path build = ObjectInput.isSource(file) ? ObjectInput.tempBuildDir() : null;
        try {
            Path object = ObjectInput.object(file, build == null ? file.toAbsolutePath().getParent() : build, System.err);
            BpfObject obj = ObjectInput.open(object);
            loading.applySettings(obj);
            try (RunSession session = loading.load(() -> RunSession.start(obj, targets, pid == null ? Attacher.ALL_PROCESSES : pid, System.err))) {
                if (!noTrace) {
                    session.streamTrace(r -> out.println(RunSession.format(r)));
                }
                if (pinDir != null) {
                    session.pin(pinDir);
                    System.err.println("bpf4j: pinned programs and links under " + pinDir + " (remove with: bpf4j prog unload " + pinDir + ")");
                }
                if (!command.isEmpty()) {
                    int code = RunSession.runCommand(command);
                    if (code != 0) {
                        System.err.println("bpf4j: " + String.join(" ", command) + " exited with " + code);
                    }
                    session.drain();
                } else {
                    System.err.println("bpf4j: running" + limit.map(d -> " for " + d.toMillis() + " ms").orElse("")
                            + "; Ctrl-C stops");
                    session.await(limit);
                }
                if (showGlobals) {
                    printGlobals(session.globals(), out);
                }
            }
            return 0;
        } finally {
            ObjectInput.deleteTree(build);
        }
    }

    private void printGlobals(Map<String, Object> globals, PrintStream out) {
        if (json) {
            out.println(Json.write(Map.of("globals", globals)));
        } else {
            globals.forEach((k, v) -> out.println(k + " = " + v));
        }
    }

    static Map<String, String> parseTargets(List<String> attach) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : attach) {
            int eq = a.indexOf('=');
            if (eq <= 0 || eq == a.length() - 1) {
                throw new Bpf4jException("--attach " + a + ": expected PROG=TARGET, e.g. --attach xdp_prog=eth0");
            }
            out.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return out;
    }
}

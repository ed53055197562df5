package io.bpf4j.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The calling process's effective capabilities, from the CapEff line of /proc/self/status. */
public record Capabilities(long effective) {
    /** A capability bpf4j cares about, with its bit number from linux/capability.h. */
    public enum Cap {
        CAP_NET_ADMIN(12, "attach XDP, tc and socket programs"),
        CAP_SYS_ADMIN(21, "older kernels' BPF calls, iterating objects by id, bpffs mounts"),
        CAP_PERFMON(38, "tracing programs: pointer reads, perf events, kprobes, tracepoints"),
        CAP_BPF(39, "create maps and load programs");

        public final int bit;
        public final String neededFor;

        Cap(int bit, String neededFor) {
            this.bit = bit;
            this.neededFor = neededFor;
        }
    }

    public static final List<Cap> RELEVANT = List.of(Cap.CAP_BPF, Cap.CAP_PERFMON, Cap.CAP_SYS_ADMIN, Cap.CAP_NET_ADMIN);

    public static Capabilities ofCurrentProcess() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return new Capabilities(Long.parseUnsignedLong(line.substring(7).strip(), 16));
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // Without /proc there is nothing to report: treat as no capabilities.
        }
        return new Capabilities(0);
    }

    public boolean has(Cap cap) {
        return (effective >>> cap.bit & 1) != 0;
    }

    /** True when the process can load tracing programs: CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON. */
    public boolean canLoadTracing() {
        return has(Cap.CAP_SYS_ADMIN) || (has(Cap.CAP_BPF) && has(Cap.CAP_PERFMON));
    }
}

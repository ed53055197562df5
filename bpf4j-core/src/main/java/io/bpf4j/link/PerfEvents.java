package io.bpf4j.link;

import io.bpf4j.load.BpfProgram;
import io.bpf4j.load.PossibleCpus;
import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.LinkCreateAttr;
import io.bpf4j.sys.PerfEvent;
import io.bpf4j.sys.PerfEventAttr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code SEC("perf_event")} programs on a software event sampled on every CPU, e.g. the target
 * "cpu-clock:99" (99 samples a second per CPU, what profilers use to avoid lock-step with timers).
 */
final class PerfEvents {
    /** PERF_COUNT_SW_* of linux/perf_event.h. */
    private static final Map<String, Long> SOFTWARE = Map.of("cpu-clock", 0L, "task-clock", 1L, "page-faults", 2L,
            "context-switches", 3L, "cpu-migrations", 4L);
    private static final int DEFAULT_HZ = 99;

    private PerfEvents() {
    }

    static Link attach(BpfProgram p, String target) {
        String[] parts = target.split(":", 2);
        Long config = SOFTWARE.get(parts[0]);
        if (config == null) {
            throw new AttachException("program " + p.name() + ": unknown perf event '" + parts[0] + "'; use one of "
                    + String.join(", ", new java.util.TreeSet<>(SOFTWARE.keySet())) + ", with an optional :HZ (e.g. cpu-clock:99)");
        }
        int hz;
        try {
            hz = parts.length > 1 ? Integer.parseInt(parts[1]) : DEFAULT_HZ;
        } catch (NumberFormatException e) {
            throw new AttachException("program " + p.name() + ": '" + parts[1] + "' is not a sampling frequency in Hz");
        }
        PerfEventAttr attr = new PerfEventAttr(PerfEventAttr.TYPE_SOFTWARE, config, hz, 0, 0, PerfEventAttr.FREQ, 0, 0, 0, 0, null);
        List<Fd> events = new ArrayList<>();
        List<Fd> links = new ArrayList<>();
        try {
            for (int cpu = 0; cpu < PossibleCpus.count(); cpu++) {
                Fd event = PerfEvent.open(attr, -1, cpu, -1, 0);
                events.add(event);
                links.add(Bpf.linkCreate(new LinkCreateAttr(p.fd(), event.value(), AttachType.PERF_EVENT, 0, new LinkCreateAttr.PerfEvent(0))));
            }
        } catch (RuntimeException e) {
            links.forEach(Fd::close);
            events.forEach(Fd::close);
            throw e;
        }
        return new Link(p, "perf event " + parts[0] + " at " + hz + " Hz on " + events.size() + " CPUs", links, events, null);
    }
}

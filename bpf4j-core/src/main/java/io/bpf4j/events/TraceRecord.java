package io.bpf4j.events;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of the kernel's trace buffer, as trace_pipe prints it, e.g. the output of
 * {@code bpf_printk("Elapsed time: %lld nanoseconds\n", d)}:
 * <pre>            bash-1234    [001] d..31  5678.901234: bpf_trace_printk: Elapsed time: 42 nanoseconds</pre>
 *
 * @param task      the comm of the task that was running ("&lt;...&gt;" when the kernel has forgotten it)
 * @param pid       its pid (thread id)
 * @param cpu       the CPU the event happened on
 * @param flags     the latency flags column (irqs-off, need-resched, hardirq/softirq, preempt depth)
 * @param timestamp seconds since boot, as printed (microsecond precision)
 * @param event     the event name: "bpf_trace_printk" for bpf_printk output
 * @param message   the rest of the line
 */
public record TraceRecord(String task, int pid, int cpu, String flags, double timestamp, String event, String message) {
    // TASK-PID may contain '-' and spaces in TASK: the pid is the digits after the last '-' before the
    // optional (TGID) and the [CPU] column.
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(.*)-(\\d+)\\s+(?:\\(\\s*[\\d-]+\\)\\s+)?\\[(\\d+)]\\s+(\\S+)\\s+(\\d+\\.\\d+):\\s+([\\w.:-]+?):\\s?(.*)$");

    /** Parses one trace_pipe line; empty for lines of another shape (headers, lost-event notes). */
    public static Optional<TraceRecord> parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TraceRecord(m.group(1).strip(), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    m.group(4), Double.parseDouble(m.group(5)), m.group(6), m.group(7)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** True for bpf_printk / bpf_trace_printk output. */
    public boolean isPrintk() {
        return event.equals("bpf_trace_printk");
    }
}

package io.bpf4j.events;

import io.bpf4j.host.Mounts;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TracePipeTest {
    @Test
    void parsesPrintkLinesWithOddTaskNames() {
        TraceRecord r = TraceRecord.parse("   kworker/u4:2-mm-123     [001] d..31  5678.901234: bpf_trace_printk: Elapsed time: 42 nanoseconds").orElseThrow();
        assertEquals("kworker/u4:2-mm", r.task());
        assertEquals(123, r.pid());
        assertEquals(1, r.cpu());
        assertEquals("d..31", r.flags());
        assertEquals(5678.901234, r.timestamp(), 1e-9);
        assertTrue(r.isPrintk());
        assertEquals("Elapsed time: 42 nanoseconds", r.message());

        TraceRecord empty = TraceRecord.parse("           <...>-9 [000] ..... 1.000001: bpf_trace_printk: ").orElseThrow();
        assertEquals("<...>", empty.task());
        assertEquals("", empty.message());

        TraceRecord tgid = TraceRecord.parse("  sh-77  (   70) [003] ...1. 12.5: bpf_trace_printk: x").orElseThrow();
        assertEquals(77, tgid.pid());
        assertEquals(3, tgid.cpu());

        assertTrue(TraceRecord.parse("# tracer: nop").isEmpty());
        assertTrue(TraceRecord.parse("CPU:1 [LOST 3 EVENTS]").isEmpty());
    }

    /** The kernel itself writes a trace_marker line into the pipe; the reader must hand it back parsed, then stop when closed. */
    @Test
    @Requires(Requirement.ROOT)
    void readsWhatTheKernelWroteAndStopsWhenClosed() throws Exception {
        Path tracefs = Mounts.current().tracefs().orElseThrow(() -> new AssertionError("tracefs is not mounted"));
        String token = "bpf4j-test-" + UUID.randomUUID();
        List<TraceRecord> seen = new CopyOnWriteArrayList<>();
        try (TracePipe pipe = TracePipe.open()) {
            Thread reader = Thread.ofPlatform().start(() -> pipe.stream(seen::add, line -> { }));
            // The kernel records the writing thread's id: /proc/thread-self links to "PID/task/TID".
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            Files.writeString(tracefs.resolve("trace_marker"), token + "\n", StandardOpenOption.WRITE);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.stream().noneMatch(r -> r.message().contains(token)) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            TraceRecord mine = seen.stream().filter(r -> r.message().contains(token)).findFirst()
                    .orElseThrow(() -> new AssertionError("the marker never came through trace_pipe: " + seen));
            assertEquals("tracing_mark_write", mine.event());
            assertEquals(Integer.parseInt(tid), mine.pid());
            pipe.close();
            reader.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(reader.isAlive(), "the reader stopped after close()");
        }
        assertTrue(seen.stream().noneMatch(r -> r.message().contains("bpf4j-stop-")), "the stop marker is not passed on");
    }
}

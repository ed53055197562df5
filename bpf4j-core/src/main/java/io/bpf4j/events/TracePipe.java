package io.bpf4j.events;

import io.bpf4j.Bpf4jException;
import io.bpf4j.host.Mounts;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Reads bpf_printk output from tracefs's trace_pipe as parsed records, until {@link #close()}.
 *
 * <p>A read of trace_pipe blocks in the kernel until there is data, and closing the file from another
 * thread does not wake it. So {@link #close()} writes a line carrying this reader's own token to
 * trace_marker: the blocked read returns it, the reader sees the token and stops. That line is never
 * passed on.
 */
public final class TracePipe implements AutoCloseable {
    private final Path tracefs;
    private static final String STOP_PREFIX = "bpf4j-stop-";
    private final String stopToken = STOP_PREFIX + UUID.randomUUID();
    private volatile boolean closed;
    private volatile boolean running;

    private TracePipe(Path tracefs) {
        this.tracefs = tracefs;
    }

    /** The trace pipe of the mounted tracefs, or an error that says how to mount it. */
    public static TracePipe open() {
        Path tracefs = Mounts.requireTracefs("bpf_printk output cannot be read");
        if (!Files.isReadable(tracefs.resolve("trace_pipe"))) {
            throw new Bpf4jException(tracefs.resolve("trace_pipe") + " is not readable: run as root");
        }
        return new TracePipe(tracefs);
    }

    /**
     * Gives the trace buffer its full size when the kernel still runs it at the boot-time minimum
     * (buffer_size_kb reads "7 (expanded: 1408)" until something traces): at 7 KiB per CPU a burst of
     * bpf_printk lines overruns it and most are lost. Returns the new size in KiB, or -1 when nothing
     * was changed.
     */
    public int expandBuffer() {
        Path size = tracefs.resolve("buffer_size_kb");
        try {
            String text = Files.readString(size).strip();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(expanded: (\\d+)\\)").matcher(text);
            if (!m.find()) {
                return -1;
            }
            Files.writeString(size, m.group(1) + "\n", StandardOpenOption.WRITE);
            return Integer.parseInt(m.group(1));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    public Path path() {
        return tracefs.resolve("trace_pipe");
    }

    /**
     * Passes every record (and, as a raw line, anything that does not parse) to the sink until
     * {@link #close()} is called. Blocks the calling thread: run it on its own thread.
     */
    public void stream(Consumer<TraceRecord> records, Consumer<String> unparsed) {
        running = true;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(path()), StandardCharsets.UTF_8))) {
            String line;
            while (!closed && (line = in.readLine()) != null) {
                if (line.contains(STOP_PREFIX)) {
                    if (line.contains(stopToken)) {
                        break;
                    }
                    continue; // another reader's wake-up line (it stopped before reading it): not an event
                }
                String raw = line;
                TraceRecord.parse(raw).ifPresentOrElse(records, () -> unparsed.accept(raw));
            }
        } catch (AccessDeniedException e) {
            throw new Bpf4jException(path() + " is not readable: run as root");
        } catch (IOException e) {
            if (!closed) {
                throw new Bpf4jException("reading " + path() + " failed: " + e.getMessage(), e);
            }
        } finally {
            running = false;
        }
    }

    /** Stops {@link #stream}: wakes the blocked read with a marker line only this reader recognises. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (running) {
            try {
                Files.writeString(tracefs.resolve("trace_marker"), stopToken + "\n", StandardOpenOption.WRITE);
            } catch (IOException ignored) {
                // Nothing more to do: the reader thread stops at its next line.
            }
        }
    }
}

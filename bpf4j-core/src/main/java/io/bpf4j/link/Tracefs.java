package io.bpf4j.link;

import io.bpf4j.host.Mounts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tracepoint ids from tracefs (events/CATEGORY/NAME/id), which perf_event_open needs. */
final class Tracefs {
    private Tracefs() {
    }

    static Path root() {
        return Mounts.requireTracefs("tracepoints cannot be found");
    }

    static long tracepointId(String category, String name) {
        Path events = root().resolve("events");
        Path id = events.resolve(category).resolve(name).resolve("id");
        if (!Files.exists(id)) {
            String hint = Files.isDirectory(events.resolve(category))
                    ? "the category exists; list its events with: ls " + events.resolve(category)
                    : "there is no category '" + category + "'; list them with: ls " + events;
            throw new AttachException("tracepoint " + category + "/" + name + " does not exist on this kernel (" + hint + ")");
        }
        try {
            return Long.parseLong(Files.readString(id).strip());
        } catch (IOException | NumberFormatException e) {
            throw new AttachException("cannot read " + id + ": " + e.getMessage() + " (run as root)", e);
        }
    }
}

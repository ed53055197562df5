package io.bpf4j.link;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Network interface names to ifindexes, from /sys/class/net/NAME/ifindex. */
final class Interfaces {
    private Interfaces() {
    }

    static int index(String name) {
        Path file = Path.of("/sys/class/net", name, "ifindex");
        if (name.contains("/") || !Files.exists(file)) {
            throw new AttachException("there is no network interface '" + name + "'; list them with: ip link");
        }
        try {
            return Integer.parseInt(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            throw new AttachException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}

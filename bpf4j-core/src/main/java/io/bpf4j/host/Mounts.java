package io.bpf4j.host;

import io.bpf4j.Bpf4jException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mount table of the calling process (/proc/self/mounts), to find tracefs and bpffs. */
public record Mounts(List<Entry> entries) {
    public record Entry(String source, Path mountPoint, String fsType) {
    }

    public static final Path TRACEFS_DEFAULT = Path.of("/sys/kernel/tracing");
    public static final Path BPFFS_DEFAULT = Path.of("/sys/fs/bpf");

    /** How to mount tracefs, for the messages of everything that needs it. */
    public static final String MOUNT_TRACEFS = "mount -t tracefs nodev /sys/kernel/tracing (./bpf4j does this itself when run as root)";

    public static Mounts current() {
        List<Entry> list = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length >= 3) {
                    list.add(new Entry(f[0], Path.of(unescape(f[1])), f[2]));
                }
            }
        } catch (IOException ignored) {
            // No /proc: report nothing mounted.
        }
        return new Mounts(List.copyOf(list));
    }

    /** /proc/mounts writes spaces and other specials in octal (\040). */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Where tracefs is mounted: /sys/kernel/tracing preferred, then debugfs's tracing directory, then any. */
    public Optional<Path> tracefs() {
        Optional<Path> preferred = entries.stream().filter(e -> e.fsType().equals("tracefs"))
                .map(Entry::mountPoint).filter(TRACEFS_DEFAULT::equals).findFirst();
        if (preferred.isPresent()) {
            return preferred;
        }
        return entries.stream().filter(e -> e.fsType().equals("tracefs")).map(Entry::mountPoint).findFirst();
    }

    /** Where tracefs is mounted, or an error that says why it is needed ({@code neededFor}) and how to mount it. */
    public static Path requireTracefs(String neededFor) {
        return current().tracefs().orElseThrow(() -> new Bpf4jException("tracefs is not mounted, so " + neededFor
                + ": as root run " + MOUNT_TRACEFS));
    }

    public Optional<Path> bpffs() {
        Optional<Path> preferred = entries.stream().filter(e -> e.fsType().equals("bpf"))
                .map(Entry::mountPoint).filter(BPFFS_DEFAULT::equals).findFirst();
        return preferred.isPresent() ? preferred
                : entries.stream().filter(e -> e.fsType().equals("bpf")).map(Entry::mountPoint).findFirst();
    }

    /** Where the unified (v2) cgroup hierarchy is mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems. */
    public Optional<Path> cgroup2() {
        return entries.stream().filter(e -> e.fsType().equals("cgroup2")).map(Entry::mountPoint).findFirst();
    }

    /** True when the path lies on a bpffs mount (a pin directory must). */
    public boolean onBpffs(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        return entries.stream().filter(e -> e.fsType().equals("bpf")).anyMatch(e -> abs.startsWith(e.mountPoint()));
    }
}

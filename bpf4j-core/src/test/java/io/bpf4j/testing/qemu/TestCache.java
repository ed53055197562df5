package io.bpf4j.testing.qemu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The download and build cache of the QEMU harness, outside the repository so that {@code mvn
 * clean} does not throw away a 100 MB kernel: {@code $BPF4J_TEST_CACHE}, else
 * {@code /var/tmp/bpf4j-test-cache}. Entries are directories published by an atomic rename, so a
 * run killed half-way leaves no half-built entry behind, and two runs racing both end with one.
 */
final class TestCache {
    private TestCache() {
    }

    static Path root() {
        String env = System.getenv("BPF4J_TEST_CACHE");
        Path root = Path.of(env != null && !env.isBlank() ? env : "/var/tmp/bpf4j-test-cache");
        if (Files.isDirectory(root) && !Files.isWritable(root)) {
            // Made by another user (root in CI): keep a cache of one's own next to it.
            root = root.resolveSibling(root.getFileName() + "-" + System.getProperty("user.name"));
        }
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the test cache " + root, e);
        }
        return root;
    }

    /** Something that fills a fresh directory. */
    interface Filler {
        void fill(Path dir) throws IOException, InterruptedException;
    }

    /** Returns {@code root()/name}, creating it with {@code filler} unless it is already there. */
    static Path entry(String name, Filler filler) throws IOException, InterruptedException {
        Path target = root().resolve(name);
        if (Files.isDirectory(target)) {
            return target;
        }
        Path tmp = Files.createTempDirectory(root(), name + ".tmp-");
        // Readable by all, like the rest of /var/tmp: a later non-root run may reuse the entry.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            filler.fill(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                if (!Files.isDirectory(target)) {
                    throw e;
                }
                // Another run published the same entry first: keep theirs.
            }
        } finally {
            deleteTree(tmp);
        }
        return target;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

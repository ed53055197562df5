package io.bpf4j.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Debian cloud kernel (linux-image-6.1.0-N-cloud-amd64-unsigned) unpacked once into a cache
 * outside the repository, for tests that need kernel-module (split) BTF: this machine's kernel
 * loads no modules. {@link #vmlinux()} is the ELF kernel taken out of the compressed bzImage (its
 * .BTF is the modules' base), {@link #modules()} the .ko files. Tests that cannot have the package
 * (no apt, no network) are skipped with the reason.
 */
public final class DebianKernel {
    /** Shared across worktrees and runs; every step writes to a temporary name and renames. */
    public static final Path CACHE = Path.of(System.getProperty("bpf4j.test.cache", "/var/tmp/bpf4j-test-cache"), "btf-debian-kernel");
    private static final Pattern PACKAGE = Pattern.compile("^(linux-image-6\\.1\\.0-(\\d+)-cloud-amd64-unsigned) ", Pattern.MULTILINE);

    private static volatile DebianKernel instance;
    private static volatile String unavailable;

    private final Path root;
    private final Path vmlinux;

    private DebianKernel(Path root, Path vmlinux) {
        this.root = root;
        this.vmlinux = vmlinux;
    }

    /**
     * The unpacked kernel, downloading it on first use; skips the calling test when that cannot be
     * done (or fails it when BPF4J_REQUIRE_ALL=1, as for the other requirements).
     */
    public static DebianKernel require() {
        DebianKernel k = get();
        if (k == null && "1".equals(System.getenv("BPF4J_REQUIRE_ALL"))) {
            throw new AssertionError("BPF4J_REQUIRE_ALL=1 but the Debian kernel package is unavailable: " + unavailable);
        }
        Assumptions.assumeTrue(k != null, () -> "needs a Debian kernel package with module BTF: " + unavailable);
        return k;
    }

    private static synchronized DebianKernel get() {
        if (instance == null && unavailable == null) {
            try {
                instance = fetch();
            } catch (IOException | RuntimeException e) {
                unavailable = e.getMessage();
            }
        }
        return instance;
    }

    /** The uncompressed kernel ELF (with the .BTF section the modules' BTF is split from). */
    public Path vmlinux() {
        return vmlinux;
    }

    /** Every module object of the package, sorted by path. */
    public List<Path> modules() {
        try (Stream<Path> s = Files.walk(root.resolve("lib/modules"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ko")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A module by its file name (e.g. "ext4.ko"). */
    public Path module(String fileName) {
        return modules().stream().filter(p -> p.getFileName().toString().equals(fileName)).findFirst()
                .orElseThrow(() -> new AssertionError("no module " + fileName + " in " + root));
    }

    private static DebianKernel fetch() throws IOException {
        Files.createDirectories(CACHE);
        try (FileChannel lockFile = FileChannel.open(CACHE.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            Optional<Path> done = existing();
            if (done.isPresent()) {
                return new DebianKernel(done.get(), done.get().resolve("vmlinux"));
            }
            String pkg = newestPackage();
            Path work = Files.createTempDirectory(CACHE, ".work");
            try {
                run(work, List.of("apt-get", "download", pkg), 600);
                Path deb;
                try (Stream<Path> s = Files.list(work)) {
                    deb = s.filter(p -> p.toString().endsWith(".deb")).findFirst()
                            .orElseThrow(() -> new IOException("apt-get download " + pkg + " produced no .deb"));
                }
                Path tree = work.resolve("tree");
                run(work, List.of("dpkg", "-x", deb.toString(), tree.toString()), 600);
                Files.delete(deb);
                Path vmlinuz;
                try (Stream<Path> s = Files.list(tree.resolve("boot"))) {
                    vmlinuz = s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst()
                            .orElseThrow(() -> new IOException(pkg + " has no /boot/vmlinuz-*"));
                }
                decompressKernel(vmlinuz, tree.resolve("vmlinux"), work);
                Path target = CACHE.resolve(pkg);
                Files.move(tree, target);
                return new DebianKernel(target, target.resolve("vmlinux"));
            } finally {
                deleteTree(work);
            }
        }
    }

    private static Optional<Path> existing() throws IOException {
        try (Stream<Path> s = Files.list(CACHE)) {
            return s.filter(p -> p.getFileName().toString().startsWith("linux-image-") && Files.isRegularFile(p.resolve("vmlinux")))
                    .max(Comparator.comparing(Path::toString));
        }
    }

    private static String newestPackage() throws IOException {
        String out = run(Path.of("/"), List.of("apt-cache", "search", "--names-only", "^linux-image-6\\.1\\.0-[0-9]+-cloud-amd64-unsigned$"), 120);
        Matcher m = PACKAGE.matcher(out);
        String best = null;
        int bestN = -1;
        while (m.find()) {
            int n = Integer.parseInt(m.group(2));
            if (n > bestN) {
                bestN = n;
                best = m.group(1);
            }
        }
        if (best == null) {
            throw new IOException("apt-cache knows no linux-image-6.1.0-*-cloud-amd64-unsigned (Debian 12 sources needed)");
        }
        return best;
    }

    /**
     * Takes the compressed kernel out of a bzImage: the x86 boot header (Documentation/arch/x86/boot.rst)
     * gives setup_sects at 0x1f1 and payload_offset/payload_length at 0x248/0x24c, relative to the
     * protected-mode code that follows the setup sectors; the payload's magic says the compressor.
     */
    private static void decompressKernel(Path vmlinuz, Path out, Path work) throws IOException {
        byte[] image = Files.readAllBytes(vmlinuz);
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int setupSects = Byte.toUnsignedInt(image[0x1f1]);
        int protectedMode = ((setupSects == 0 ? 4 : setupSects) + 1) * 512;
        int payloadOffset = b.getInt(0x248);
        int payloadLength = b.getInt(0x24c);
        int start = protectedMode + payloadOffset;
        if (start < 0 || payloadLength <= 0 || start + payloadLength > image.length) {
            throw new IOException(vmlinuz + ": bzImage payload bounds are outside the file");
        }
        List<String> tool;
        if (matches(image, start, 0xfd, '7', 'z', 'X', 'Z')) {
            tool = List.of("xz", "-dc");
        } else if (matches(image, start, 0x28, 0xb5, 0x2f, 0xfd)) {
            tool = List.of("zstd", "-dc");
        } else if (matches(image, start, 0x1f, 0x8b)) {
            tool = List.of("gzip", "-dc");
        } else if (matches(image, start, 0x02, 0x21, 0x4c, 0x18)) {
            tool = List.of("lz4", "-dc"); // the kernel's "legacy" LZ4 frame
        } else {
            throw new IOException(vmlinuz + ": unknown payload compression (magic "
                    + String.format("%02x%02x%02x%02x", image[start], image[start + 1], image[start + 2], image[start + 3]) + ")");
        }
        Path payload = work.resolve("payload");
        Files.write(payload, java.util.Arrays.copyOfRange(image, start, start + payloadLength));
        Path tmp = out.resolveSibling("vmlinux.tmp");
        List<String> cmd = new ArrayList<>(tool);
        cmd.add(payload.toString());
        Process p = new ProcessBuilder(cmd).redirectOutput(tmp.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        // The kernel appends the uncompressed size after the stream; some tools exit non-zero on
        // that trailer although the output is complete, so judge by the result: an ELF file.
        byte[] head = new byte[4];
        try (var in = Files.newInputStream(tmp)) {
            if (in.readNBytes(head, 0, 4) != 4 || !matches(head, 0, 0x7f, 'E', 'L', 'F')) {
                throw new IOException(String.join(" ", cmd) + " (exit " + p.exitValue() + ") did not produce an ELF vmlinux");
            }
        }
        Files.move(tmp, out);
    }

    private static boolean matches(byte[] b, int at, int... magic) {
        if (at + magic.length > b.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (Byte.toUnsignedInt(b[at + i]) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static String run(Path dir, List<String> cmd, int timeoutSeconds) throws IOException {
        Path log = Files.createTempFile("debian-kernel", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " timed out after " + timeoutSeconds + " s");
            }
            String out = Files.readString(log);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out.strip());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
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

package io.bpf4j.testing.qemu;

import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A Debian cloud kernel package ({@code linux-image-*-cloud-amd64-unsigned}) fetched with
 * {@code apt-get download} and unpacked with {@code dpkg -x}, once, into the test cache
 * ({@code /var/tmp/bpf4j-test-cache/kernel-<version>/}); tests boot it under QEMU to exercise
 * what this machine's kernel lacks (kprobes, fentry, module BTF).
 *
 * <p>When the package cannot be had (no network, no apt), the calling test is <em>skipped</em>
 * with the reason, through a JUnit assumption: a missing download is an environment problem,
 * not a bpf4j bug.
 */
public final class DebianKernelPackage {
    private static final String PREFIX = "linux-image-";
    private static final String SUFFIX = "-cloud-amd64-unsigned";
    private static final Pattern NUMBERS = Pattern.compile("\\d+");
    private static final Map<String, DebianKernelPackage> OPENED = new LinkedHashMap<>();
    /** Why a series or package could not be had: asked once per run, not once per test. */
    private static final Map<String, String> REFUSED = new LinkedHashMap<>();

    private final String packageName;
    private final Path root;
    private final String release;
    private Map<String, Path> moduleFiles;
    private java.util.Set<String> builtin;

    private DebianKernelPackage(String packageName, Path root) throws IOException {
        this.packageName = packageName;
        this.root = root;
        try (Stream<Path> s = Files.list(root.resolve("lib/modules"))) {
            this.release = s.map(p -> p.getFileName().toString()).findFirst()
                    .orElseThrow(() -> new IOException("no lib/modules/<release> in " + root));
        }
    }

    /**
     * The kernel the QEMU tests boot by default: {@code $BPF4J_QEMU_KERNEL} (a package name) when
     * set, else the newest Debian 6.1 cloud kernel.
     */
    public static DebianKernelPackage defaultKernel() {
        String pinned = System.getenv("BPF4J_QEMU_KERNEL");
        return pinned != null && !pinned.isBlank() ? named(pinned.strip()) : latest("6.1");
    }

    /**
     * The newest cloud kernel of a series ("6.1" picks {@code linux-image-6.1.0-N-cloud-amd64-unsigned},
     * "6.12" picks {@code linux-image-6.12.N+deb12-cloud-amd64-unsigned}) that apt knows; when apt
     * cannot be asked, the newest one of the series already in the cache.
     */
    public static synchronized DebianKernelPackage latest(String series) {
        String refused = REFUSED.get(series);
        if (refused != null) {
            throw skip(refused);
        }
        List<String> names;
        try {
            names = candidates(series);
        } catch (IOException | InterruptedException e) {
            names = List.of();
        }
        if (names.isEmpty()) {
            names = cachedCandidates(series);
        }
        if (names.isEmpty()) {
            REFUSED.put(series, "no " + PREFIX + series + ".*" + SUFFIX + " package is known to apt (tried apt-cache search"
                    + (isRoot() ? " after apt-get update" : "; as root it would run apt-get update")
                    + ") and none is cached in " + TestCache.root());
            throw skip(REFUSED.get(series));
        }
        return named(names.getLast());
    }

    /** A package by its exact name, downloaded and unpacked on first use. */
    public static synchronized DebianKernelPackage named(String packageName) {
        if (!packageName.startsWith(PREFIX) || !packageName.endsWith(SUFFIX)) {
            throw new IllegalArgumentException("'" + packageName + "' is not a " + PREFIX + "*" + SUFFIX + " package name");
        }
        DebianKernelPackage open = OPENED.get(packageName);
        if (open != null) {
            return open;
        }
        if (REFUSED.containsKey(packageName)) {
            throw skip(REFUSED.get(packageName));
        }
        try {
            Path dir = TestCache.entry("kernel-" + version(packageName), tmp -> unpack(packageName, tmp));
            DebianKernelPackage kernel = new DebianKernelPackage(packageName, dir);
            OPENED.put(packageName, kernel);
            return kernel;
        } catch (DownloadRefused e) {
            REFUSED.put(packageName, e.getMessage());
            throw skip(e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + packageName + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching " + packageName, e);
        }
    }

    public String packageName() {
        return packageName;
    }

    /** The kernel release, what {@code uname -r} prints in the guest (e.g. "6.1.0-56-cloud-amd64"). */
    public String release() {
        return release;
    }

    /** The directory the package was unpacked into (it holds boot/ and lib/modules/). */
    public Path root() {
        return root;
    }

    /** The compressed kernel image QEMU boots with {@code -kernel}. */
    public Path vmlinuz() {
        return root.resolve("boot/vmlinuz-" + release);
    }

    /** The kernel's build configuration ({@code boot/config-<release>}). */
    public Path config() {
        return root.resolve("boot/config-" + release);
    }

    public Path systemMap() {
        return root.resolve("boot/System.map-" + release);
    }

    /** {@code lib/modules/<release>}: the package's modules, possibly compressed (.ko.xz, .ko.zst). */
    public Path modulesDir() {
        return root.resolve("lib/modules/" + release);
    }

    /** The module's file as packaged (maybe compressed), by name ('-' and '_' are the same). */
    public synchronized Optional<Path> findModule(String name) {
        if (moduleFiles == null) {
            moduleFiles = indexModules();
        }
        return Optional.ofNullable(moduleFiles.get(normalize(name)));
    }

    /** Every module name of the package, sorted. */
    public synchronized List<String> moduleNames() {
        findModule("");
        return List.copyOf(new TreeMap<>(moduleFiles).keySet());
    }

    /** The module, decompressed on the host into the cache, with its dependencies read. */
    public KernelModule module(String name) {
        Path packaged = findModule(name).orElseThrow(() -> new IllegalArgumentException(
                "kernel " + release + " has no module '" + name + "' under " + modulesDir()));
        String base = normalize(name);
        try {
            Path ko = packaged.toString().endsWith(".ko") ? packaged : decompressed(packaged, base);
            return KernelModule.read(ko, base);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read module " + packaged + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether the module is built into the kernel image (listed in modules.builtin), so there is
     * nothing to load: {@code virtio_pci} is a module in 6.1 but built in in 6.12.
     */
    public synchronized boolean isBuiltin(String name) {
        if (builtin == null) {
            builtin = new java.util.HashSet<>();
            try {
                Path list = modulesDir().resolve("modules.builtin");
                if (Files.isRegularFile(list)) {
                    for (String line : Files.readAllLines(list)) {
                        String file = line.substring(line.lastIndexOf('/') + 1);
                        int ko = file.indexOf(".ko");
                        if (ko > 0) {
                            builtin.add(normalize(file.substring(0, ko)));
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return builtin.contains(normalize(name));
    }

    /**
     * The modules and, first, everything they depend on, in an order insmod accepts; modules
     * built into the kernel are left out (they are always there).
     */
    public List<KernelModule> withDependencies(List<String> names) {
        Map<String, KernelModule> ordered = new LinkedHashMap<>();
        for (String n : names) {
            addWithDependencies(normalize(n), ordered, new ArrayList<>());
        }
        return List.copyOf(ordered.values());
    }

    private void addWithDependencies(String name, Map<String, KernelModule> ordered, List<String> path) {
        if (ordered.containsKey(name) || isBuiltin(name)) {
            return;
        }
        if (path.contains(name)) {
            throw new IllegalStateException("module dependency cycle: " + path + " -> " + name);
        }
        path.add(name);
        KernelModule m = module(name);
        for (String d : m.depends()) {
            addWithDependencies(d, ordered, path);
        }
        path.removeLast();
        ordered.put(name, m);
    }

    @Override
    public String toString() {
        return packageName + " (" + release + ", " + root + ")";
    }

    private Map<String, Path> indexModules() {
        Map<String, Path> index = new TreeMap<>();
        try (Stream<Path> s = Files.walk(modulesDir())) {
            s.filter(Files::isRegularFile).forEach(p -> {
                String file = p.getFileName().toString();
                int ko = file.indexOf(".ko");
                if (ko > 0 && (file.endsWith(".ko") || file.endsWith(".ko.xz") || file.endsWith(".ko.zst") || file.endsWith(".ko.gz"))) {
                    index.putIfAbsent(normalize(file.substring(0, ko)), p);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return index;
    }

    private Path decompressed(Path packaged, String base) throws IOException, InterruptedException {
        Path dir = root.resolve("decompressed");
        Files.createDirectories(dir);
        Path ko = dir.resolve(base + ".ko");
        if (Files.isRegularFile(ko)) {
            return ko;
        }
        Path tmp = Files.createTempFile(dir, base, ".tmp");
        String file = packaged.toString();
        try {
            if (file.endsWith(".gz")) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(packaged));
                     OutputStream out = Files.newOutputStream(tmp)) {
                    in.transferTo(out);
                }
            } else {
                String tool = file.endsWith(".xz") ? "xz" : "zstd";
                Path raw = Files.createTempFile(dir, base, ".raw");
                try {
                    Files.copy(packaged, raw, StandardCopyOption.REPLACE_EXISTING);
                    ProcessBuilder pb = new ProcessBuilder(tool, "-dc", raw.toString())
                            .redirectOutput(tmp.toFile()).redirectError(ProcessBuilder.Redirect.PIPE);
                    Process p = pb.start();
                    String err = new String(p.getErrorStream().readAllBytes());
                    if (p.waitFor() != 0) {
                        throw new IOException(tool + " -dc " + packaged + " failed: " + err.strip()
                                + " (install " + (tool.equals("xz") ? "xz-utils" : "zstd") + ")");
                    }
                } finally {
                    Files.deleteIfExists(raw);
                }
            }
            Files.move(tmp, ko, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return ko;
    }

    private static String normalize(String moduleName) {
        return moduleName.replace('-', '_');
    }

    private static String version(String packageName) {
        return packageName.substring(PREFIX.length(), packageName.length() - SUFFIX.length());
    }

    /** Package names of the series that apt knows, oldest first. */
    private static List<String> candidates(String series) throws IOException, InterruptedException {
        List<String> names = search(series);
        if (names.isEmpty() && isRoot()) {
            Commands.run(null, List.of("apt-get", "update", "-qq"));
            names = search(series);
        }
        return names;
    }

    private static List<String> search(String series) throws IOException, InterruptedException {
        Commands.Result r = Commands.run(null, List.of("apt-cache", "search", "--names-only",
                "^" + PREFIX + series.replace(".", "\\.") + "\\..*" + SUFFIX + "$"));
        if (!r.ok()) {
            return List.of();
        }
        return r.output().lines().map(l -> l.split(" ", 2)[0])
                .filter(n -> n.startsWith(PREFIX + series + ".") && n.endsWith(SUFFIX))
                .sorted(BY_VERSION).toList();
    }

    private static List<String> cachedCandidates(String series) {
        try (Stream<Path> s = Files.list(TestCache.root())) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("kernel-" + series + "."))
                    .map(n -> PREFIX + n.substring("kernel-".length()) + SUFFIX)
                    .sorted(BY_VERSION).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Orders "6.1.0-9" before "6.1.0-56": by the numbers in the name, compared as numbers. */
    private static final Comparator<String> BY_VERSION = (a, b) -> {
        Matcher ma = NUMBERS.matcher(a);
        Matcher mb = NUMBERS.matcher(b);
        while (true) {
            boolean ha = ma.find();
            boolean hb = mb.find();
            if (!ha || !hb) {
                return Boolean.compare(ha, hb);
            }
            int c = new java.math.BigInteger(ma.group()).compareTo(new java.math.BigInteger(mb.group()));
            if (c != 0) {
                return c;
            }
        }
    };

    private static void unpack(String packageName, Path dir) throws IOException, InterruptedException {
        Commands.Result download = Commands.run(dir, List.of("apt-get", "download", "-qq", packageName));
        Path deb;
        try (Stream<Path> s = Files.list(dir)) {
            deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst().orElse(null);
        }
        if (!download.ok() || deb == null) {
            throw new DownloadRefused("apt-get download " + packageName + " failed (exit " + download.exitCode()
                    + "): " + download.output().strip());
        }
        Commands.require(dir, List.of("dpkg", "-x", deb.toString(), "."));
        Files.delete(deb);
        // Newer packages ship /usr/lib/modules (merged /usr); keep one layout in the cache.
        if (!Files.isDirectory(dir.resolve("lib/modules")) && Files.isDirectory(dir.resolve("usr/lib/modules"))) {
            Files.createDirectories(dir.resolve("lib"));
            Files.move(dir.resolve("usr/lib/modules"), dir.resolve("lib/modules"));
        }
        TestCache.deleteTree(dir.resolve("usr"));
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static RuntimeException skip(String reason) {
        System.err.println("SKIPPED (QEMU guest kernel): " + reason);
        return new TestAbortedException(reason);
    }

    /** apt refused to hand out the package (network, mirror, name): a reason to skip, not to fail. */
    private static final class DownloadRefused extends IOException {
        DownloadRefused(String message) {
            super(message);
        }
    }
}

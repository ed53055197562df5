package io.bpf4j.testing.qemu;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The guest's userland, as an initramfs: busybox (the shell and every applet), a jlink'ed Java
 * runtime at {@code /opt/java} (with a CDS archive, which halves the JVM's start under emulation)
 * and the glibc files that runtime needs, found with {@code ldd}. This base part is built once and
 * cached by a hash of its inputs ({@code guest-runtime-<hash>/base.cpio} in the test cache);
 * each job then gets a small second cpio archive appended (its /init, modules and files), which
 * the kernel unpacks over the first (it accepts concatenated archives). Neither is compressed:
 * gunzipping 28 MB under emulation costs the boot more (about 1 s) than copying 77 MB costs the host.
 */
public final class GuestRuntime {
    /** The guest's java launcher; {@code /opt/java/bin} is also on the job script's PATH. */
    public static final String JAVA = "/opt/java/bin/java";
    /** Bump when the layout of the base image changes, so old cache entries are not reused. */
    private static final int LAYOUT_VERSION = 2;
    private static final Pattern LDD_PATH = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x");

    private final Path jdkHome;
    private final Set<String> javaModules;
    private final Path busybox;
    private Path baseImage;
    private RuntimeException buildFailure;

    /**
     * The shell command that runs {@code mainClass} from {@link GuestFile#testClasspath()} in the
     * guest, with native access enabled (bpf4j's FFM calls need it); arguments are single-quoted.
     */
    public static String javaCommand(String mainClass, String... args) {
        // Pinned to one emulated CPU: HotSpot patching JIT code that another TCG vCPU is running was seen
        // to crash the guest JVM with SIGILL (QEMU 7.2), once in three runs on two vCPUs.
        StringBuilder cmd = new StringBuilder("taskset 2 " + JAVA + " --enable-native-access=ALL-UNNAMED -cp "
                + GuestFile.TEST_CLASSPATH_JAR + " " + mainClass);
        for (String a : args) {
            cmd.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        return cmd.toString();
    }

    private GuestRuntime(Path jdkHome, Set<String> javaModules, Path busybox) {
        this.jdkHome = jdkHome;
        this.javaModules = Set.copyOf(new TreeSet<>(javaModules));
        this.busybox = busybox;
    }

    /** A runtime with only the {@code java.base} module (FFM included), from the JDK running the tests. */
    public static GuestRuntime javaBase() {
        return withJavaModules(Set.of("java.base"));
    }

    /** A runtime with the given JDK modules (and what they require), from the JDK running the tests. */
    public static GuestRuntime withJavaModules(Set<String> modules) {
        return new GuestRuntime(Path.of(System.getProperty("java.home")), modules, findBusybox());
    }

    public Set<String> javaModules() {
        return javaModules;
    }

    /** The cached base image (busybox, Java, glibc), built on first use. */
    public synchronized Path baseImage() {
        if (buildFailure != null) {
            throw buildFailure; // built once per run: a failed build is not retried by every test
        }
        if (baseImage == null) {
            try {
                baseImage = TestCache.entry("guest-runtime-" + inputHash(), this::buildBase).resolve("base.cpio");
            } catch (IOException e) {
                buildFailure = new UncheckedIOException("cannot build the guest runtime: " + e.getMessage(), e);
                throw buildFailure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return baseImage;
    }

    /** The second archive of a boot: /init, the job script, the modules to insmod and the job's files. */
    static byte[] jobArchive(String init, String script, List<KernelModule> modules, List<GuestFile> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Cpio.Writer cpio = new Cpio.Writer(bytes)) {
            cpio.file("/init", init.getBytes(StandardCharsets.UTF_8), true);
            cpio.file(InitScript.JOB_SCRIPT, script.getBytes(StandardCharsets.UTF_8), true);
            for (KernelModule m : modules) {
                cpio.file(InitScript.modulePath(m), Files.readAllBytes(m.file()), false);
            }
            for (GuestFile f : files) {
                cpio.file(f.guestPath(), f.content(), f.executable());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the job's initramfs part: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    private void buildBase(Path dir) throws IOException, InterruptedException {
        Path java = dir.resolve("java");
        Path jlink = jdkHome.resolve("bin/jlink");
        if (!Files.isExecutable(jlink)) {
            throw new IOException("no jlink in " + jdkHome + ": the tests must run on a full JDK 25");
        }
        Commands.require(dir, List.of(jlink.toString(), "--add-modules", String.join(",", javaModules),
                "--strip-debug", "--no-header-files", "--no-man-pages", "--generate-cds-archive",
                "--output", java.toString()));
        // The guest has far less than 32 GB, so the JVM uses compressed oops and never this archive.
        Files.deleteIfExists(java.resolve("lib/server/classes_nocoops.jsa"));

        Set<String> libraries = new TreeSet<>();
        List<Path> binaries;
        try (Stream<Path> s = Files.walk(java)) {
            binaries = s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".so") || p.equals(java.resolve("bin/java"))).toList();
        }
        Set<String> ownLibraries = new TreeSet<>();
        binaries.forEach(b -> ownLibraries.add(b.getFileName().toString()));
        for (Path b : binaries) {
            libraries.addAll(sharedLibraries(b, ownLibraries));
        }
        libraries.addAll(sharedLibraries(busybox, Set.of()));
        libraries.removeIf(l -> l.startsWith(java.toString()));

        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve("base.cpio")), 1 << 20);
             Cpio.Writer cpio = new Cpio.Writer(out)) {
            for (String d : List.of("/proc", "/sys", "/dev", "/tmp", "/run", "/root", "/etc", "/mnt")) {
                cpio.directory(d);
            }
            cpio.file("/bin/busybox", Files.readAllBytes(busybox), true);
            for (String applet : applets()) {
                if (!applet.equals("busybox")) {
                    cpio.symlink("/bin/" + applet, "busybox");
                }
            }
            cpio.symlink("/sbin", "bin");
            cpio.file("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8), false);
            cpio.file("/etc/group", "root:x:0:\n".getBytes(StandardCharsets.UTF_8), false);
            for (String lib : libraries) {
                // The file's bytes at the path ldd named, symlinks resolved: the guest needs no links.
                cpio.file(lib, Files.readAllBytes(Path.of(lib)), true);
            }
            try (Stream<Path> s = Files.walk(java)) {
                for (Path p : s.sorted().toList()) {
                    String guest = "/opt/java" + (p.equals(java) ? "" : "/" + java.relativize(p));
                    if (Files.isSymbolicLink(p)) {
                        cpio.symlink(guest, Files.readSymbolicLink(p).toString());
                    } else if (Files.isDirectory(p)) {
                        cpio.directory(guest);
                    } else {
                        cpio.file(guest, Files.readAllBytes(p), Files.isExecutable(p));
                    }
                }
            }
        }
        TestCache.deleteTree(java);
    }

    /** Absolute paths of the shared libraries and the dynamic loader ldd names for a binary. */
    private static Set<String> sharedLibraries(Path binary, Set<String> ownLibraries) throws IOException, InterruptedException {
        Commands.Result r = Commands.run(null, List.of("ldd", binary.toString()));
        Set<String> paths = new TreeSet<>();
        if (!r.ok()) {
            return paths; // "not a dynamic executable": a static busybox needs nothing
        }
        for (String line : r.output().lines().toList()) {
            // The runtime's own libraries (libjvm.so) are found through its RPATH only at run time.
            if (line.contains("not found") && !ownLibraries.contains(line.strip().split("\\s")[0])) {
                throw new IOException("ldd " + binary + ": " + line.strip());
            }
            Matcher m = LDD_PATH.matcher(line);
            if (m.find()) {
                paths.add(m.group(1));
            }
        }
        return paths;
    }

    private List<String> applets() throws IOException, InterruptedException {
        return Commands.require(null, List.of(busybox.toString(), "--list")).lines()
                .map(String::strip).filter(a -> !a.isEmpty() && !a.contains("/")).toList();
    }

    private String inputHash() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            StringBuilder inputs = new StringBuilder("layout " + LAYOUT_VERSION + "\nmodules " + javaModules + "\n");
            for (Path p : List.of(jdkHome.resolve("release"), jdkHome.resolve("lib/server/libjvm.so"), busybox)) {
                inputs.append(p).append(' ').append(Files.size(p)).append(' ')
                        .append(Files.getLastModifiedTime(p).toMillis()).append('\n');
            }
            sha.update(Files.readAllBytes(jdkHome.resolve("release")));
            sha.update(inputs.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash the guest runtime's inputs: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static Path findBusybox() {
        for (String p : List.of("/bin/busybox", "/usr/bin/busybox", "/sbin/busybox")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        throw new IllegalStateException("no busybox: apt-get install busybox-static");
    }
}

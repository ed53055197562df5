package io.bpf4j.testing.qemu;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Boots a {@link DebianKernelPackage} under {@code qemu-system-x86_64 -accel tcg} (pure emulation:
 * no KVM needed) with a {@link GuestRuntime} initramfs, runs one {@link GuestJob} and powers off.
 * A boot to power-off takes about 5 s; the guest has no disk and no network, only the serial
 * console (the job's output and the markers) and, when files are collected, a raw output disk.
 *
 * <p>Set {@code BPF4J_QEMU_VERBOSE=1} to see the guest console live on stderr.
 */
public final class QemuGuest {
    private static final String QEMU = "qemu-system-x86_64";
    /** Big enough for anything a test collects; the file is sparse, so it costs nothing on the host. */
    private static final long OUTPUT_DISK_BYTES = 1L << 30;
    private static QemuGuest defaultGuest;

    private final DebianKernelPackage kernel;
    private final GuestRuntime runtime;
    private final int memoryMb;
    private final int cpus;

    public QemuGuest(DebianKernelPackage kernel, GuestRuntime runtime, int memoryMb, int cpus) {
        this.kernel = kernel;
        this.runtime = runtime;
        this.memoryMb = memoryMb;
        this.cpus = cpus;
    }

    /** The default kernel ({@link DebianKernelPackage#defaultKernel()}) with a java.base runtime, 1 GB, 2 CPUs. */
    public static synchronized QemuGuest defaultGuest() {
        if (defaultGuest == null) {
            defaultGuest = new QemuGuest(DebianKernelPackage.defaultKernel(), GuestRuntime.javaBase(), 1024, 2);
        }
        return defaultGuest;
    }

    public DebianKernelPackage kernel() {
        return kernel;
    }

    public GuestRuntime runtime() {
        return runtime;
    }

    /**
     * Boots, runs the job, and returns its exit code, output and collected files. A non-zero exit
     * of the job is a normal result; a guest that does not get through (panic, insmod failure,
     * timeout) throws {@link GuestFailure}.
     */
    public GuestResult run(GuestJob job) {
        String marker = "@@BPF4J-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        List<KernelModule> jobModules = kernel.withDependencies(job.modules());
        List<KernelModule> outputModules = new ArrayList<>();
        if (!job.collect().isEmpty()) {
            for (KernelModule m : kernel.withDependencies(InitScript.OUTPUT_DISK_MODULES)) {
                if (jobModules.stream().noneMatch(j -> j.name().equals(m.name()))) {
                    outputModules.add(m);
                }
            }
        }
        List<KernelModule> shipped = new ArrayList<>(jobModules);
        shipped.addAll(outputModules);
        String init = InitScript.write(marker, jobModules, outputModules, job.collect());
        byte[] jobArchive = GuestRuntime.jobArchive(init, job.script(), shipped, job.files());

        Path work = null;
        try {
            work = Files.createTempDirectory("bpf4j-qemu-");
            Path initrd = work.resolve("initrd");
            try (OutputStream out = Files.newOutputStream(initrd)) {
                Files.copy(runtime.baseImage(), out);
                out.write(jobArchive);
            }
            Path disk = work.resolve("output.img");
            if (!job.collect().isEmpty()) {
                try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
                    f.setLength(OUTPUT_DISK_BYTES);
                }
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    return boot(job, marker, initrd, job.collect().isEmpty() ? null : disk);
                } catch (GuestFailure e) {
                    // A guest that reset before its serial console came up (QEMU exits at once with
                    // -no-reboot and not one byte of output) never ran the job: TCG has done that once
                    // in many hundred boots here. Booted again once; any other failure is the test's.
                    if (attempt > 1 || !e.getMessage().startsWith(SILENT_EXIT)) {
                        throw e;
                    }
                    System.err.println("QEMU guest: exited with no console output at all (" + e.getMessage().strip()
                            + "); booting it once more");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("QEMU guest run failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the guest ran", e);
        } finally {
            if (work != null) {
                try {
                    TestCache.deleteTree(work);
                } catch (IOException ignored) {
                    // a leftover temp dir is not worth failing a test for
                }
            }
        }
    }

    private static final String SILENT_EXIT = "QEMU exited before the guest printed anything";

    private GuestResult boot(GuestJob job, String marker, Path initrd, Path disk) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(QEMU, "-accel", "tcg", "-m", Integer.toString(memoryMb),
                "-smp", Integer.toString(cpus), "-nic", "none", "-display", "none", "-monitor", "none",
                "-serial", "stdio", "-no-reboot",
                "-kernel", kernel.vmlinuz().toString(), "-initrd", initrd.toString(),
                "-append", String.join(" ", kernelCommandLine(job))));
        if (disk != null) {
            cmd.addAll(List.of("-drive", "file=" + disk + ",format=raw,if=virtio"));
        }
        boolean verbose = "1".equals(System.getenv("BPF4J_QEMU_VERBOSE"));
        long start = System.nanoTime();
        Process qemu;
        try {
            qemu = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        } catch (IOException e) {
            throw new GuestFailure("cannot start " + QEMU + " (apt-get install qemu-system-x86): " + e.getMessage(), "");
        }
        // A test JVM that dies (Ctrl-C, surefire timeout) must not leave an emulator running.
        Thread killer = new Thread(qemu::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(killer);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> copy(qemu.getInputStream(), console, verbose));
        boolean exited;
        try {
            exited = qemu.waitFor(job.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            if (qemu.isAlive()) {
                qemu.destroyForcibly();
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
            Runtime.getRuntime().removeShutdownHook(killer);
        }
        reader.join(Duration.ofSeconds(10));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        String output;
        synchronized (console) {
            output = console.toString(StandardCharsets.UTF_8);
        }
        if (!exited) {
            throw new GuestFailure("the guest did not power off within " + job.timeout().toSeconds()
                    + " s; QEMU was killed", output);
        }
        if (output.isBlank()) {
            throw new GuestFailure(SILENT_EXIT + " (status " + qemu.exitValue() + ", after " + elapsed.toMillis() + " ms)", output);
        }
        return parse(job, marker, output, disk, elapsed);
    }

    private List<String> kernelCommandLine(GuestJob job) {
        List<String> args = new ArrayList<>(List.of("console=ttyS0", "panic=-1", "quiet", "loglevel=0",
                "rdinit=/init"));
        args.addAll(job.kernelArgs());
        return args;
    }

    private static GuestResult parse(GuestJob job, String marker, String output, Path disk, Duration elapsed)
            throws IOException {
        Matcher failed = Pattern.compile(Pattern.quote(marker) + ":FAILED:([^\r\n]*)").matcher(output);
        if (failed.find()) {
            throw new GuestFailure("the guest's /init failed: " + failed.group(1), output);
        }
        int begin = output.indexOf(marker + ":JOB-BEGIN");
        Matcher end = Pattern.compile(Pattern.quote(marker) + ":JOB-END:(\\d+)").matcher(output);
        if (begin < 0 || !end.find(begin)) {
            throw new GuestFailure("the guest never finished its job (kernel panic or a broken /init?)", output);
        }
        int exitCode = Integer.parseInt(end.group(1));
        int jobStart = output.indexOf('\n', begin) + 1;
        String jobOutput = output.substring(Math.min(jobStart, end.start()), end.start()).replace("\r\n", "\n");
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (disk != null) {
            Matcher collected = Pattern.compile(Pattern.quote(marker) + ":COLLECTED:(\\d+):([0-9a-f]{64})").matcher(output);
            if (!collected.find()) {
                throw new GuestFailure("the guest did not write the collected files " + job.collect(), output);
            }
            int size = Integer.parseInt(collected.group(1));
            byte[] archive = new byte[size];
            try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "r")) {
                f.readFully(archive);
            }
            String sha = sha256(archive);
            if (!sha.equals(collected.group(2))) {
                throw new GuestFailure("the output disk's archive has SHA-256 " + sha + ", the guest wrote "
                        + collected.group(2), output);
            }
            files.putAll(Cpio.readFiles(archive));
        }
        return new GuestResult(exitCode, output, jobOutput, files, elapsed);
    }

    private static void copy(InputStream in, ByteArrayOutputStream console, boolean verbose) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (console) {
                    console.write(buf, 0, n);
                }
                if (verbose) {
                    System.err.write(buf, 0, n);
                    System.err.flush();
                }
            }
        } catch (IOException ignored) {
            // QEMU was killed: what was read so far is the console output
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

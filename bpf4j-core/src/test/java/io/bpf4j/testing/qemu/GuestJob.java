package io.bpf4j.testing.qemu;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What one boot of a {@link QemuGuest} does: load {@code modules} (with their dependencies, by
 * insmod), run {@code script} with busybox sh as root (PATH has busybox and the guest's
 * {@code java}; tracefs, debugfs and bpffs are mounted), then copy the {@code collect} paths back
 * to the host. Immutable; the {@code with*} methods return a changed copy.
 *
 * @param script     the shell script; its exit code is the result's exit code
 * @param files      files to put into the guest
 * @param modules    kernel module names to insmod before the script ('-' or '_'), dependencies first
 * @param collect    absolute guest paths to copy back (regular files, sysfs and procfs files too)
 * @param timeout    how long the whole boot may take before QEMU is killed
 * @param kernelArgs extra kernel command-line arguments
 */
public record GuestJob(String script, List<GuestFile> files, List<String> modules, List<String> collect,
                       Duration timeout, List<String> kernelArgs) {
    /** Guest paths are written into shell commands unquoted-safe: plain characters only. */
    private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._+@:=,/-]*");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    public GuestJob {
        files = List.copyOf(files);
        modules = List.copyOf(modules);
        collect = List.copyOf(collect);
        kernelArgs = List.copyOf(kernelArgs);
        collect.forEach(GuestJob::checkGuestPath);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /** A job that runs the script, with no files, modules or collected paths, and a 120 s timeout. */
    public static GuestJob of(String script) {
        return new GuestJob(script, List.of(), List.of(), List.of(), DEFAULT_TIMEOUT, List.of());
    }

    public GuestJob withFiles(GuestFile... more) {
        return new GuestJob(script, concat(files, Arrays.asList(more)), modules, collect, timeout, kernelArgs);
    }

    public GuestJob withModules(String... names) {
        return new GuestJob(script, files, concat(modules, Arrays.asList(names)), collect, timeout, kernelArgs);
    }

    public GuestJob withCollected(String... guestPaths) {
        return new GuestJob(script, files, modules, concat(collect, Arrays.asList(guestPaths)), timeout, kernelArgs);
    }

    public GuestJob withTimeout(Duration newTimeout) {
        return new GuestJob(script, files, modules, collect, newTimeout, kernelArgs);
    }

    public GuestJob withKernelArgs(String... args) {
        return new GuestJob(script, files, modules, collect, timeout, concat(kernelArgs, Arrays.asList(args)));
    }

    static void checkGuestPath(String path) {
        if (path == null || !SAFE_PATH.matcher(path).matches() || path.contains("/../") || path.endsWith("/..")) {
            throw new IllegalArgumentException("guest path '" + path
                    + "' must be absolute and use only letters, digits and ._+@:=,/- (no ..)");
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}

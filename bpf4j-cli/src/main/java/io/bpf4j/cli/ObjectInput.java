package io.bpf4j.cli;

import io.bpf4j.Bpf4jException;
import io.bpf4j.load.BpfObject;
import io.bpf4j.load.LoadPreparation;
import io.bpf4j.toolchain.SourceBuild;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the verbs take as input: a BPF C source (compiled first, with a vmlinux.h generated when it
 * includes one) or an object file.
 */
final class ObjectInput {
    private ObjectInput() {
    }

    static boolean isSource(Path file) {
        return file.getFileName().toString().endsWith(".c");
    }

    /** The object for {@code file}: itself, or the result of compiling it into {@code buildDir}. */
    static Path object(Path file, Path buildDir, PrintStream notes) {
        if (!Files.exists(file)) {
            throw new Bpf4jException(file + ": no such file");
        }
        if (!isSource(file)) {
            return file;
        }
        LoadPreparation.startInBackground(); // every caller loads what clang is about to build
        String base = file.getFileName().toString().replaceAll("\\.c$", "");
        Path object = buildDir.resolve(base + ".o");
        SourceBuild.Result r = SourceBuild.compile(file, object);
        if (r.headerGenerated()) {
            notes.println("bpf4j: wrote " + r.vmlinuxHeader() + " from /sys/kernel/btf/vmlinux");
        }
        notes.println("bpf4j: compiled " + file + " -> " + object);
        return object;
    }

    static Path tempBuildDir() {
        try {
            return Files.createTempDirectory("bpf4j-build");
        } catch (IOException e) {
            throw new Bpf4jException("cannot create a build directory: " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }


    static BpfObject open(Path object) {
        try {
            return BpfObject.open(object);
        } catch (IOException e) {
            throw new Bpf4jException("cannot read " + object + ": " + e.getMessage(), e);
        }
    }
}

package io.bpf4j.cli;

import io.bpf4j.btf.CHeaderWriter;
import io.bpf4j.load.BpfObject;
import io.bpf4j.btf.KernelBtf;
import io.bpf4j.toolchain.SourceBuild;

import java.io.InputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code bpf4j __aot-training}: the run the launcher records the JDK's AOT cache from (classes loaded
 * and linked, method profiles), not a verb for users. It does, without attaching anything, what the
 * common verbs do: vmlinux.h from the kernel's BTF, then clang, open, set a global, load with CO-RE
 * and close. Trained on vmlinux.h alone, `prog load` took 0.73 s; trained on both, 0.57 s (docs/PERFORMANCE.md).
 * Each step is best effort: without root or clang the cache covers what could run.
 */
final class AotTraining {
    static final String NAME = "__aot-training";

    int call() {
        // What ran, for whoever looks (the launcher discards it; MainTest checks it).
        StringBuilder did = new StringBuilder("aot training:");
        Path work = null;
        try {
            work = Files.createTempDirectory("bpf4j-aot");
            // The loader's own copy of the kernel BTF: the load below reuses it instead of parsing 5 MB again.
            try (Writer discard = Writer.nullWriter()) {
                CHeaderWriter.write(KernelBtf.vmlinux(), discard);
            }
            did.append(" vmlinux.h");
            Path source = work.resolve("training.bpf.c");
            try (InputStream in = AotTraining.class.getResourceAsStream("training/training.bpf.c")) {
                if (in == null) {
                    return 0;
                }
                Files.copy(in, source);
            }
            SourceBuild.Result built = SourceBuild.compile(source, work.resolve("training.bpf.o"));
            did.append(", compiled");
            try (BpfObject obj = BpfObject.open(built.object())) {
                obj.setGlobal("wanted", "1");
                obj.load();
                obj.globalValue("seen");
                did.append(", loaded and closed");
            }
        } catch (RuntimeException | java.io.IOException e) {
            // Training is best effort: a machine without root, clang or BTF still gets a cache of what ran.
            did.append(" (stopped: ").append(e.getMessage()).append(')');
        } finally {
            if (work != null) {
                ObjectInput.deleteTree(work);
            }
            System.err.println(did);
        }
        return 0;
    }
}

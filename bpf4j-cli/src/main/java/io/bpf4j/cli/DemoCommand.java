package io.bpf4j.cli;

import io.bpf4j.Bpf4jException;
import io.bpf4j.events.TraceRecord;
import io.bpf4j.link.Attacher;
import io.bpf4j.load.BpfObject;
import io.bpf4j.load.LoadPreparation;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.ObjectKind;
import io.bpf4j.toolchain.SourceBuild;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

final class DemoCommand implements Verb {
    private static final String SOURCE = "ThousandLoopBpf.bpf.c";

    int runs = 3;
    boolean keep;

    @Override
    public void declare(Args a) {
        a.describe("Compile, load, attach, trigger and trace the ThousandLoopBpf program of the write-up, then clean up.")
                .option("--runs", "N", "How many times to run the trigger command (default 3).", v -> runs = Integer.parseInt(v))
                .flag("--keep", "Keep the work directory (source, vmlinux.h, object) and say where it is.", () -> keep = true);
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Path work = Files.createTempDirectory("bpf4j-demo");
        try {
            Path source = work.resolve(SOURCE);
            try (InputStream in = DemoCommand.class.getResourceAsStream("demo/" + SOURCE)) {
                if (in == null) {
                    throw new Bpf4jException("the demo source is missing from the bpf4j jar; rebuild it");
                }
                Files.copy(in, source);
            }
            out.println("== 1. vmlinux.h and clang: " + source);
            LoadPreparation.startInBackground();
            SourceBuild.Result built = SourceBuild.compile(source, work.resolve("ThousandLoopBpf.bpf.o"));
            out.println("   wrote " + built.vmlinuxHeader() + " from /sys/kernel/btf/vmlinux (" + Files.size(built.vmlinuxHeader()) / 1024 + " KiB)");
            out.println("   compiled " + built.object() + " with clang -g -O2 -target bpf");

            boolean kprobes = Attacher.kprobesAvailable();
            BpfObject obj = ObjectInput.open(built.object());
            obj.autoload("bpf_prog", kprobes).autoload("bpf_prog_tp", !kprobes);
            out.println("== 2. load and attach");
            if (!kprobes) {
                out.println("   this kernel has no kprobes (CONFIG_KPROBES is off): using tracepoint/sched/sched_process_exit"
                        + " instead of kprobe/do_exit; it fires at the same moment, when a process exits");
            }
            int programsBefore = Bpf.ids(ObjectKind.PROG).length;
            AtomicInteger empty = new AtomicInteger();
            AtomicInteger elapsed = new AtomicInteger();
            try (RunSession session = RunSession.start(obj, Map.of(), Attacher.ALL_PROCESSES, out)) {
                session.streamTrace(r -> show(r, out, empty, elapsed));
                out.println("== 3. trigger: running /bin/true " + runs + " times (every process exit runs the program)");
                for (int i = 0; i < runs; i++) {
                    RunSession.runCommand(List.of("/bin/true"));
                }
                // Each exit prints 1001 lines; give the reader time to catch up with the last ones.
                session.await(Optional.of(Duration.ofSeconds(1)));
            }
            int programsAfter = Bpf.ids(ObjectKind.PROG).length;
            out.println("== 4. cleaned up: links detached, program and maps unloaded (kernel programs: "
                    + programsBefore + " before, " + programsAfter + " after)");
            out.println();
            out.println("What happened: bpf4j wrote vmlinux.h from the kernel's BTF, compiled the C source with clang,");
            out.println("loaded the object through bpf(2) (the .rodata map holding the printk formats, then the program,");
            out.println("checked by the kernel's verifier), attached it to process exit and read bpf_printk's output from");
            out.println("/sys/kernel/tracing/trace_pipe. Each exit ran the loop: " + empty.get() + " empty bpf_printk lines were");
            out.println("hidden, " + elapsed.get() + " 'Elapsed time' lines shown. The same steps for your program: bpf4j run prog.bpf.c -- CMD");
            if (elapsed.get() == 0) {
                throw new Bpf4jException("the demo saw no output from the program; check 'bpf4j doctor'");
            }
            return 0;
        } finally {
            if (keep) {
                out.println("work directory kept: " + work);
            } else {
                ObjectInput.deleteTree(work);
            }
        }
    }

    private static void show(TraceRecord r, PrintStream out, AtomicInteger empty, AtomicInteger elapsed) {
        if (r.message().isEmpty()) {
            empty.incrementAndGet();
        } else if (r.message().startsWith("Elapsed time")) {
            elapsed.incrementAndGet();
            out.println("   " + RunSession.format(r));
        }
    }

}

package io.bpf4j.cli;

import io.bpf4j.Bpf4jException;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.spec.ObjectBtf;
import io.bpf4j.load.BpfObject;
import io.bpf4j.load.BpfProgram;
import io.bpf4j.load.GlobalVariable;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.ProgType;
import io.bpf4j.sys.TestRun;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

final class TestRunCommand implements Verb {
    /** Program types that run on a packet: the test input is a zeroed Ethernet frame. */
    private static final Set<ProgType> PACKET = Set.of(ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT,
            ProgType.XDP, ProgType.CGROUP_SKB, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT, ProgType.LWT_SEG6LOCAL,
            ProgType.FLOW_DISSECTOR);
    /**
     * Program types the kernel runs once per BPF_PROG_TEST_RUN, on a context and untimed: it refuses
     * a repeat count, a packet and a duration for them, so --repeat N is N calls.
     */
    private static final Set<ProgType> CONTEXT_ONLY = Set.of(ProgType.RAW_TRACEPOINT, ProgType.SYSCALL);
    /** A raw tracepoint's context: its arguments as u64s, at most MAX_BPF_FUNC_ARGS (12) of them, here all 0. */
    private static final int RAW_TP_CONTEXT = 12 * 8;

    Path file;
    String program;
    final LoadOptions loading = new LoadOptions();
    int repeat = 1;
    int dataSize = 64;
    Path dataIn;
    Path dataOut;
    Path ctxIn;
    Path ctxOut;
    boolean json;

    @Override
    public void declare(Args a) {
        a.describe("Load an object and run one program in the kernel with BPF_PROG_TEST_RUN, then print its return value, "
                        + "the kernel's time per run and every global variable.")
                .parameter("OBJ", "A BPF object (.bpf.o) or C source (.bpf.c).", v -> file = Path.of(v))
                .optionalParameter("PROG", "The program to run (default: the first one).", v -> program = v)
                .option("--repeat", "N", "Run N times; the duration is the kernel's average per run (raw_tp and syscall programs: N calls, untimed).", v -> repeat = Integer.parseInt(v))
                .option("--data-size", "N", "Bytes of packet input for packet programs (default 64).", v -> dataSize = Integer.parseInt(v))
                .option("--data-in", "FILE", "The packet to run packet programs on, instead of a zeroed frame.", v -> dataIn = Path.of(v))
                .option("--data-out", "FILE", "Write the packet as the program left it (after the last run).", v -> dataOut = Path.of(v))
                .option("--ctx-in", "FILE", "The context to run on: struct __sk_buff or xdp_md for packet programs, the "
                        + "arguments of a raw_tp, the struct a syscall program takes (default: zeroed).", v -> ctxIn = Path.of(v))
                .option("--ctx-out", "FILE", "Write the context as the program left it.", v -> ctxOut = Path.of(v))
                .flag("--json", "One JSON object: program, retval, duration_ns (null where the kernel does not time), globals.", () -> json = true);
        loading.declare(a);
    }

    @Override
    public Integer call() {
        if (repeat < 1 || dataSize < 14) {
            throw new Bpf4jException("--repeat must be at least 1 and --data-size at least 14 (an Ethernet header)");
        }
        byte[] packet = read(dataIn, "--data-in");
        byte[] context = read(ctxIn, "--ctx-in");
        Path build = ObjectInput.isSource(file) ? ObjectInput.tempBuildDir() : null;
        try (BpfObject obj = ObjectInput.open(ObjectInput.object(file, build, System.err))) {
            loading.applySettings(obj);
            String name = program != null ? program : obj.spec().programs().stream().filter(p -> p.autoload())
                    .findFirst().orElseThrow(() -> new Bpf4jException(file + " has no program to run")).name();
            if (obj.spec().program(name).isEmpty()) {
                throw new Bpf4jException(obj.name() + " has no program " + name + "; it has: "
                        + String.join(", ", obj.spec().programs().stream().map(p -> p.name()).toList()));
            }
            // Load only the program to run, so one section this kernel cannot take does not stop the others.
            obj.spec().programs().forEach(p -> obj.autoload(p.name(), p.name().equals(name)));
            loading.load(obj::load);
            BpfProgram prog = obj.program(name);
            boolean contextOnly = CONTEXT_ONLY.contains(prog.type());
            if ((packet != null || dataOut != null) && !PACKET.contains(prog.type())) {
                throw new Bpf4jException("--data-in and --data-out are for packet programs (socket, tc, xdp, cgroup_skb, lwt, "
                        + "flow_dissector); " + name + " is a " + prog.type().name().toLowerCase(java.util.Locale.ROOT) + " program: "
                        + "give it a context with --ctx-in");
            }
            TestRun.Result r = contextOnly ? runOnContext(obj, prog, context) : run(prog, packet, context);
            write(dataOut, r.dataOut());
            // syscall and raw_tp programs have no ctx_out: a syscall program writes its context back in place.
            write(ctxOut, contextOnly ? r.ctxInAfter() : r.ctxOut());
            Map<String, Object> globals = new LinkedHashMap<>();
            for (GlobalVariable v : obj.globalVariables()) {
                globals.put(v.name(), obj.globalValue(v.name()));
            }
            print(name, r, globals, !contextOnly, prog.type().name().toLowerCase(java.util.Locale.ROOT));
            return 0;
        } finally {
            ObjectInput.deleteTree(build);
        }
    }

    /** raw_tp and syscall programs: a zeroed context, repeat 0 (the kernel's "once"), called --repeat times. */
    private TestRun.Result runOnContext(BpfObject obj, BpfProgram prog, byte[] context) {
        int size = prog.type() == ProgType.RAW_TRACEPOINT ? RAW_TP_CONTEXT : contextSize(obj, prog.name());
        byte[] ctx = context != null ? context : size == 0 ? null : new byte[size];
        TestRun once = new TestRun(null, 0, ctx, 0, 0, 0, 0);
        TestRun.Result r = null;
        for (int i = 0; i < repeat; i++) {
            r = testRun(prog, once);
        }
        return r;
    }

    /**
     * A syscall program's context is whatever struct its first parameter points at (BPF_PROG_TEST_RUN
     * passes it in): its size from the program's BTF, 0 for void * or without BTF.
     */
    private static int contextSize(BpfObject obj, String program) {
        return obj.spec().btf().map(ObjectBtf::btf).map(btf -> {
            OptionalInt func = btf.findId(program, BtfKind.FUNC);
            if (func.isEmpty() || !(btf.type(((BtfType.Func) btf.type(func.getAsInt())).type()) instanceof BtfType.FuncProto proto)
                    || proto.params().isEmpty() || !(btf.type(btf.resolve(proto.params().getFirst().type())) instanceof BtfType.Ptr ptr)) {
                return 0;
            }
            return (int) Math.max(0, btf.sizeOf(ptr.type()));
        }).orElse(0);
    }

    private TestRun.Result run(BpfProgram prog, byte[] packet, byte[] context) {
        byte[] data = packet;
        if (data == null && PACKET.contains(prog.type())) {
            data = new byte[dataSize];
            data[12] = 0x08; // IPv4 ethertype: a plausible frame for programs that parse it
        }
        // Room for a program that grows the packet (bpf_xdp_adjust_tail, bpf_skb_change_tail) or fills a context.
        int dataRoom = data == null ? 0 : data.length + OUTPUT_ROOM;
        int ctxRoom = ctxOut == null ? 0 : Math.max(context == null ? 0 : context.length, OUTPUT_ROOM);
        return testRun(prog, new TestRun(data, dataRoom, context, ctxRoom, repeat, 0, 0));
    }

    /** Bytes reserved beyond the input for what a program writes back. */
    private static final int OUTPUT_ROOM = 4096;

    private static byte[] read(Path file, String option) {
        if (file == null) {
            return null;
        }
        try {
            return java.nio.file.Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new Bpf4jException(option + " " + file + ": cannot read it (no such file)");
        } catch (java.io.IOException e) {
            throw new Bpf4jException(option + " " + file + ": cannot read it (" + e.getMessage() + ")");
        }
    }

    private static void write(Path file, byte[] bytes) {
        if (file == null) {
            return;
        }
        try {
            java.nio.file.Files.write(file, bytes);
        } catch (java.io.IOException e) {
            throw new Bpf4jException(file + ": cannot write it (" + e.getMessage() + ")");
        }
    }

    private static TestRun.Result testRun(BpfProgram prog, TestRun run) {
        try {
            return prog.testRun(run);
        } catch (BpfException.InvalidArgument e) {
            if (PACKET.contains(prog.type()) || CONTEXT_ONLY.contains(prog.type())) {
                // A type the kernel does run: what it refused is the input.
                throw new Bpf4jException("program " + prog.name() + ": the kernel refused this input (EINVAL): a packet shorter "
                        + "than an Ethernet header, or a context with fields the kernel does not let a test set (of struct "
                        + "__sk_buff and xdp_md only a few may be non-zero), or one larger than the program's context; check "
                        + "--data-in, --data-size and --ctx-in", e);
            }
            throw unsupported(prog, e);
        } catch (BpfException.NotSupported | BpfException.BadAddress e) {
            throw unsupported(prog, e);
        }
    }

    private static Bpf4jException unsupported(BpfProgram prog, BpfException e) {
        return new Bpf4jException("program " + prog.name() + " (" + prog.type().name().toLowerCase(java.util.Locale.ROOT)
                + ", section " + prog.spec().section() + ") cannot be run with BPF_PROG_TEST_RUN on this kernel (it answered "
                + e.errno() + "). Test-run supports packet programs (socket, tc, xdp, cgroup_skb, lwt, flow_dissector), "
                + "raw_tp, fentry/fexit/fmod_ret, sk_lookup and syscall programs; attach other kinds with 'bpf4j run'", e);
    }

    private void print(String name, TestRun.Result r, Map<String, Object> globals, boolean timed, String type) {
        PrintStream out = System.out;
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("program", name);
            doc.put("retval", Integer.toUnsignedLong(r.retval()));
            doc.put("duration_ns", timed ? r.durationNs() : null);
            doc.put("globals", globals);
            out.println(Json.write(doc));
            return;
        }
        out.println("program      " + name);
        out.println("retval       " + Integer.toUnsignedLong(r.retval()) + (r.retval() < 0 ? " (" + r.retval() + ")" : ""));
        out.println("duration     " + (timed ? r.durationNs() + " ns per run" + (repeat > 1 ? " (average of " + repeat + ")" : "")
                : "not measured: the kernel runs " + type + " programs once per call, untimed" + (repeat > 1 ? " (called " + repeat + " times)" : "")));
        if (!globals.isEmpty()) {
            out.println("globals:");
            globals.forEach((k, v) -> out.println("  " + k + " = " + v));
        }
    }
}

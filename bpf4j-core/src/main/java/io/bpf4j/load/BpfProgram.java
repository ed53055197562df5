package io.bpf4j.load;

import io.bpf4j.spec.ProgramSpec;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.ProgInfo;
import io.bpf4j.sys.ProgType;
import io.bpf4j.sys.TestRun;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;

/** A program loaded in the kernel, owned by its {@link BpfObject}. The link package attaches it. */
public final class BpfProgram implements AutoCloseable {
    private final ProgramSpec spec;
    private final Fd fd;
    private final int instructionCount;
    private final Map<String, BpfMap> objectMaps;
    private final java.util.List<String> structOpsMaps;
    private final Optional<TargetFunction> targetFunction;
    private final String verifierLog;
    private boolean loadTimeTargetTaken;

    /**
     * @param objectMaps   the maps of the object the program belongs to (a live view, by name)
     * @param structOpsMaps for a struct_ops program, the maps whose members point at it; else empty
     * @param targetFunction the function of another program it was loaded against (owned by the object), if any
     * @param verifierLog    the verifier's log of the load when a log level was set, else ""
     */
    BpfProgram(ProgramSpec spec, Fd fd, int instructionCount, Map<String, BpfMap> objectMaps, java.util.List<String> structOpsMaps,
               Optional<TargetFunction> targetFunction, String verifierLog) {
        this.spec = spec;
        this.verifierLog = verifierLog;
        this.targetFunction = targetFunction;
        this.structOpsMaps = java.util.List.copyOf(structOpsMaps);
        this.fd = fd;
        this.instructionCount = instructionCount;
        this.objectMaps = Collections.unmodifiableMap(objectMaps);
    }

    /**
     * A map of the object this program was loaded from, by name: attachers that fill maps the
     * program's headers declare (USDT argument specs), or attach to one (a sockmap), find them here.
     */
    public Optional<BpfMap> objectMap(String name) {
        return Optional.ofNullable(objectMaps.get(name));
    }

    /** For a struct_ops program: the maps that call it once registered (one program may serve several); else empty. */
    public java.util.List<BpfMap> structOpsMaps() {
        // Once the object is closed its maps are gone: none is left to name.
        return structOpsMaps.stream().map(objectMaps::get).filter(java.util.Objects::nonNull).toList();
    }

    public String name() {
        return spec.name();
    }

    /** For a freplace, fentry or fexit program loaded against a function of another program: that function. */
    public Optional<TargetFunction> targetFunction() {
        return targetFunction;
    }

    /**
     * For fentry/fexit on a program: true the first time only. The kernel keeps the load-time target
     * for one attachment and takes no new one for these (only freplace links name their target), so
     * attaching again needs a new load.
     */
    public synchronized boolean takeLoadTimeTarget() {
        boolean first = !loadTimeTargetTaken;
        loadTimeTargetTaken = true;
        return first;
    }

    public ProgramSpec spec() {
        return spec;
    }

    public ProgType type() {
        return spec.def().orElseThrow().programType();
    }

    public Fd fd() {
        return fd;
    }

    /** Instructions sent to the kernel (after linking subprograms). */
    public int instructionCount() {
        return instructionCount;
    }

    /**
     * What the verifier logged while accepting the program, at the object's {@link BpfObject#logLevel}
     * (level 4: its statistics, e.g. "processed 12 insns"); "" at level 0.
     */
    public String verifierLog() {
        return verifierLog;
    }

    public ProgInfo info() {
        return Bpf.progInfo(fd);
    }

    /** Runs the program once or more in the kernel with BPF_PROG_TEST_RUN. */
    public TestRun.Result testRun(TestRun run) {
        return Bpf.progTestRun(fd, run);
    }

    @Override
    public void close() {
        fd.close();
    }
}

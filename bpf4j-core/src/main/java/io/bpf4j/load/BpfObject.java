package io.bpf4j.load;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.KernelBtf;
import io.bpf4j.spec.MapSpec;
import io.bpf4j.spec.ObjectReader;
import io.bpf4j.spec.ObjectSpec;
import io.bpf4j.spec.ProgramSpec;
import io.bpf4j.spec.SectionDef;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.ProgType;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A BPF object through its life: opened from an ELF file (nothing in the kernel yet), configured
 * (global variables, map sizes, which programs load), loaded (maps created, BTF uploaded, programs
 * verified), then closed (everything released in reverse order). What libbpf's
 * open / load / destroy do, and what a generated skeleton wraps.
 */
public final class BpfObject implements AutoCloseable {
    private enum State { OPEN, LOADED, CLOSED }

    private final ObjectSpec spec;
    private final List<GlobalVariable> globals;
    private final Map<String, MapSpec> mapSpecs = new LinkedHashMap<>();
    private final Map<String, Boolean> autoload = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final Map<String, BpfProgram> programs = new LinkedHashMap<>();
    private final Map<String, TargetFunction> targetFunctions = new LinkedHashMap<>();
    private Path pinDir = Path.of("/sys/fs/bpf");
    private int logLevel;
    private Fd btfFd;
    private Set<BtfKind> btfKindsToRewrite; // null: those the running kernel lacks
    private State state = State.OPEN;

    private BpfObject(ObjectSpec spec) {
        this.spec = spec;
        this.globals = globalsOf(spec);
        for (MapSpec m : spec.maps()) {
            mapSpecs.put(m.name(), m);
        }
        for (ProgramSpec p : spec.programs()) {
            autoload.put(p.name(), p.autoload());
        }
    }

    /**
     * Opens an object file to configure and load it. Preparing the load starts at once on a
     * background thread ({@link LoadPreparation}); to only read an object, use {@link ObjectReader}.
     */
    public static BpfObject open(Path object) throws IOException {
        LoadPreparation.startInBackground();
        return new BpfObject(ObjectReader.read(object));
    }

    /** Opens an object held in memory, e.g. the bytes a skeleton embeds. */
    public static BpfObject open(byte[] object, String name) {
        LoadPreparation.startInBackground();
        return new BpfObject(ObjectReader.read(object, name, name));
    }

    public static BpfObject of(ObjectSpec spec) {
        return new BpfObject(spec);
    }

    public ObjectSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    // ---- configuration before load ----

    /** Loads (or not) a program; '?' sections start with autoload off. */
    public BpfObject autoload(String program, boolean on) {
        requireOpen("change autoload");
        if (!autoload.containsKey(program)) {
            throw new LoadException(noSuch("program", program, autoload.keySet()));
        }
        autoload.put(program, on);
        return this;
    }

    public boolean autoload(String program) {
        return autoload.getOrDefault(program, false);
    }

    /**
     * Loads {@code program} against a function of a program already in the kernel: the function a
     * freplace program replaces, or the one an fentry/fexit program traces instead of a kernel
     * function (as libbpf's bpf_program__set_attach_target). {@code function} null: the name the
     * section gives (freplace/NAME). The target is found now; its fd is duplicated, so the caller may
     * close {@code targetProgram} (see {@link LoadedPrograms} to open one by path, id or name).
     */
    public BpfObject attachTarget(String program, Fd targetProgram, String function) {
        requireOpen("set an attach target");
        ProgramSpec p = spec.program(program).orElseThrow(() -> new LoadException(noSuch("program", program, autoload.keySet())));
        SectionDef def = p.def().orElseThrow(() -> new LoadException(ProgramLoader.unknownSection(p)));
        boolean replaces = def.programType() == ProgType.EXT;
        if (!def.targetsAProgram()) {
            throw new LoadException("program " + program + " (" + p.section() + ") cannot target a function of another "
                    + "program: only freplace, fentry and fexit programs can");
        }
        String name = function != null ? function : p.attachTarget();
        if (name.isEmpty()) {
            throw new LoadException("program " + program + " (" + p.section() + ") names no function: write "
                    + def.prefix() + "/FUNCTION in its section, or give the function's name");
        }
        TargetFunction target = TargetFunction.find(targetProgram, name);
        if (replaces && !target.isGlobal()) {
            target.close();
            throw new LoadException("program " + program + " cannot replace " + target.describe() + ": it is static, and "
                    + "the kernel replaces only global functions; remove 'static' from " + name + " in the target's source");
        }
        TargetFunction old = targetFunctions.put(program, target);
        if (old != null) {
            old.close();
        }
        return this;
    }

    /** Changes a map's max_entries before it is created. */
    public BpfObject resize(String map, int maxEntries) {
        requireOpen("resize a map");
        MapSpec m = mapSpec(map);
        if (m.kind() == MapSpec.Kind.DATA) {
            throw new LoadException("map " + map + " holds global variables; its size follows the variables");
        }
        mapSpecs.put(map, m.withMaxEntries(maxEntries));
        return this;
    }

    /** Where maps with pinning = LIBBPF_PIN_BY_NAME are pinned (default /sys/fs/bpf). */
    public BpfObject pinDirectory(Path dir) {
        requireOpen("change the pin directory");
        this.pinDir = dir;
        return this;
    }

    /**
     * Verifier log level for every program (1: the path to a rejection, 2: every instruction walked with
     * its state, 4: statistics, or a sum); each program keeps its log ({@link BpfProgram#verifierLog}).
     * 0 fetches a log only on failure.
     */
    public BpfObject logLevel(int level) {
        requireOpen("change the log level");
        this.logLevel = level;
        return this;
    }

    /**
     * Rewrites these BTF kinds as for a kernel that lacks them, whatever the running kernel has: how
     * tests show, on a new kernel, what an old one would be given.
     */
    BpfObject rewriteBtfKinds(Set<BtfKind> kinds) {
        requireOpen("choose BTF kinds to rewrite");
        this.btfKindsToRewrite = Set.copyOf(kinds);
        return this;
    }

    /** Every global variable of the object, in section order. */
    public List<GlobalVariable> globalVariables() {
        return globals;
    }

    /** The variables of every data section, from the object's BTF and symbols (fixed once the spec is read). */
    private static List<GlobalVariable> globalsOf(ObjectSpec spec) {
        Optional<Btf> btf = spec.btf().map(b -> b.btf());
        if (btf.isEmpty()) {
            return List.of();
        }
        List<GlobalVariable> out = new ArrayList<>();
        for (MapSpec m : spec.maps()) {
            if (m.kind() != MapSpec.Kind.DATA || m.btfValueTypeId() == 0) {
                continue;
            }
            Map<String, Long> offsets = spec.btf().get().symbolOffsets().getOrDefault(m.name(), Map.of());
            for (Btf.SectionVariable v : btf.get().sectionVariables(m.btfValueTypeId())) {
                String name = v.var().name();
                int offset = offsets.containsKey(name) ? (int) (long) offsets.get(name) : v.offset();
                long size = btf.get().sizeOf(v.var().type());
                out.add(new GlobalVariable(name, m.name(), offset, (int) size, v.var().type()));
            }
        }
        return List.copyOf(out);
    }

    public GlobalVariable globalVariable(String name) {
        return globalVariables().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow(() ->
                new LoadException(noSuch("global variable", name, globalVariables().stream().map(GlobalVariable::name).toList())));
    }

    /** Sets a global variable from text ("42", "0x10", "true", an enum name, a string for char arrays). */
    public BpfObject setGlobal(String name, String text) {
        GlobalVariable v = globalVariable(name);
        byte[] bytes = values().encode(name, v.typeId(), text);
        return setGlobal(name, bytes);
    }

    /** Sets a global variable's bytes: before load in the initial data; after load through the mapped memory. */
    public BpfObject setGlobal(String name, byte[] bytes) {
        GlobalVariable v = globalVariable(name);
        if (bytes.length != v.size()) {
            throw new LoadException("global " + name + " is " + v.size() + " bytes, got " + bytes.length);
        }
        if (state == State.OPEN) {
            MapSpec m = mapSpecs.get(v.section());
            byte[] data = m.initialData();
            System.arraycopy(bytes, 0, data, v.offset(), bytes.length);
            mapSpecs.put(m.name(), m.withInitialData(data));
        } else {
            requireLoaded("set a global variable");
            if (v.readOnly()) {
                throw new LoadException("global " + name + " is in " + v.section()
                        + ": the kernel froze it at load; set it before loading (e.g. --set on the command line)");
            }
            MemorySegment mem = maps.get(v.section()).memory().orElseThrow();
            MemorySegment.copy(bytes, 0, mem, ValueLayout.JAVA_BYTE, v.offset(), bytes.length);
        }
        return this;
    }

    /** A global variable's current bytes: the initial data before load, the live value after. */
    public byte[] global(String name) {
        GlobalVariable v = globalVariable(name);
        byte[] out = new byte[v.size()];
        if (state == State.LOADED) {
            BpfMap m = maps.get(v.section());
            Optional<MemorySegment> mem = m.memory();
            if (mem.isPresent()) {
                MemorySegment.copy(mem.get(), ValueLayout.JAVA_BYTE, v.offset(), out, 0, out.length);
                return out;
            }
            byte[] all = m.lookup(new byte[4]).orElseThrow();
            System.arraycopy(all, v.offset(), out, 0, out.length);
            return out;
        }
        System.arraycopy(mapSpecs.get(v.section()).initialData(), v.offset(), out, 0, out.length);
        return out;
    }

    /** A global variable decoded by its BTF type (numbers, strings, lists, maps of members). */
    public Object globalValue(String name) {
        return values().decode(globalVariable(name).typeId(), global(name), 0);
    }

    private BtfValues values() {
        return new BtfValues(spec.btf().orElseThrow(() -> new LoadException(spec.name()
                + " has no BTF: compile it with clang -g to use global variables by name")).btf());
    }

    // ---- load ----

    /** Creates the maps, uploads BTF and loads every autoload program. On failure nothing stays loaded. */
    public BpfObject load() {
        requireOpen("load");
        MapCreator creator = null;
        try {
            requireStructOpsMaps();
            ObjectBtfUpload upload = spec.btf().map(b -> btfKindsToRewrite == null ? new ObjectBtfUpload(b)
                    : new ObjectBtfUpload(b, btfKindsToRewrite)).orElse(null);
            if (upload != null) {
                btfFd = upload.upload(spec.name(), warnings);
            }
            creator = new MapCreator(spec.name(), btfFd, pinDir);
            Map<String, Long> kconfig = Map.of();
            Optional<MapSpec> kconfigMap = Kconfig.mapSpec(spec);
            if (kconfigMap.isPresent()) {
                kconfig = Kconfig.offsets(spec);
                mapSpecs.put(".kconfig", kconfigMap.get());
            }
            List<StructOpsLayout> structOps = new ArrayList<>();
            for (var s : spec.structOps()) {
                structOps.add(StructOpsLayout.of(s, KernelBtf.vmlinux()));
            }
            for (MapSpec m : mapSpecs.values()) {
                maps.put(m.name(), m.kind() == MapSpec.Kind.STRUCT_OPS
                        ? creator.createStructOps(m, structOps.stream().filter(l -> l.spec().mapName().equals(m.name())).findFirst().orElseThrow(), warnings)
                        : creator.create(m));
            }
            fillMapInMaps();
            // Module BTF fds for kfunc calls are needed only during BPF_PROG_LOAD: closed here either way.
            try (KfuncTargets kfuncs = new KfuncTargets()) {
                ProgramLoader loader = new ProgramLoader(spec, maps, btfFd, upload, kconfig, kfuncs, structOps, targetFunctions);
                for (ProgramSpec p : spec.programs()) {
                    if (autoload.get(p.name())) {
                        programs.put(p.name(), loader.load(p, logLevel));
                    }
                }
            }
            fillProgramArrays();
            fillStructOps(structOps);
            LoadPreparation.awaitEnd();
            state = State.LOADED;
            return this;
        } catch (RuntimeException e) {
            releaseAll();
            if (creator != null) {
                creator.removeCreatedPins();
            }
            state = State.CLOSED;
            throw e;
        }
    }

    /** A struct_ops program no map points at cannot load (the kernel needs its struct and member): said before anything is created. */
    private void requireStructOpsMaps() {
        for (ProgramSpec p : spec.programs()) {
            boolean structOps = p.def().map(d -> d.programType() == io.bpf4j.sys.ProgType.STRUCT_OPS).orElse(false);
            if (structOps && autoload.get(p.name()) && spec.structOps().stream().noneMatch(s -> s.memberFor(p.name()).isPresent())) {
                throw new LoadException(ProgramLoader.notInStructOps(p));
            }
        }
    }

    private void fillMapInMaps() {
        for (BpfMap m : maps.values()) {
            if (m.spec().initialSlots().isEmpty() || m.type() == io.bpf4j.sys.MapType.PROG_ARRAY) {
                continue;
            }
            for (MapSpec.Slot s : m.spec().initialSlots()) {
                BpfMap target = maps.get(s.target());
                if (target == null) {
                    throw new LoadException("map " + m.name() + " slot " + s.index() + " names " + s.target() + ", which is not a map");
                }
                m.update(intBytes(s.index()), intBytes(target.fd().value()), io.bpf4j.sys.Bpf.ANY);
            }
        }
    }

    private void fillProgramArrays() {
        for (BpfMap m : maps.values()) {
            if (m.type() != io.bpf4j.sys.MapType.PROG_ARRAY) {
                continue;
            }
            for (MapSpec.Slot s : m.spec().initialSlots()) {
                BpfProgram p = programs.get(s.target());
                if (p != null) {
                    m.update(intBytes(s.index()), intBytes(p.fd().value()), io.bpf4j.sys.Bpf.ANY);
                }
            }
        }
    }

    /**
     * Gives each struct_ops map its value. A map made for links takes it now (that does not register it:
     * the link does); a plain one keeps it for the update that registers it ({@code StructOps.register}).
     */
    private void fillStructOps(List<StructOpsLayout> layouts) {
        Map<String, Integer> fds = new LinkedHashMap<>();
        programs.forEach((name, p) -> fds.put(name, p.fd().value()));
        for (StructOpsLayout l : layouts) {
            BpfMap m = maps.get(l.spec().mapName());
            byte[] value = l.value(fds);
            m.structOpsValue(value);
            if (m.registersWithLink()) {
                m.update(intBytes(0), value, io.bpf4j.sys.Bpf.ANY);
            }
        }
    }

    private static byte[] intBytes(int v) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(v).array();
    }

    // ---- after load ----

    public BpfProgram program(String name) {
        requireLoaded("get a program");
        BpfProgram p = programs.get(name);
        if (p == null) {
            if (autoload.containsKey(name)) {
                throw new LoadException("program " + name + " was not loaded (autoload is off: its section starts with '?' "
                        + "or it was turned off); turn it on before load");
            }
            throw new LoadException(noSuch("program", name, autoload.keySet()));
        }
        return p;
    }

    public List<BpfProgram> programs() {
        return List.copyOf(programs.values());
    }

    public BpfMap map(String name) {
        requireLoaded("get a map");
        BpfMap m = maps.get(name);
        if (m == null) {
            throw new LoadException(noSuch("map", name, maps.keySet()));
        }
        return m;
    }

    public List<BpfMap> maps() {
        return List.copyOf(maps.values());
    }

    /** What the load noticed without failing (e.g. BTF refused). */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    public boolean isLoaded() {
        return state == State.LOADED;
    }

    private MapSpec mapSpec(String name) {
        MapSpec m = mapSpecs.get(name);
        if (m == null) {
            throw new LoadException(noSuch("map", name, mapSpecs.keySet()));
        }
        return m;
    }

    private String noSuch(String what, String name, java.util.Collection<String> known) {
        return spec.name() + " has no " + what + " named '" + name + "'" + (known.isEmpty() ? "" : "; it has: " + String.join(", ", known));
    }

    private void requireOpen(String action) {
        if (state != State.OPEN) {
            throw new IllegalStateException("cannot " + action + ": object " + spec.name() + " is already "
                    + state.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private void requireLoaded(String action) {
        if (state != State.LOADED) {
            throw new IllegalStateException("cannot " + action + ": object " + spec.name() + " is "
                    + state.name().toLowerCase(java.util.Locale.ROOT) + ", not loaded");
        }
    }

    /** Releases every program, map and the BTF, in reverse order of creation. */
    @Override
    public void close() {
        releaseAll();
        state = State.CLOSED;
    }

    private void releaseAll() {
        List<AutoCloseable> all = new ArrayList<>();
        if (btfFd != null) {
            all.add(btfFd);
        }
        all.addAll(targetFunctions.values());
        all.addAll(maps.values());
        all.addAll(programs.values());
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception ignored) {
                // Closing an fd cannot meaningfully fail; keep releasing the rest.
            }
        }
        programs.clear();
        maps.clear();
        targetFunctions.clear();
        btfFd = null;
    }
}

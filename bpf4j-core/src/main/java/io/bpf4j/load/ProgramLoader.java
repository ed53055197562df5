package io.bpf4j.load;

import io.bpf4j.btf.BtfExt;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.KernelBtf;
import io.bpf4j.host.Capabilities;
import io.bpf4j.reloc.CoreFailure;
import io.bpf4j.reloc.CoreResult;
import io.bpf4j.reloc.LinkedLines;
import io.bpf4j.reloc.LinkedProgram;
import io.bpf4j.reloc.ProgramLinker;
import io.bpf4j.spec.ObjectSpec;
import io.bpf4j.spec.ProgramSpec;
import io.bpf4j.spec.Relocation;
import io.bpf4j.spec.SectionDef;
import io.bpf4j.spec.SectionTable;
import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.ProgLoadAttr;
import io.bpf4j.sys.ProgType;
import io.bpf4j.sys.VerifierException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Turns one program of an object into a program in the kernel: link, relocate, describe, load. */
final class ProgramLoader {
    private static final int PSEUDO_MAP_FD = 1;
    private static final int PSEUDO_MAP_VALUE = 2;
    /** src_reg of a call to a kernel function by BTF id (BPF_PSEUDO_KFUNC_CALL). */
    private static final int PSEUDO_KFUNC_CALL = 2;
    private static final int FUNC_INFO_SIZE = 8;
    private static final int LINE_INFO_SIZE = 16;
    /** How many lines of the verifier log an error shows; --verbose shows all of it. */
    private static final int LOG_TAIL = 12;
    /** The first verifier log buffer when a log level is set, and the most it grows to. */
    private static final int FIRST_LOG = 1 << 20;
    private static final int MAX_LOG = 256 << 20;
    private static final Pattern MISSING_KSYM = Pattern.compile("failed to find the address for kernel symbol '([^']+)'");

    private final ObjectSpec spec;
    private final Map<String, BpfMap> maps;
    private final Fd btfFd;
    private final ObjectBtfUpload btfUpload;
    private final Map<String, Long> kconfigOffsets;
    private final CoreStep coreStep;
    private final KfuncTargets kfuncs;
    private final KernelVariables variables;
    private final List<StructOpsLayout> structOps;
    private final Map<String, TargetFunction> targetFunctions;

    /**
     * {@code kfuncs} holds the module BTF fds kfunc calls need; the caller closes it after the last program.
     * {@code targetFunctions}: by program name, the functions of loaded programs that programs attach to instead of the kernel's.
     */
    ProgramLoader(ObjectSpec spec, Map<String, BpfMap> maps, Fd btfFd, ObjectBtfUpload btfUpload, Map<String, Long> kconfigOffsets,
                  KfuncTargets kfuncs, List<StructOpsLayout> structOps, Map<String, TargetFunction> targetFunctions) {
        this.structOps = structOps;
        this.targetFunctions = targetFunctions;
        this.spec = spec;
        this.maps = maps;
        this.btfFd = btfFd;
        this.btfUpload = btfUpload;
        this.kconfigOffsets = kconfigOffsets;
        this.coreStep = new CoreStep(spec);
        this.kfuncs = kfuncs;
        this.variables = new KernelVariables(spec, kfuncs);
    }

    BpfProgram load(ProgramSpec program, int logLevel) {
        SectionDef def = program.def().orElseThrow(() -> new LoadException(unknownSection(program)));
        LinkedProgram linked = ProgramLinker.link(spec, program);
        byte[] insns = linked.instructions();
        applyRelocations(program, linked, insns);
        CoreResult core = coreStep.apply(linked, insns, program.name());

        ProgLoadAttr attr = ProgLoadAttr.of(def.programType(), insns, spec.license())
                .withName(MapCreator.sanitize(program.name()))
                .withKernVersion(spec.kernelVersion());
        int flags = (def.sleepable() ? ProgLoadAttr.F_SLEEPABLE : 0) | (def.xdpFrags() ? ProgLoadAttr.F_XDP_HAS_FRAGS : 0);
        attr = attr.withFlags(flags);
        int[] fdArray = kfuncs.fdArray();
        if (fdArray != null) {
            attr = attr.withFdArray(fdArray);
        }
        if (def.attachType() != null && def.attachTypeAtLoad()) {
            attr = attr.withExpectedAttachType(def.attachType());
        }
        TargetFunction targetFunction = targetFunctions.get(program.name());
        if (targetFunction != null) {
            attr = attr.withAttachTarget(targetFunction.btfId(), targetFunction.program().value());
        } else if (def.needsBtfTarget()) {
            attr = attr.withAttachTarget(attachBtfId(program, def), 0);
        }
        List<String> opsMaps = List.of();
        if (def.programType() == ProgType.STRUCT_OPS) {
            // The kernel checks the program against one member of one struct: its BTF id and the member's index.
            List<StructOpsLayout> users = structOps.stream().filter(l -> l.memberIndexOf(program.name()) >= 0).toList();
            if (users.isEmpty()) {
                throw new LoadException(notInStructOps(program));
            }
            StructOpsLayout ops = users.getFirst();
            for (StructOpsLayout other : users) {
                if (other.structId() != ops.structId() || other.memberIndexOf(program.name()) != ops.memberIndexOf(program.name())) {
                    throw new LoadException("program " + program.name() + " is used by struct_ops maps " + ops.spec().mapName()
                            + " and " + other.spec().mapName() + " for different members; the kernel loads a struct_ops program "
                            + "for one member of one struct: write one program per member");
                }
            }
            opsMaps = users.stream().map(l -> l.spec().mapName()).toList();
            attr = attr.withAttachTarget(ops.structId(), 0).withStructOpsMember(ops.memberIndexOf(program.name()));
        }
        SourceLines lines = new SourceLines();
        if (btfFd != null && spec.btf().flatMap(b -> b.ext()).isPresent()) {
            BtfExt ext = spec.btf().get().ext().get();
            attr = attr.withBtf(btfFd.value(), funcInfo(ext, linked), FUNC_INFO_SIZE, lineInfo(ext, linked, lines), LINE_INFO_SIZE);
        }
        try {
            Bpf.LoadedProgram loaded = logLevel > 0 ? loadWithLog(program, attr, logLevel) : new Bpf.LoadedProgram(Bpf.progLoad(attr), "");
            return new BpfProgram(program, loaded.fd(), linked.instructionCount(), maps, opsMaps, Optional.ofNullable(targetFunction),
                    loaded.log());
        } catch (VerifierException e) {
            throw rejection(program, e, lines, core);
        } catch (BpfException.PermissionDenied e) {
            throw new LoadException(permissionMessage(program, def, e), e);
        } catch (BpfException.NotFound e) {
            Matcher ksym = MISSING_KSYM.matcher(e.getMessage());
            if (ksym.find()) {
                // A typed one: the kernel looked the VAR's name up in kallsyms itself.
                throw new LoadException(KernelVariables.withoutKallsymsAll(program.name(), ksym.group(1)), e);
            }
            throw new LoadException("program " + program.name() + " (" + program.section() + "): " + e.getMessage(), e);
        }
    }

    /**
     * A load with a verifier log asked for: the kernel fails a load whose log does not fit, even of a
     * program it accepts, and says how much it needs (6.4+), so the buffer grows to that and the load is
     * repeated, up to {@link #MAX_LOG}.
     */
    private static Bpf.LoadedProgram loadWithLog(ProgramSpec program, ProgLoadAttr attr, int logLevel) {
        int size = FIRST_LOG;
        while (true) {
            try {
                return Bpf.progLoadWithLog(attr.withLog(logLevel, size));
            } catch (BpfException.LogTooSmall e) {
                if (size >= MAX_LOG || e.logTrueSize() > MAX_LOG) {
                    throw new LoadException("program " + program.name() + ": its verifier log at level " + logLevel + " needs more than "
                            + (MAX_LOG >> 20) + " MiB" + (e.logTrueSize() > 0 ? " (" + e.logTrueSize() + " bytes)" : "")
                            + "; ask for a lower log level (1 instead of 2), or 0 for a log on failure only", e);
                }
                size = e.logTrueSize() > size ? Math.min(e.logTrueSize(), MAX_LOG) : Math.min(size * 4, MAX_LOG);
            }
        }
    }

    /** "bpf4j_no_such_field" of "struct task_struct___future.bpf4j_no_such_field"; the type's name for a type access. */
    private static String lastName(String access) {
        String tail = access.substring(Math.max(access.lastIndexOf('.'), access.lastIndexOf(':')) + 1);
        tail = tail.replaceAll("\\[\\d+]", "");
        return tail.contains(" ") ? tail.substring(tail.lastIndexOf(' ') + 1) : tail;
    }

    static String unknownSection(ProgramSpec p) {
        return "program " + p.name() + ": unknown section name '" + p.section() + "'; use one of the names libbpf "
                + "documents, e.g. tracepoint/CATEGORY/NAME, raw_tp/NAME, tp_btf/NAME, kprobe/FUNCTION, uprobe/PATH:SYMBOL, "
                + "fentry/FUNCTION, xdp, tc/ingress, cgroup_skb/egress, socket, perf_event ('bpf4j object sections' lists them all)";
    }

    static String notInStructOps(ProgramSpec p) {
        return "program " + p.name() + " (" + p.section() + ") is not referenced by any struct_ops map, so the kernel "
                + "cannot tell which operation it implements; point a member at it, e.g. SEC(\".struct_ops.link\") struct "
                + "tcp_congestion_ops my_ops = { .cong_avoid = (void *)" + p.name() + ", ... }, or turn its autoload off";
    }

    private static String permissionMessage(ProgramSpec p, SectionDef def, BpfException e) {
        Capabilities caps = Capabilities.ofCurrentProcess();
        if (def.programType() == ProgType.STRUCT_OPS && caps.canLoadTracing() && caps.has(Capabilities.Cap.CAP_BPF)) {
            return "program " + p.name() + " (" + p.section() + "): this kernel refuses struct_ops programs (EPERM although "
                    + "bpf4j has CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN: BPF trampolines are disabled here, and the kernel "
                    + "calls struct_ops programs through them). Use a kernel that allows BPF trampolines (fentry works there too)";
        }
        if (def.programType() == ProgType.EXT && caps.canLoadTracing() && caps.has(Capabilities.Cap.CAP_BPF)) {
            return "program " + p.name() + " (" + p.section() + "): this kernel refuses freplace programs (EPERM although "
                    + "bpf4j has CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN: BPF trampolines are disabled here, and the kernel "
                    + "replaces a function through one). Use a kernel that allows BPF trampolines (fentry works there too)";
        }
        if (def.programType() == ProgType.TRACING && caps.canLoadTracing() && caps.has(Capabilities.Cap.CAP_BPF)) {
            AttachType at = def.attachType();
            if (at == AttachType.TRACE_FENTRY || at == AttachType.TRACE_FEXIT || at == AttachType.MODIFY_RETURN) {
                return "program " + p.name() + " (" + p.section() + "): this kernel refuses fentry/fexit/fmod_ret programs "
                        + "(EPERM although bpf4j has CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN: BPF trampolines are disabled "
                        + "here). Use tracepoint/CATEGORY/NAME or tp_btf/NAME instead";
            }
        }
        return "program " + p.name() + " (" + p.section() + "): " + e.getMessage();
    }

    /** Points each map, global-data and extern reference at the kernel object it names. */
    private void applyRelocations(ProgramSpec program, LinkedProgram linked, byte[] insns) {
        ByteBuffer buf = ByteBuffer.wrap(insns).order(ByteOrder.LITTLE_ENDIAN);
        for (Relocation r : linked.relocations()) {
            int at = r.insnIndex();
            switch (r.target()) {
                case Relocation.MapReference m -> {
                    BpfMap map = requireMap(program, m.mapName());
                    ProgramLinker.setSrcReg(insns, at, PSEUDO_MAP_FD);
                    buf.putInt(at * 8 + 4, map.fd().value());
                }
                case Relocation.DataReference d -> pointAtData(insns, buf, at, requireMap(program, d.section()), d.offset());
                case Relocation.ExternReference x -> {
                    Long kconfig = kconfigOffsets.get(x.name());
                    if (kconfig != null) {
                        pointAtData(insns, buf, at, requireMap(program, ".kconfig"), kconfig);
                    } else {
                        resolveKsym(program, insns, buf, at, x);
                    }
                }
                default -> throw new IllegalStateException("linker left " + r);
            }
        }
    }

    private static void pointAtData(byte[] insns, ByteBuffer buf, int at, BpfMap map, long offset) {
        ProgramLinker.setSrcReg(insns, at, PSEUDO_MAP_VALUE);
        buf.putInt(at * 8 + 4, map.fd().value());
        buf.putInt((at + 1) * 8 + 4, (int) offset);
    }

    /**
     * A .ksyms extern: a kernel function called as a kfunc (a call, BPF_PSEUDO_KFUNC_CALL) named by its
     * id in the BTF that defines it: vmlinux's, or a loaded module's (then off is its fd_array index);
     * or a kernel variable (a 64-bit load), see {@link KernelVariables}.
     */
    private void resolveKsym(ProgramSpec program, byte[] insns, ByteBuffer buf, int at, Relocation.ExternReference x) {
        String name = x.name();
        int opcode = insns[at * 8] & 0xff;
        if (opcode == 0x85) {
            KfuncTargets.Kfunc k = kfuncs.find(name).orElseThrow(() -> new LoadException(missingKfunc(program, name)));
            ProgramLinker.setSrcReg(insns, at, PSEUDO_KFUNC_CALL);
            buf.putShort(at * 8 + 2, (short) k.fdIndex());
            buf.putInt(at * 8 + 4, k.btfId());
            return;
        }
        variables.resolve(program.name(), insns, at, name, x.weak());
    }

    /** No BTF of the running kernel defines the kfunc: most often its module is not loaded. */
    private String missingKfunc(ProgramSpec program, String name) {
        List<String> modules = kfuncs.moduleNames();
        return "program " + program.name() + " calls kernel function (kfunc) " + name + ", which neither vmlinux nor "
                + (modules.isEmpty() ? "any loaded module (none with BTF is loaded)"
                        : "a loaded module (" + String.join(", ", modules.subList(0, Math.min(10, modules.size())))
                        + (modules.size() > 10 ? " and " + (modules.size() - 10) + " more" : "") + ")")
                + " defines in its BTF. If a kernel module defines " + name + ", that module must be loaded first "
                + "(modprobe MODULE); otherwise check the name and the "
                + "kernel version";
    }

    private BpfMap requireMap(ProgramSpec program, String name) {
        BpfMap m = maps.get(name);
        if (m == null) {
            throw new LoadException("program " + program.name() + " uses map " + name + ", which was not created");
        }
        return m;
    }

    /** The kernel BTF id of what a tp_btf/fentry/fexit/fmod_ret/lsm/iter program attaches to. */
    private static int attachBtfId(ProgramSpec program, SectionDef def) {
        String target = SectionTable.extras(program.section());
        if (target.isEmpty()) {
            throw new LoadException("program " + program.name() + ": section " + program.section()
                    + " must name what to attach to, e.g. " + def.prefix() + "/NAME");
        }
        String name;
        BtfKind kind;
        if (def.attachType() == AttachType.TRACE_RAW_TP) {
            name = "btf_trace_" + target;
            kind = BtfKind.TYPEDEF;
        } else if (def.programType() == ProgType.LSM) {
            name = "bpf_lsm_" + target;
            kind = BtfKind.FUNC;
        } else if (def.attachType() == AttachType.TRACE_ITER) {
            name = "bpf_iter_" + target;
            kind = BtfKind.FUNC;
        } else if (def.programType() == ProgType.EXT) {
            throw new LoadException("program " + program.name() + " (" + program.section() + ") replaces a function of "
                    + "another loaded program, and the kernel needs that program at load: name it with --attach "
                    + program.name() + "=PROGRAM (a pinned path, id:N or a loaded program's name), or "
                    + "BpfObject.attachTarget(\"" + program.name() + "\", fd, null) in Java");
        } else {
            name = target;
            kind = BtfKind.FUNC;
        }
        boolean traces = def.targetsAProgram();
        return KernelBtf.vmlinux().findId(name, kind).orElseThrow(() -> new LoadException("program " + program.name()
                + ": the kernel has no " + (kind == BtfKind.TYPEDEF ? "tracepoint" : "function") + " '" + target
                + "' (looked for " + kind + " " + name + " in /sys/kernel/btf/vmlinux); check the name in the section "
                + program.section() + (traces ? "; if " + target + " is a function of a loaded BPF program, name that "
                + "program with --attach " + program.name() + "=PROGRAM (a pinned path, id:N or its name)" : "")));
    }

    /** func_info records: each function's FUNC type at its first instruction in the linked program. */
    private static byte[] funcInfo(BtfExt ext, LinkedProgram linked) {
        List<LinkedLines.Func> funcs = LinkedLines.funcs(ext, linked);
        ByteBuffer out = ByteBuffer.allocate(funcs.size() * FUNC_INFO_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        funcs.forEach(f -> out.putInt(f.insn()).putInt(f.typeId()));
        return out.array();
    }

    /** line_info records, with string offsets into the uploaded BTF; also kept for error messages. */
    private byte[] lineInfo(BtfExt ext, LinkedProgram linked, SourceLines lines) {
        List<LinkedLines.Line> all = LinkedLines.lines(ext, linked);
        ByteBuffer out = ByteBuffer.allocate(all.size() * LINE_INFO_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (LinkedLines.Line l : all) {
            BtfExt.LineInfo li = l.info();
            out.putInt(l.insn()).putInt(btfUpload.stringOffset(li.fileName())).putInt(btfUpload.stringOffset(li.line()))
                    .putInt((li.lineNumber() << 10) | (li.column() & 0x3ff));
            lines.add(l.insn(), li.fileName(), li.lineNumber(), li.line());
        }
        return out.array();
    }

    /** What the verifier said, cut to the lines that explain it, with the C source line it stopped at. */
    private static VerifierRejection rejection(ProgramSpec program, VerifierException e, SourceLines lines, CoreResult core) {
        String log = e.log() == null ? "" : e.log().strip();
        StringBuilder b = new StringBuilder("program ").append(program.name()).append(" (").append(program.section())
                .append(") was rejected by the kernel verifier");
        Optional<Integer> insn = SourceLines.lastInstruction(log);
        insn.ifPresent(i -> b.append(" at instruction ").append(i));
        Optional<CoreFailure> poisoned = insn.flatMap(core::failureAt);
        // A poisoned CO-RE access: the statement that names the missing field or type, else the line at the instruction.
        Optional<String> source = poisoned.flatMap(f -> lines.nearestNaming(insn.get(), lastName(f.access())))
                .or(() -> insn.flatMap(lines::at)).map(SourceLines.Line::describe);
        source.ifPresent(l -> b.append(", ").append(l));
        b.append(":\n");
        if (poisoned.isPresent()) {
            // The verifier reached an instruction a CO-RE relocation could not fix: that is the real cause.
            b.append("    ").append(poisoned.get().description()).append('\n');
        }
        List<String> all = log.lines().collect(Collectors.toList());
        List<String> tail = all.subList(Math.max(0, all.size() - LOG_TAIL), all.size());
        tail.forEach(l -> b.append("    ").append(l).append('\n'));
        if (all.size() > LOG_TAIL) {
            b.append("(the last ").append(LOG_TAIL).append(" of ").append(all.size())
                    .append(" log lines; --verbose shows the whole log)\n");
        }
        if (log.contains("GPL")) {
            b.append("Fix: declare a GPL-compatible license: char LICENSE[] SEC(\"license\") = \"GPL\";\n");
        }
        return new VerifierRejection(b.toString().stripTrailing(), program.name(),
                insn.map(java.util.OptionalInt::of).orElse(java.util.OptionalInt.empty()), source, e.log(), e);
    }
}

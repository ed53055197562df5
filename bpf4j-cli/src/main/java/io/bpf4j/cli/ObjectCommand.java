package io.bpf4j.cli;

import io.bpf4j.Bpf4jException;
import io.bpf4j.asm.Disassembler;
import io.bpf4j.asm.Instruction;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfExt;
import io.bpf4j.btf.BtfTypeNames;
import io.bpf4j.load.BpfObject;
import io.bpf4j.load.GlobalVariable;
import io.bpf4j.reloc.CoreRelocator;
import io.bpf4j.reloc.LinkedLines;
import io.bpf4j.reloc.LinkedProgram;
import io.bpf4j.reloc.ProgramLinker;
import io.bpf4j.spec.FunctionSpec;
import io.bpf4j.spec.MapSpec;
import io.bpf4j.spec.ObjectSpec;
import io.bpf4j.spec.ProgramSpec;
import io.bpf4j.spec.Relocation;
import io.bpf4j.spec.SectionDef;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** {@code bpf4j object}: what an object file holds, without loading it. */
final class ObjectCommand implements Verb {
    @Override
    public void declare(Args a) {
        a.describe("Show what a BPF object holds (programs, maps, globals) or disassemble it.")
                .verb("info", Info::new)
                .verb("disasm", Disasm::new)
                .verb("sections", Sections::new);
    }

    /** The SEC() names bpf4j knows, as libbpf documents them ("type+" takes "/extras"). */
    static final class Sections implements Verb {
        boolean json;

        @Override
        public void declare(Args a) {
            a.describe("The SEC() names bpf4j knows: program type, attach type, sleepable, how it attaches. 'type+' also "
                            + "takes SEC(\"type/extras\"), e.g. tracepoint/CATEGORY/NAME.")
                    .flag("--json", "One JSON array.", () -> json = true);
        }

        @Override
        public Integer call() {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (SectionDef d : io.bpf4j.spec.SectionTable.rows()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("section", d.prefix() + (d.allowsExtras() ? "+" : ""));
                row.put("type", lower(d.programType()));
                row.put("attach_type", d.attachType() == null ? "-" : lower(d.attachType()));
                row.put("sleepable", d.sleepable());
                row.put("attach", how(d.attachKind()));
                rows.add(row);
            }
            PrintStream out = System.out;
            if (json) {
                out.println(Json.write(rows));
                return 0;
            }
            out.printf("%-26s %-24s %-30s %-9s %s%n", "SECTION", "PROGRAM TYPE", "ATTACH TYPE", "SLEEPABLE", "ATTACHES");
            for (Map<String, Object> r : rows) {
                out.printf("%-26s %-24s %-30s %-9s %s%n", r.get("section"), r.get("type"), r.get("attach_type"),
                        Boolean.TRUE.equals(r.get("sleepable")) ? "yes" : "", r.get("attach"));
            }
            return 0;
        }

        private static String how(io.bpf4j.spec.AttachKind kind) {
            return switch (kind) {
                case LWT -> "by iproute2 (ip route ... encap bpf)";
                case SK_REUSEPORT -> "by the application (SO_ATTACH_REUSEPORT_EBPF)";
                case STRUCT_OPS -> "through its struct_ops map";
                case NONE -> "not attached: test-run, or called from other programs or maps";
                default -> lower(kind) + (kind.needsTarget() ? ", to --attach PROG=TARGET" : ", where the section says");
            };
        }

        private static String lower(Enum<?> e) {
            return e.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final class Info implements Verb {
        Path file;
        boolean json;

        @Override
        public void declare(Args a) {
            a.describe("Programs (section, type, attach type, instructions), maps, globals, externs, license.")
                    .parameter("OBJ", "A BPF object file (.bpf.o).", v -> file = Path.of(v))
                    .flag("--json", "One JSON object.", () -> json = true);
        }

        @Override
        public Integer call() {
            BpfObject obj = ObjectInput.open(file);
            Map<String, Object> doc = describe(obj);
            PrintStream out = System.out;
            if (json) {
                out.println(Json.write(doc));
                return 0;
            }
            out.println("object " + doc.get("object") + "  license \"" + doc.get("license") + "\"");
            out.println("programs:");
            for (Object o : (List<?>) doc.get("programs")) {
                Map<?, ?> p = (Map<?, ?>) o;
                out.printf("  %-24s %-36s %-22s %-22s %5s insns%s%n", p.get("name"), p.get("section"), p.get("type"),
                        p.get("attach_type"), p.get("instructions"), Boolean.TRUE.equals(p.get("autoload")) ? "" : "  (no autoload)");
            }
            out.println("maps:");
            for (Object o : (List<?>) doc.get("maps")) {
                Map<?, ?> m = (Map<?, ?>) o;
                out.printf("  %-24s %-18s key %3s B %-16s value %5s B %-24s max_entries %-7s flags 0x%s%n", m.get("name"), m.get("type"),
                        m.get("key_size"), bracket(m.get("key_type")), m.get("value_size"), bracket(m.get("value_type")),
                        m.get("max_entries"), Integer.toHexString(((Number) m.get("flags")).intValue()));
            }
            out.println("globals:");
            for (Object o : (List<?>) doc.get("globals")) {
                Map<?, ?> g = (Map<?, ?>) o;
                out.printf("  %-24s %-16s %-28s %4s B%n", g.get("name"), g.get("section"), g.get("type"), g.get("size"));
            }
            List<?> externs = (List<?>) doc.get("externs");
            if (!externs.isEmpty()) {
                out.println("externs: " + String.join(", ", externs.stream().map(Object::toString).toList()));
            }
            return 0;
        }

        private static String bracket(Object typeName) {
            return typeName == null ? "" : "(" + typeName + ")";
        }
    }

    static Map<String, Object> describe(BpfObject obj) {
        ObjectSpec spec = obj.spec();
        Optional<Btf> btf = spec.btf().map(b -> b.btf());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("object", spec.name());
        doc.put("license", spec.license());
        List<Object> programs = new ArrayList<>();
        for (ProgramSpec p : spec.programs()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", p.name());
            row.put("section", p.section());
            row.put("type", p.def().map(d -> d.programType().name().toLowerCase(java.util.Locale.ROOT)).orElse("unknown section"));
            row.put("attach_type", p.def().map(SectionDef::attachType).map(a -> a.name().toLowerCase(java.util.Locale.ROOT)).orElse("-"));
            row.put("instructions", ProgramLinker.link(spec, p).instructionCount());
            row.put("autoload", p.autoload());
            programs.add(row);
        }
        doc.put("programs", programs);
        List<Object> maps = new ArrayList<>();
        for (MapSpec m : spec.maps()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", m.name());
            row.put("type", m.type().name().toLowerCase(java.util.Locale.ROOT));
            row.put("key_size", m.keySize());
            row.put("key_type", btf.filter(b -> m.btfKeyTypeId() != 0).map(b -> BtfTypeNames.of(b, m.btfKeyTypeId())).orElse(null));
            row.put("value_size", m.valueSize());
            row.put("value_type", btf.filter(b -> m.btfValueTypeId() != 0).map(b -> BtfTypeNames.of(b, m.btfValueTypeId())).orElse(null));
            row.put("max_entries", m.maxEntries());
            row.put("flags", m.flags());
            if (m.pinning() != MapSpec.Pinning.NONE) {
                row.put("pinning", "by_name");
            }
            maps.add(row);
        }
        doc.put("maps", maps);
        List<Object> globals = new ArrayList<>();
        for (GlobalVariable g : obj.globalVariables()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", g.name());
            row.put("section", g.section());
            row.put("type", BtfTypeNames.of(btf.orElseThrow(), g.typeId()));
            row.put("size", g.size());
            globals.add(row);
        }
        doc.put("globals", globals);
        TreeSet<String> externs = new TreeSet<>();
        for (FunctionSpec f : spec.functions()) {
            for (Relocation r : f.relocations()) {
                if (r.target() instanceof Relocation.ExternReference x) {
                    externs.add(x.name());
                }
            }
        }
        doc.put("externs", List.copyOf(externs));
        return doc;
    }

    static final class Disasm implements Verb {
        Path file;
        String program;

        @Override
        public void declare(Args a) {
            a.describe("Disassemble programs, with relocations named and source lines interleaved.")
                    .parameter("OBJ", "A BPF object file (.bpf.o).", v -> file = Path.of(v))
                    .optionalParameter("PROG", "Only this program.", v -> program = v);
        }

        @Override
        public Integer call() {
            ObjectSpec spec = ObjectInput.open(file).spec();
            List<ProgramSpec> progs = spec.programs().stream().filter(p -> program == null || p.name().equals(program)).toList();
            if (progs.isEmpty()) {
                throw new Bpf4jException(spec.name() + " has no program " + program + "; it has: "
                        + String.join(", ", spec.programs().stream().map(ProgramSpec::name).toList()));
            }
            Optional<BtfExt> ext = spec.btf().flatMap(b -> b.ext());
            Disassembler dis = new Disassembler();
            PrintStream out = System.out;
            for (ProgramSpec p : progs) {
                LinkedProgram linked = ProgramLinker.link(spec, p);
                out.println(p.name() + ":  SEC(\"" + p.section() + "\")  " + linked.instructionCount() + " instructions");
                Map<Integer, String> notes = new HashMap<>();
                for (Relocation r : linked.relocations()) {
                    notes.put(r.insnIndex(), switch (r.target()) {
                        case Relocation.MapReference m -> "map " + m.mapName();
                        case Relocation.DataReference d -> d.section() + "+" + d.offset() + " (" + r.symbol() + ")";
                        case Relocation.ExternReference x -> "extern " + x.name();
                        default -> r.symbol();
                    });
                }
                Map<Integer, String> starts = new HashMap<>();
                for (LinkedProgram.Placement pl : linked.placements()) {
                    starts.put(pl.start(), pl.function().name());
                    // CO-RE records say which field or type an instruction's constant stands for.
                    ext.ifPresent(e -> CoreRelocator.forFunction(pl.function(), e, pl.start()).forEach(c ->
                            notes.merge(c.insnIndex(), "CO-RE " + CoreRelocator.describe(spec.btf().get().btf(), c.relocation()),
                                    (a, b) -> a + "; " + b)));
                }
                Map<Integer, BtfExt.LineInfo> lines = new HashMap<>();
                ext.ifPresent(e -> LinkedLines.lines(e, linked).forEach(l -> lines.putIfAbsent(l.insn(), l.info())));
                int slot = 0;
                BtfExt.LineInfo shown = null;
                for (Instruction insn : Instruction.decode(linked.instructions())) {
                    if (starts.containsKey(slot) && slot != 0) {
                        out.println(starts.get(slot) + ":");
                    }
                    BtfExt.LineInfo li = lines.get(slot);
                    // One comment per source line: records that differ in column only are the same line.
                    if (li != null && !li.line().isBlank() && (shown == null || li.lineNumber() != shown.lineNumber()
                            || !li.fileName().equals(shown.fileName()))) {
                        shown = li;
                        out.println("; " + li.line().strip() + "  [" + li.fileName().substring(li.fileName().lastIndexOf('/') + 1) + ":" + li.lineNumber() + "]");
                    }
                    String note = notes.get(slot);
                    String callee = calleeOf(insn, slot, starts);
                    if (callee != null) {
                        note = note == null ? callee : note + "; " + callee;
                    }
                    out.printf("%4d: %s%s%n", slot, dis.format(insn), note == null ? "" : "    ; " + note);
                    slot += insn.slots();
                }
                out.println();
            }
            return 0;
        }

        /**
         * The subprogram a bpf-to-bpf call (call pc+N) or a callback load (ld_imm64 with
         * BPF_PSEUDO_FUNC: bpf_loop, timers, for_each) points at, by name; null for other instructions.
         */
        private static String calleeOf(Instruction insn, int slot, Map<Integer, String> starts) {
            boolean call = insn.opcode() == 0x85 && insn.src() == 1;
            boolean callback = insn.opcode() == 0x18 && insn.src() == 4;
            if (!call && !callback) {
                return null;
            }
            String name = starts.get(slot + 1 + insn.imm32());
            return name == null ? null : (call ? "calls " : "callback ") + name;
        }
    }
}

package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfExt;
import io.bpf4j.btf.BtfExt.CoreRelocation;
import io.bpf4j.btf.BtfExt.CoreRelocationKind;
import io.bpf4j.btf.BtfFormatException;
import io.bpf4j.btf.BtfType;
import io.bpf4j.spec.FunctionSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CO-RE ("compile once, run everywhere") relocation: rewrites the instructions clang marked in
 * .BTF.ext so that field offsets and sizes, bitfield shifts, type ids and sizes, existence checks and
 * enum values are those of the running kernel instead of those of the headers the program was
 * compiled against (btf.rst section 4.2, llvm_reloc.rst "CO-RE Relocations", and the kinds of
 * {@code enum bpf_core_relo_kind} in linux/bpf.h).
 *
 * <p>For each relocation the program's type is looked up in the kernel by name, ignoring a
 * {@code ___flavor} suffix (so {@code struct task_struct___old} stands for {@code task_struct}): in
 * the base targets (vmlinux) first, and only when none has a type of that name and kind, in the
 * split targets (module BTF on top of vmlinux). Each candidate is checked by replaying the access
 * by member names; all candidates that fit must agree.
 *
 * <p>When nothing fits, existence checks and type-based kinds become 0, and any other instruction
 * is poisoned: replaced by a call to helper {@value #POISON_HELPER_ID} (0xbad2310, "bad relo", the
 * same marker libbpf uses, so verifier logs read the same), which the verifier accepts as long as
 * the instruction is dead code, and a {@link CoreFailure} says what was missing.
 *
 * <p>An instance caches the candidates of each local type and may be reused for every program of
 * an object; it is not thread-safe. The name index of a target BTF is shared process-wide.
 */
public final class CoreRelocator {
    /** The helper id of a poisoned instruction: {@code call 0xbad2310}. */
    public static final int POISON_HELPER_ID = 0xbad2310;

    private final Btf local;
    private final List<Btf> bases;
    private final Supplier<List<Btf>> moduleSource;
    private List<Btf> modules;
    private final Map<Integer, List<Candidate>> candidates = new HashMap<>();

    /**
     * @param local   the object's own BTF (its .BTF section)
     * @param targets the kernel's BTF: vmlinux and any module BTF (split on top of vmlinux); split
     *                ones are searched only for types vmlinux does not have
     */
    public CoreRelocator(Btf local, List<Btf> targets) {
        this(local, baseTargets(targets), () -> targets.stream().filter(t -> t.base().isPresent()).toList());
    }

    /**
     * As {@link #CoreRelocator(Btf, List)} with module BTF read only when some relocation needs it:
     * {@code modules} (e.g. {@code () -> KernelTargets.modules(vmlinux)}) is called at most once,
     * and only when a type is not in vmlinux.
     */
    public CoreRelocator(Btf local, Btf vmlinux, Supplier<List<Btf>> modules) {
        this(local, List.of(requireTarget(vmlinux)), modules);
    }

    private CoreRelocator(Btf local, List<Btf> bases, Supplier<List<Btf>> modules) {
        if (local == null) {
            throw new CoreRelocationException("CO-RE relocation needs the object's BTF: compile the program with clang -g");
        }
        this.local = local;
        this.bases = bases;
        this.moduleSource = modules;
    }

    private static List<Btf> baseTargets(List<Btf> targets) {
        List<Btf> bases = targets == null ? List.of() : targets.stream().filter(t -> t.base().isEmpty()).toList();
        if (bases.isEmpty()) {
            throw noTarget();
        }
        return bases;
    }

    private static Btf requireTarget(Btf vmlinux) {
        if (vmlinux == null) {
            throw noTarget();
        }
        return vmlinux;
    }

    private static CoreRelocationException noTarget() {
        return new CoreRelocationException("CO-RE relocation needs the kernel's BTF (/sys/kernel/btf/vmlinux: a kernel "
                + "built with CONFIG_DEBUG_INFO_BTF=y); none was given");
    }

    private List<Btf> modules() {
        if (modules == null) {
            List<Btf> m = moduleSource.get();
            modules = m == null ? List.of() : List.copyOf(m);
        }
        return modules;
    }

    /**
     * The CO-RE records of {@code section} (as {@link BtfExt#coreRelocations()} has them, with
     * offsets in bytes from the section start) that fall inside {@code function}, with instruction
     * indices from the function's start.
     */
    public static List<CoreRelocationAtIndex> forFunction(FunctionSpec function, List<CoreRelocation> section) {
        return forFunction(function, section, 0);
    }

    /**
     * As {@link #forFunction(FunctionSpec, List)} for a function placed at instruction {@code start}
     * of a linked program (a subprogram appended after its caller): indices are shifted by
     * {@code start}, so the records of every placed function can be applied in one {@link #relocate} call.
     */
    public static List<CoreRelocationAtIndex> forFunction(FunctionSpec function, List<CoreRelocation> section, int start) {
        List<CoreRelocationAtIndex> out = new ArrayList<>();
        long first = function.sectionOffset();
        long end = first + function.instructionCount() * 8L;
        for (CoreRelocation r : section) {
            long off = Integer.toUnsignedLong(r.insnOffset());
            if (off >= first && off < end) {
                if (off % 8 != 0) {
                    throw new CoreRelocationException("CO-RE relocation at byte " + off + " of section " + function.section()
                            + " is not on an instruction boundary; the object's .BTF.ext is corrupt");
                }
                out.add(new CoreRelocationAtIndex(start + (int) ((off - first) / 8), r));
            }
        }
        return List.copyOf(out);
    }

    /** As {@link #forFunction(FunctionSpec, List)}, taking the records of the function's section from {@code ext}. */
    public static List<CoreRelocationAtIndex> forFunction(FunctionSpec function, BtfExt ext) {
        return forFunction(function, ext, 0);
    }

    /** As {@link #forFunction(FunctionSpec, List, int)}, taking the records of the function's section from {@code ext}. */
    public static List<CoreRelocationAtIndex> forFunction(FunctionSpec function, BtfExt ext, int start) {
        return forFunction(function, ext.coreRelocations().getOrDefault(function.section(), List.of()), start);
    }

    /**
     * Applies the relocations to a copy of {@code instructions}.
     *
     * @param instructions the function's instruction bytes (little-endian 8-byte slots)
     * @param relocations  its CO-RE records, by instruction index
     * @param programName  the program or subprogram name, for messages
     * @return the patched instructions and a {@link CoreFailure} for every poisoned instruction
     * @throws CoreRelocationException when a record is malformed, sits on an instruction that cannot
     *                                 carry it, does not match what clang wrote there, or matches
     *                                 several kernel types with different results
     */
    public CoreResult relocate(byte[] instructions, List<CoreRelocationAtIndex> relocations, String programName) {
        if (instructions.length % 8 != 0) {
            throw new CoreRelocationException("program '" + programName + "': " + instructions.length
                    + " bytes of instructions is not a whole number of 8-byte instructions");
        }
        byte[] out = instructions.clone();
        Instructions insns = new Instructions(out);
        List<CoreFailure> failures = new ArrayList<>();
        List<CoreRelocationAtIndex> sorted = relocations.stream()
                .sorted(Comparator.comparingInt(CoreRelocationAtIndex::insnIndex)).toList();
        for (CoreRelocationAtIndex r : sorted) {
            CoreFailure f = relocateOne(insns, r, programName);
            if (f != null) {
                failures.add(f);
            }
        }
        return new CoreResult(out, failures);
    }

    /**
     * A CO-RE record as a listing shows it: its kind and what it accesses in the object's own BTF, e.g.
     * "field_byte_offset struct task_struct.pid"; the raw access string when that BTF cannot render it.
     */
    public static String describe(Btf objectBtf, CoreRelocation r) {
        String kind = r.kind().name().toLowerCase(java.util.Locale.ROOT);
        try {
            return kind + " " + localAccess(objectBtf, r).render();
        } catch (RuntimeException e) {
            return kind + " type " + r.typeId() + " access " + r.accessString();
        }
    }

    /** What a record accesses in the object's own BTF: a field, an enumerator or a type, by its kind. */
    private static AccessSpec localAccess(Btf objectBtf, CoreRelocation r) {
        return switch (r.kind()) {
            case FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS, FIELD_SIGNED, FIELD_LSHIFT_U64, FIELD_RSHIFT_U64 ->
                    AccessSpec.ofField(objectBtf, r.typeId(), r.accessString());
            case ENUMVAL_EXISTS, ENUMVAL_VALUE -> AccessSpec.ofEnumerator(objectBtf, r.typeId(), r.accessString());
            default -> AccessSpec.ofType(objectBtf, r.typeId(), r.accessString());
        };
    }

    private CoreFailure relocateOne(Instructions insns, CoreRelocationAtIndex at, String program) {
        CoreRelocation r = at.relocation();
        int idx = at.insnIndex();
        CoreRelocationKind kind = r.kind();
        String where = "program '" + program + "' instruction #" + idx;
        if (idx >= insns.count() || insns.isLdImm64(idx) && idx + 1 >= insns.count()) {
            throw new CoreRelocationException(where + ": CO-RE relocation is past the end of the program's "
                    + insns.count() + " instructions");
        }
        AccessSpec localSpec;
        RelocationValue localValue;
        try {
            localSpec = localAccess(local, r);
            localValue = RelocationValue.of(localSpec, kind);
        } catch (RelocationValue.Unreadable | BtfFormatException e) {
            throw new CoreRelocationException(where + ": CO-RE " + kind + " relocation cannot be evaluated on the object's own BTF: "
                    + e.getMessage());
        }
        String access = localSpec.render();
        RelocationValue targetValue;
        String missing = null;
        if (kind == CoreRelocationKind.TYPE_ID_LOCAL) {
            targetValue = localValue;
        } else {
            Resolution res = resolve(localSpec, kind, where, access);
            targetValue = res.value;
            missing = res.reason;
        }
        String problem = targetValue == null ? missing : patch(insns, idx, kind, localValue, targetValue, where, access);
        if (problem == null) {
            return null;
        }
        poison(insns, idx);
        String advice = switch (kind) {
            case ENUMVAL_VALUE -> "guard the use with bpf_core_enum_value_exists()";
            case FIELD_EXISTS, TYPE_EXISTS, ENUMVAL_EXISTS, TYPE_MATCHES, TYPE_ID_LOCAL, TYPE_ID_TARGET, TYPE_SIZE ->
                    "check the program's types";
            default -> "guard the access with bpf_core_field_exists(), or read it through a ___flavor type that "
                    + "matches this kernel";
        };
        return new CoreFailure(program, idx, kind, access, where + ": CO-RE " + kind + " of " + access
                + " cannot be relocated: " + problem + "; the instruction was poisoned and fails verification if reached; "
                + advice);
    }

    /** A relocation's kernel-side value, or null with the reason when the instruction must be poisoned. */
    private record Resolution(RelocationValue value, String reason) {
    }

    private Resolution resolve(AccessSpec localSpec, CoreRelocationKind kind, String where, String access) {
        BtfType root = local.type(localSpec.rootId());
        if (root.name().isEmpty()) {
            RelocationValue v = RelocationValue.whenMissing(kind);
            return new Resolution(v, "the program's type is anonymous, so it has no name to find in the kernel");
        }
        List<Candidate> cands = candidates(localSpec.rootId(), root);
        RelocationValue chosen = null;
        String chosenFrom = null;
        String reason = cands.isEmpty()
                ? "the kernel has no " + kindWord(root) + " named '" + TypeRelations.essentialName(root.name()) + "'"
                : null;
        for (Candidate c : cands) {
            TargetMatcher.Outcome o = switch (kind) {
                case ENUMVAL_EXISTS, ENUMVAL_VALUE -> TargetMatcher.enumerator(localSpec, c.btf, c.id);
                case TYPE_EXISTS, TYPE_SIZE, TYPE_ID_TARGET -> TargetMatcher.type(localSpec, c.btf, c.id, false);
                case TYPE_MATCHES -> TargetMatcher.type(localSpec, c.btf, c.id, true);
                default -> TargetMatcher.field(localSpec, c.btf, c.id);
            };
            switch (o) {
                case TargetMatcher.Missing m -> reason = m.reason();
                case TargetMatcher.Found f -> {
                    RelocationValue v;
                    try {
                        v = RelocationValue.of(f.spec(), kind);
                    } catch (RelocationValue.Unreadable e) {
                        reason = e.getMessage();
                        continue;
                    }
                    String from = AccessSpec.describe(c.btf, c.id) + " (type id " + c.id + ")";
                    if (chosen != null && chosen.value() != v.value()) {
                        throw new CoreRelocationException(where + ": CO-RE " + kind + " of " + access
                                + " is ambiguous: the kernel's " + chosenFrom + " gives " + chosen.value() + " but " + from
                                + " gives " + v.value() + "; rename the program's type with a ___flavor that fits only one");
                    }
                    if (chosen == null) {
                        chosen = v;
                        chosenFrom = from;
                    }
                }
            }
        }
        if (chosen != null) {
            return new Resolution(chosen, null);
        }
        return new Resolution(RelocationValue.whenMissing(kind), reason);
    }

    private static String kindWord(BtfType t) {
        return switch (t) {
            case BtfType.Struct s -> "struct";
            case BtfType.Union u -> "union";
            case BtfType.Enumeration e -> "enum";
            case BtfType.Typedef td -> "typedef";
            case BtfType.Fwd f -> f.union() ? "union" : "struct";
            default -> "type";
        };
    }

    /** A kernel type with the right name and kind, in the BTF that defines it. */
    private record Candidate(Btf btf, int id) {
    }

    private List<Candidate> candidates(int localId, BtfType root) {
        return candidates.computeIfAbsent(localId, k -> {
            String name = TypeRelations.essentialName(root.name());
            List<Candidate> found = search(bases, name, root);
            return found.isEmpty() ? search(modules(), name, root) : found;
        });
    }

    private List<Candidate> search(List<Btf> targets, String name, BtfType root) {
        List<Candidate> out = new ArrayList<>();
        for (Btf t : targets) {
            for (int id : CandidateIndex.of(t).named(name)) {
                if (TypeRelations.sameKind(root, t.type(id))) {
                    out.add(new Candidate(t, id));
                }
            }
        }
        return out;
    }

    /**
     * Writes the kernel's value into the instruction, after checking that the instruction holds the
     * program's value (what clang computed from the same BTF: a mismatch means a misplaced record).
     * Returns why the value cannot be encoded (the instruction is then poisoned), or null.
     */
    private static String patch(Instructions insns, int idx, CoreRelocationKind kind, RelocationValue orig,
                                RelocationValue target, String where, String access) {
        int code = insns.code(idx);
        long value = target.value();
        if (insns.isLdImm64(idx)) {
            long current = insns.imm64(idx);
            boolean sameLow = (int) current == (int) orig.value() && kind == CoreRelocationKind.ENUMVAL_VALUE;
            if (orig.validate() && current != orig.value() && !sameLow) {
                throw unexpected(where, kind, access, current, orig.value());
            }
            insns.setImm64(idx, value);
            return null;
        }
        switch (insns.insnClass(idx)) {
            case Instructions.CLASS_ALU, Instructions.CLASS_ALU64 -> {
                if ((code & Instructions.SOURCE_REG) != 0) {
                    throw new CoreRelocationException(where + ": CO-RE " + kind + " of " + access + " sits on an ALU "
                            + "instruction with a register operand (opcode 0x" + Integer.toHexString(code)
                            + "); only an immediate can be relocated");
                }
                if (orig.validate() && insns.imm(idx) != (int) orig.value()) {
                    throw unexpected(where, kind, access, insns.imm(idx), orig.value());
                }
                if (value != (int) value && value != Integer.toUnsignedLong((int) value)) {
                    return "the kernel's value " + value + " does not fit a 32-bit immediate";
                }
                insns.setImm(idx, (int) value);
                return null;
            }
            case Instructions.CLASS_LDX, Instructions.CLASS_ST, Instructions.CLASS_STX -> {
                return patchMemory(insns, idx, kind, orig, target, where, access);
            }
            default -> throw new CoreRelocationException(where + ": CO-RE " + kind + " of " + access + " sits on opcode 0x"
                    + Integer.toHexString(code) + ", which has no immediate or offset CO-RE can rewrite");
        }
    }

    private static String patchMemory(Instructions insns, int idx, CoreRelocationKind kind, RelocationValue orig,
                                      RelocationValue target, String where, String access) {
        int code = insns.code(idx);
        if (orig.validate() && insns.offset(idx) != orig.value()) {
            throw unexpected(where, kind, access, insns.offset(idx), orig.value());
        }
        if (target.value() > Short.MAX_VALUE || target.value() < Short.MIN_VALUE) {
            return "the kernel's offset " + target.value() + " does not fit the 16-bit offset of a load or store";
        }
        if (orig.memSize() != target.memSize() && orig.memSize() > 0 && target.memSize() > 0) {
            // The field changed size: a direct load/store must change with it, which keeps the value
            // only for zero-extended things (unsigned ints, pointers); see RelocationValue.MemKind.
            if (!resizable(orig, target)) {
                return "the field is " + orig.memSize() + " bytes in the program but " + target.memSize()
                        + " bytes in the kernel, and only unsigned integers and pointers can be loaded with another size";
            }
            int size = Instructions.sizeBytes(code);
            if (size != orig.memSize()) {
                throw new CoreRelocationException(where + ": CO-RE " + kind + " of " + access + ": the instruction accesses "
                        + size + " bytes but the field is " + orig.memSize() + " bytes in the program's BTF");
            }
            int bits = Instructions.sizeBits(target.memSize());
            if (bits < 0) {
                return "the kernel's field is " + target.memSize() + " bytes, which no single load or store covers";
            }
            int newCode = code & ~Instructions.SIZE_MASK | bits;
            if ((code & Instructions.MODE_MASK) == Instructions.MODE_MEMSX && target.memSize() == 8) {
                // A sign-extending load has no 8-byte form; an 8-byte load needs no extension.
                newCode = newCode & ~Instructions.MODE_MASK | Instructions.MODE_MEM;
            }
            insns.setCode(idx, newCode);
        }
        insns.setOffset(idx, (int) target.value());
        return null;
    }

    private static boolean resizable(RelocationValue orig, RelocationValue target) {
        RelocationValue.MemKind a = orig.memKind();
        return a == target.memKind() && a != RelocationValue.MemKind.OTHER && a != RelocationValue.MemKind.NONE;
    }

    private static CoreRelocationException unexpected(String where, CoreRelocationKind kind, String access, long found,
                                                       long expected) {
        return new CoreRelocationException(where + ": CO-RE " + kind + " of " + access + ": the instruction holds " + found
                + " but the object's BTF gives " + expected + "; the .BTF.ext record does not belong to this instruction "
                + "(was the object changed after clang wrote it?)");
    }

    /** Replaces the instruction (both slots of an LD_IMM64, so the verifier never sees half of one) by the poison call. */
    private static void poison(Instructions insns, int idx) {
        if (insns.isLdImm64(idx)) {
            insns.setCall(idx + 1, POISON_HELPER_ID);
        }
        insns.setCall(idx, POISON_HELPER_ID);
    }
}

package io.bpf4j.spec;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfRelocation;
import io.bpf4j.elf.ElfSection;
import io.bpf4j.elf.ElfSymbol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads the struct_ops maps of {@code .struct_ops} and {@code .struct_ops.link}: the BTF DATASEC of
 * the section names each variable and its struct type, the section's bytes are the initial values of
 * the data members, and the section's ELF relocations say which function each function-pointer
 * member points at (the bytes hold 0 there: the address is only known to the linker).
 */
final class StructOpsReader {
    private final ElfFile elf;
    private final List<ElfSymbol> symbols;
    private final Optional<ObjectBtf> btf;
    private final List<ProgramSpec> programs;
    private final String origin;

    StructOpsReader(ElfFile elf, List<ElfSymbol> symbols, Optional<ObjectBtf> btf, List<ProgramSpec> programs, String origin) {
        this.elf = elf;
        this.symbols = symbols;
        this.btf = btf;
        this.programs = programs;
        this.origin = origin;
    }

    List<StructOpsSpec> read() {
        List<StructOpsSpec> out = new ArrayList<>();
        for (String name : List.of(StructOpsSpec.SECTION, StructOpsSpec.LINK_SECTION)) {
            Optional<ElfSection> s = elf.section(name);
            if (s.isPresent() && s.get().size() > 0) {
                out.addAll(section(s.get()));
            }
        }
        return out;
    }

    private List<StructOpsSpec> section(ElfSection section) {
        Btf types = btf.orElseThrow(() -> new SpecException(origin + ": struct_ops maps are declared in " + section.name()
                + " but the object has no BTF; compile with clang -g")).btf();
        OptionalInt datasec = types.findId(section.name(), BtfKind.DATASEC);
        if (datasec.isEmpty()) {
            throw new SpecException(origin + ": section " + section.name() + " has no DATASEC in BTF; compile with clang -g");
        }
        byte[] bytes = elf.contents(section);
        Map<Long, String> targets = functionTargets(section, bytes);
        List<StructOpsSpec> out = new ArrayList<>();
        for (Btf.SectionVariable v : types.sectionVariables(datasec.getAsInt())) {
            String name = v.var().name();
            // As in .maps, clang may leave DATASEC offsets at 0: the symbol says where the variable is.
            long start = symbols.stream()
                    .filter(s -> s.sectionIndex() == section.index() && s.name().equals(name))
                    .mapToLong(ElfSymbol::value).findFirst().orElse(v.offset());
            int structId = types.resolve(v.var().type());
            if (!(types.type(structId) instanceof BtfType.Struct st) || st.name().isEmpty()) {
                throw new SpecException(origin + ": " + name + " in " + section.name() + " is not a named struct; declare it as "
                        + "SEC(\"" + section.name() + "\") struct tcp_congestion_ops " + name + " = { ... } (a struct_ops type of the kernel)");
            }
            if (start < 0 || start + st.size() > bytes.length) {
                throw new SpecException(origin + ": struct_ops map " + name + " lies outside its section " + section.name());
            }
            List<StructOpsSpec.Member> members = new ArrayList<>();
            for (BtfType.Member m : st.members()) {
                members.add(member(types, name, m, bytes, (int) start, targets));
            }
            out.add(new StructOpsSpec(name, section.name(), st.name(), st.size(), members));
        }
        return out;
    }

    private StructOpsSpec.Member member(Btf types, String map, BtfType.Member m, byte[] bytes, int start,
                                        Map<Long, String> targets) {
        int offset = m.bitOffset() / 8;
        String what = "struct_ops map " + map + " member " + m.name();
        if (m.bitfieldSize() != 0 || m.bitOffset() % 8 != 0) {
            int end = (m.bitOffset() + Math.max(1, m.bitfieldSize()) + 7) / 8;
            byte[] span = Arrays.copyOfRange(bytes, start + offset, start + end);
            if (!allZero(span)) {
                throw new SpecException(origin + ": " + what + " is a bitfield, which bpf4j cannot copy to the kernel's "
                        + "layout; leave it unset");
            }
            return new StructOpsSpec.Member(m.name(), offset, 0, false, Optional.empty(), new byte[0]);
        }
        int size = (int) types.sizeOf(m.type());
        if (isFunctionPointer(types, m.type())) {
            String program = targets.get((long) start + offset);
            return new StructOpsSpec.Member(m.name(), offset, size, true, Optional.ofNullable(program), new byte[0]);
        }
        if (size < 0) {
            throw new SpecException(origin + ": " + what + " has no size in BTF");
        }
        return new StructOpsSpec.Member(m.name(), offset, size, false, Optional.empty(),
                Arrays.copyOfRange(bytes, start + offset, start + offset + size));
    }

    private static boolean isFunctionPointer(Btf types, int typeId) {
        return types.type(types.resolve(typeId)) instanceof BtfType.Ptr p
                && types.type(types.resolve(p.type())) instanceof BtfType.FuncProto;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** Section offset of each function pointer to the struct_ops program it names. */
    private Map<Long, String> functionTargets(ElfSection section, byte[] bytes) {
        ElfSection rel = elf.relocationSections().get(section.index());
        Map<Long, String> out = new HashMap<>();
        if (rel == null) {
            return out;
        }
        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (ElfRelocation r : elf.relocations(rel)) {
            String where = section.name() + "+" + r.offset();
            if (r.symbolIndex() <= 0 || r.symbolIndex() >= symbols.size() || r.offset() + 8 > bytes.length) {
                throw new SpecException(origin + ": relocation at " + where + " is malformed");
            }
            ElfSymbol sym = symbols.get(r.symbolIndex());
            String function = sym.name();
            if (sym.type() == ElfSymbol.STT_SECTION) {
                // A relocation against the section: the 8 bytes hold the function's offset in it (REL keeps the addend there).
                long at = data.getLong((int) r.offset()) + r.addend();
                function = symbols.stream().filter(s -> s.sectionIndex() == sym.sectionIndex() && s.type() == ElfSymbol.STT_FUNC
                        && s.value() == at).map(ElfSymbol::name).findFirst()
                        .orElseThrow(() -> new SpecException(origin + ": relocation at " + where + " points at no function"));
            }
            String name = function;
            ProgramSpec p = programs.stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
            if (p == null || p.def().map(d -> d.attachKind() != AttachKind.STRUCT_OPS).orElse(true)) {
                throw new SpecException(origin + ": a struct_ops member (" + where + ") points at " + name
                        + ", which is not a program in a SEC(\"struct_ops/...\") section; put the function in one");
            }
            out.put(r.offset(), name);
        }
        return out;
    }
}

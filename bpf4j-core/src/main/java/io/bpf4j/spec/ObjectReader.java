package io.bpf4j.spec;

import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfRelocation;
import io.bpf4j.elf.ElfSection;
import io.bpf4j.elf.ElfSymbol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a BPF ELF object (as clang writes it) into an {@link ObjectSpec}: functions split out of their
 * sections by symbol, their relocations classified, maps and global-data sections described. Nothing
 * here asks the running kernel; the same file always gives the same spec.
 */
public final class ObjectReader {
    static final String TEXT = ".text";
    static final String BTF_MAPS = ".maps";
    static final String LEGACY_MAPS = "maps";

    private static final int LD_IMM64 = 0x18;
    private static final int CALL = 0x85;
    private static final int PSEUDO_CALL = 1;

    private final String name;
    private final String origin;
    private final ElfFile elf;
    private final List<ElfSymbol> symbols;

    private ObjectReader(String name, String origin, ElfFile elf) {
        this.name = name;
        this.origin = origin;
        this.elf = elf;
        this.symbols = elf.symbols();
    }

    /** Reads an object file; its name is the file name without .bpf.o / .o. */
    public static ObjectSpec read(Path path) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new SpecException(path + ": no such file");
        }
        return read(bytes, objectName(path.getFileName().toString()), path.toString());
    }

    /** Reads an object held in memory (a skeleton's embedded bytes). */
    public static ObjectSpec read(byte[] bytes, String name, String origin) {
        ElfFile elf = ElfFile.parse(bytes);
        if (elf.machine() != ElfFile.EM_BPF) {
            throw new SpecException(origin + " is not a BPF object (ELF machine " + elf.machine()
                    + "); compile it with clang -target bpf");
        }
        if (elf.byteOrder() != ByteOrder.nativeOrder()) {
            throw new SpecException(origin + " was compiled for the other byte order; use -target bpfel on this machine");
        }
        return new ObjectReader(name, origin, elf).build();
    }

    static String objectName(String fileName) {
        for (String suffix : List.of(".bpf.o", ".o")) {
            if (fileName.endsWith(suffix)) {
                return fileName.substring(0, fileName.length() - suffix.length());
            }
        }
        return fileName;
    }

    private ObjectSpec build() {
        List<FunctionSpec> functions = functions();
        List<ProgramSpec> programs = new ArrayList<>();
        for (FunctionSpec f : functions) {
            if (!f.section().equals(TEXT)) {
                String section = f.section();
                programs.add(new ProgramSpec(f.name(), section, SectionTable.find(section), !section.startsWith("?"), f));
            }
        }
        Optional<ObjectBtf> btf = ObjectBtf.from(elf, origin);
        List<MapSpec> maps = new ArrayList<>();
        maps.addAll(MapDefinitions.btfDefined(elf, symbols, btf, origin));
        maps.addAll(MapDefinitions.legacy(elf, symbols, origin));
        maps.addAll(MapDefinitions.dataSections(elf, btf));
        List<StructOpsSpec> structOps = new StructOpsReader(elf, symbols, btf, programs, origin).read();
        structOps.forEach(s -> maps.add(MapDefinitions.structOps(s, btf)));
        return new ObjectSpec(name, programs, functions, maps, license(), kernelVersion(), btf, structOps);
    }

    private String license() {
        return elf.section("license").map(s -> cString(elf.contents(s))).orElse("");
    }

    private int kernelVersion() {
        return elf.section("version").filter(s -> s.size() == 4)
                .map(s -> elf.buffer(s).getInt(0)).orElse(0);
    }

    static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** Every function symbol of every executable section, with its relocations. */
    private List<FunctionSpec> functions() {
        Map<Integer, ElfSection> relSections = elf.relocationSections();
        List<FunctionSpec> out = new ArrayList<>();
        for (ElfSection section : elf.sections()) {
            if (!section.isExecutable() || section.size() == 0 || !section.hasFileContents()) {
                continue;
            }
            if (section.size() % 8 != 0) {
                throw new SpecException(origin + ": section " + section.name() + " is " + section.size()
                        + " bytes, not a whole number of 8-byte instructions");
            }
            List<ElfSymbol> funcs = symbols.stream()
                    .filter(s -> s.sectionIndex() == section.index() && s.type() == ElfSymbol.STT_FUNC)
                    .sorted(Comparator.comparingLong(ElfSymbol::value)).toList();
            if (funcs.isEmpty()) {
                throw new SpecException(origin + ": section " + section.name()
                        + " has code but no function symbol; compile with a clang that emits BPF symbols (clang >= 10)");
            }
            byte[] code = elf.contents(section);
            List<ElfRelocation> relocs = relSections.containsKey(section.index())
                    ? elf.relocations(relSections.get(section.index())) : List.of();
            for (int i = 0; i < funcs.size(); i++) {
                ElfSymbol f = funcs.get(i);
                long start = f.value();
                long end = f.size() > 0 ? start + f.size() : (i + 1 < funcs.size() ? funcs.get(i + 1).value() : section.size());
                if (start < 0 || end > section.size() || start % 8 != 0 || end <= start) {
                    throw new SpecException(origin + ": function " + f.name() + " lies outside its section " + section.name());
                }
                byte[] insns = java.util.Arrays.copyOfRange(code, (int) start, (int) end);
                List<Relocation> mine = new ArrayList<>();
                for (ElfRelocation r : relocs) {
                    if (r.offset() >= start && r.offset() < end) {
                        mine.add(classify(section, code, r, (int) ((r.offset() - start) / 8)));
                    }
                }
                out.add(new FunctionSpec(f.name(), section.name(), section.index(), start, insns, mine, f.isGlobal()));
            }
        }
        return out;
    }

    private Relocation classify(ElfSection section, byte[] code, ElfRelocation r, int insnIndex) {
        if (r.symbolIndex() <= 0 || r.symbolIndex() >= symbols.size()) {
            throw new SpecException(origin + ": relocation at " + section.name() + "+" + r.offset()
                    + " names symbol " + r.symbolIndex() + ", which does not exist");
        }
        ElfSymbol sym = symbols.get(r.symbolIndex());
        ByteBuffer insn = ByteBuffer.wrap(code, (int) r.offset(), 8).order(ByteOrder.LITTLE_ENDIAN);
        int opcode = Byte.toUnsignedInt(insn.get((int) r.offset()));
        int srcReg = Byte.toUnsignedInt(insn.get((int) r.offset() + 1)) >>> 4;
        int imm = insn.getInt((int) r.offset() + 4);
        String where = section.name() + "+" + r.offset() + " (symbol " + sym.name() + ")";

        if (sym.isUndefined()) {
            return new Relocation(insnIndex, new Relocation.ExternReference(sym.name(), sym.binding() == ElfSymbol.STB_WEAK),
                    sym.name());
        }
        ElfSection target = elf.section(sym.sectionIndex());
        if (opcode == CALL && srcReg == PSEUDO_CALL) {
            // A call to a section symbol keeps the callee's position in imm (in instructions, relative
            // to the next one); a call to a function symbol names the callee directly.
            long calleeOffset = sym.type() == ElfSymbol.STT_SECTION ? sym.value() + ((long) imm + 1) * 8 : sym.value();
            return new Relocation(insnIndex, new Relocation.CallReference(target.index(), calleeOffset), sym.name());
        }
        if (opcode != LD_IMM64) {
            throw new SpecException(origin + ": relocation at " + where + " is on an instruction (opcode 0x"
                    + Integer.toHexString(opcode) + ") that is neither a 64-bit load nor a call; bpf4j cannot relocate it");
        }
        if (target.isExecutable()) {
            return new Relocation(insnIndex, new Relocation.FunctionAddress(target.index(), sym.value() + imm), sym.name());
        }
        if (target.name().equals(BTF_MAPS) || target.name().equals(LEGACY_MAPS)) {
            String mapName = sym.type() == ElfSymbol.STT_SECTION ? mapAtOffset(target, imm, where) : sym.name();
            return new Relocation(insnIndex, new Relocation.MapReference(mapName), sym.name());
        }
        if (MapDefinitions.isDataSection(target)) {
            long offset = sym.type() == ElfSymbol.STT_SECTION ? Integer.toUnsignedLong(imm) : sym.value() + imm;
            return new Relocation(insnIndex, new Relocation.DataReference(target.name(), offset), sym.name());
        }
        throw new SpecException(origin + ": relocation at " + where + " refers to section " + target.name()
                + ", which holds neither maps nor global data nor code");
    }

    private String mapAtOffset(ElfSection mapsSection, long offset, String where) {
        return symbols.stream()
                .filter(s -> s.sectionIndex() == mapsSection.index() && s.type() != ElfSymbol.STT_SECTION && s.value() == offset)
                .map(ElfSymbol::name).findFirst()
                .orElseThrow(() -> new SpecException(origin + ": relocation at " + where + " points into "
                        + mapsSection.name() + " at offset " + offset + " where no map is declared"));
    }
}

package io.bpf4j.spec;

import io.bpf4j.sys.MapType;

import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfSection;
import io.bpf4j.elf.ElfSymbol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds the maps an object declares: BTF-defined (.maps), legacy (maps) and global-data sections. */
final class MapDefinitions {
    /** struct bpf_map_def of the legacy "maps" section: five u32 fields, optionally more. */
    private static final int LEGACY_DEF_MIN_SIZE = 20;

    private MapDefinitions() {
    }

    static boolean isDataSection(ElfSection s) {
        String n = s.name();
        boolean named = n.equals(".data") || n.equals(".bss") || n.equals(".rodata")
                || n.startsWith(".data.") || n.startsWith(".rodata.") || n.startsWith(".bss.");
        return named && !s.isExecutable() && (s.type() == ElfSection.SHT_PROGBITS || s.type() == ElfSection.SHT_NOBITS);
    }

    /** The legacy {@code struct bpf_map_def} maps of the "maps" section (as the kernel's samples/bpf use). */
    static List<MapSpec> legacy(ElfFile elf, List<ElfSymbol> symbols, String origin) {
        Optional<ElfSection> section = elf.section(ObjectReader.LEGACY_MAPS);
        if (section.isEmpty()) {
            return List.of();
        }
        ElfSection s = section.get();
        ByteBuffer buf = elf.buffer(s);
        List<ElfSymbol> defs = symbols.stream()
                .filter(sym -> sym.sectionIndex() == s.index() && sym.type() != ElfSymbol.STT_SECTION && !sym.name().isEmpty())
                .sorted(java.util.Comparator.comparingLong(ElfSymbol::value)).toList();
        List<MapSpec> out = new ArrayList<>();
        for (int i = 0; i < defs.size(); i++) {
            ElfSymbol sym = defs.get(i);
            long size = sym.size() > 0 ? sym.size()
                    : (i + 1 < defs.size() ? defs.get(i + 1).value() : s.size()) - sym.value();
            if (size < LEGACY_DEF_MIN_SIZE || sym.value() + LEGACY_DEF_MIN_SIZE > s.size()) {
                throw new SpecException(origin + ": legacy map " + sym.name() + " is " + size
                        + " bytes; a struct bpf_map_def has at least 5 u32 fields (20 bytes)");
            }
            int base = (int) sym.value();
            int typeValue = buf.getInt(base);
            MapType type = MapType.ofValue(typeValue);
            if (type == null) {
                throw new SpecException(origin + ": legacy map " + sym.name() + " has unknown map type " + typeValue);
            }
            int numa = size >= 28 && base + 28 <= s.size() ? buf.getInt(base + 24) : -1;
            int flags = buf.getInt(base + 16);
            // BPF_F_NUMA_NODE (1 << 2) says whether numa_node is meaningful.
            out.add(new MapSpec(sym.name(), MapSpec.Kind.LEGACY, type, buf.getInt(base + 4), buf.getInt(base + 8),
                    buf.getInt(base + 12), flags, (flags & 4) != 0 ? numa : -1, MapSpec.Pinning.NONE, Optional.empty(),
                    new byte[0], List.of(), 0, 0, 0));
        }
        return out;
    }

    /** One array map of one entry per global-data section, its value the whole section. */
    static List<MapSpec> dataSections(ElfFile elf, Optional<ObjectBtf> btf) {
        List<MapSpec> out = new ArrayList<>();
        for (ElfSection s : elf.sections()) {
            if (!isDataSection(s) || s.size() == 0) {
                continue;
            }
            boolean readOnly = s.name().startsWith(".rodata");
            int flags = MapSpec.F_MMAPABLE | (readOnly ? MapSpec.F_RDONLY_PROG : 0);
            byte[] data = s.type() == ElfSection.SHT_NOBITS ? new byte[(int) s.size()] : elf.contents(s);
            int valueType = btf.map(b -> b.datasecTypeId(s.name())).orElse(0);
            out.add(new MapSpec(s.name(), MapSpec.Kind.DATA, MapType.ARRAY, 4, (int) s.size(), 1, flags, -1,
                    MapSpec.Pinning.NONE, Optional.empty(), data, List.of(), 0, valueType, 0));
        }
        return out;
    }

    /**
     * The map of a struct_ops variable. Its value size and flags here are the object's: the loader
     * replaces the size with the kernel's wrapper struct (bpf_struct_ops_NAME) it only knows at load.
     */
    static MapSpec structOps(StructOpsSpec s, Optional<ObjectBtf> btf) {
        int flags = s.usesLink() ? MapSpec.F_LINK : 0;
        int valueType = btf.map(b -> b.btf().findId(s.structName(), io.bpf4j.btf.BtfKind.STRUCT).orElse(0)).orElse(0);
        return new MapSpec(s.mapName(), MapSpec.Kind.STRUCT_OPS, MapType.STRUCT_OPS, 4, s.size(), 1, flags, -1,
                MapSpec.Pinning.NONE, Optional.empty(), new byte[0], List.of(), 0, valueType, 0);
    }

    /** The maps of the .maps section, described by the BTF of their variables. */
    static List<MapSpec> btfDefined(ElfFile elf, List<ElfSymbol> symbols, Optional<ObjectBtf> btf, String origin) {
        Optional<ElfSection> section = elf.section(ObjectReader.BTF_MAPS);
        if (section.isEmpty()) {
            return List.of();
        }
        if (btf.isEmpty()) {
            throw new SpecException(origin + ": maps are declared in .maps but the object has no BTF; compile with clang -g");
        }
        return btf.get().mapDefinitions(elf, symbols, origin);
    }
}

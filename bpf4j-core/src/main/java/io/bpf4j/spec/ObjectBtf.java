package io.bpf4j.spec;

import io.bpf4j.sys.MapType;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfExt;
import io.bpf4j.btf.BtfFormatException;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfRelocation;
import io.bpf4j.elf.ElfSection;
import io.bpf4j.elf.ElfSymbol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An object's own BTF (.BTF) and its extension (.BTF.ext: func_info, line_info, CO-RE relocations),
 * plus what the spec reads from it: the DATASEC of each data section and the BTF-defined maps.
 *
 * @param btf       the parsed .BTF section
 * @param ext       the parsed .BTF.ext, when present
 * @param sectionSizes  the size of every ELF section by name, to fix DATASEC sizes before upload
 * @param symbolOffsets section name to symbol name to the symbol's offset in it: clang leaves many
 *                      DATASEC variable offsets at 0, and the kernel checks them
 * @param hiddenFunctions global functions whose symbol has STV_HIDDEN visibility ({@code __hidden}, as
 *                        in libbpf's usdt.bpf.h): nothing outside the object can call them, so the
 *                        loader uploads them as static and the verifier checks them in their caller's
 *                        context instead of alone against their prototype
 */
public record ObjectBtf(Btf btf, Optional<BtfExt> ext, Map<String, Long> sectionSizes, Map<String, Map<String, Long>> symbolOffsets,
                        java.util.Set<String> hiddenFunctions) {
    public ObjectBtf {
        sectionSizes = Map.copyOf(sectionSizes);
        symbolOffsets = Map.copyOf(symbolOffsets);
        hiddenFunctions = java.util.Set.copyOf(hiddenFunctions);
    }

    public ObjectBtf(Btf btf, Optional<BtfExt> ext, Map<String, Long> sectionSizes, Map<String, Map<String, Long>> symbolOffsets) {
        this(btf, ext, sectionSizes, symbolOffsets, java.util.Set.of());
    }


    static Optional<ObjectBtf> from(ElfFile elf, String origin) {
        if (elf.section(".BTF").isEmpty()) {
            return Optional.empty();
        }
        Btf btf;
        try {
            btf = Btf.fromElf(elf, null);
        } catch (BtfFormatException e) {
            throw new SpecException(origin + ": its .BTF section is malformed: " + e.getMessage());
        }
        Map<String, Long> sizes = new HashMap<>();
        for (ElfSection s : elf.sections()) {
            sizes.putIfAbsent(s.name(), s.size());
        }
        Map<String, Map<String, Long>> offsets = new HashMap<>();
        java.util.Set<String> hidden = new java.util.HashSet<>();
        for (ElfSymbol sym : elf.symbols()) {
            if (sym.type() == ElfSymbol.STT_FUNC && sym.isGlobal() && sym.visibility() == ElfSymbol.STV_HIDDEN) {
                hidden.add(sym.name());
            }
            if (sym.sectionIndex() > 0 && sym.sectionIndex() < elf.sections().size() && !sym.name().isEmpty()
                    && sym.type() != ElfSymbol.STT_SECTION) {
                offsets.computeIfAbsent(elf.section(sym.sectionIndex()).name(), k -> new HashMap<>())
                        .putIfAbsent(sym.name(), sym.value());
            }
        }
        offsets.replaceAll((k, v) -> Map.copyOf(v));
        Optional<BtfExt> parsedExt;
        try {
            parsedExt = BtfExt.fromElf(elf, btf);
        } catch (BtfFormatException e) {
            throw new SpecException(origin + ": its .BTF.ext section is malformed: " + e.getMessage());
        }
        return Optional.of(new ObjectBtf(btf, parsedExt, sizes, offsets, hidden));
    }

    /** The id of the DATASEC describing a data section, 0 when there is none. */
    int datasecTypeId(String section) {
        OptionalInt id = btf.findId(section, BtfKind.DATASEC);
        return id.orElse(0);
    }

    /** Reads each variable of the .maps DATASEC as a map definition. */
    List<MapSpec> mapDefinitions(ElfFile elf, List<ElfSymbol> symbols, String origin) {
        OptionalInt datasec = btf.findId(ObjectReader.BTF_MAPS, BtfKind.DATASEC);
        if (datasec.isEmpty()) {
            throw new SpecException(origin + ": the .maps section has no DATASEC in BTF; compile with clang -g");
        }
        ElfSection mapsSection = elf.section(ObjectReader.BTF_MAPS).orElseThrow();
        List<ElfRelocation> relocs = Optional.ofNullable(elf.relocationSections().get(mapsSection.index()))
                .map(elf::relocations).orElse(List.of());
        List<MapSpec> out = new ArrayList<>();
        for (Btf.SectionVariable v : btf.sectionVariables(datasec.getAsInt())) {
            String name = v.var().name();
            // clang leaves DATASEC offsets at 0: where each map sits comes from its ELF symbol.
            ElfSymbol sym = symbols.stream()
                    .filter(s -> s.sectionIndex() == mapsSection.index() && s.name().equals(name)).findFirst()
                    .orElseThrow(() -> new SpecException(origin + ": map " + name + " has BTF but no symbol in .maps"));
            int structId = btf.resolve(v.var().type());
            MapSpec map = definition(name, structId, origin);
            List<MapSpec.Slot> slots = initialSlots(name, sym.value(), sym.size(), structId, relocs, symbols, origin);
            if (!slots.isEmpty()) {
                map = new MapSpec(map.name(), map.kind(), map.type(), map.keySize(), map.valueSize(), map.maxEntries(),
                        map.flags(), map.numaNode(), map.pinning(), map.innerMap(), new byte[0], slots,
                        map.btfKeyTypeId(), map.btfValueTypeId(), map.mapExtra());
            }
            out.add(map);
        }
        return out;
    }

    /** One map definition struct: {@code __uint(type, ...)}, {@code __type(key, ...)}, {@code __array(values, ...)}. */
    private MapSpec definition(String name, int structId, String origin) {
        if (!(btf.type(structId) instanceof BtfType.Struct def)) {
            throw new SpecException(origin + ": map " + name + " in .maps is not a struct; declare it with "
                    + "struct { __uint(type, ...); ... } " + name + " SEC(\".maps\")");
        }
        MapType type = null;
        int keySize = 0, valueSize = 0, maxEntries = 0, flags = 0, numa = -1, keyId = 0, valueId = 0;
        long extra = 0;
        MapSpec.Pinning pinning = MapSpec.Pinning.NONE;
        Optional<MapSpec> inner = Optional.empty();
        for (BtfType.Member m : def.members()) {
            String what = "map " + name + " field " + m.name();
            switch (m.name()) {
                case "type" -> {
                    int t = uintField(m, what, origin);
                    type = MapType.ofValue(t);
                    if (type == null) {
                        throw new SpecException(origin + ": " + what + ": unknown map type " + t);
                    }
                }
                case "max_entries" -> maxEntries = uintField(m, what, origin);
                case "map_flags" -> flags = uintField(m, what, origin);
                case "numa_node" -> numa = uintField(m, what, origin);
                case "key_size" -> keySize = uintField(m, what, origin);
                case "value_size" -> valueSize = uintField(m, what, origin);
                case "map_extra" -> extra = Integer.toUnsignedLong(uintField(m, what, origin));
                case "pinning" -> {
                    int p = uintField(m, what, origin);
                    pinning = switch (p) {
                        case 0 -> MapSpec.Pinning.NONE;
                        case 1 -> MapSpec.Pinning.BY_NAME;
                        default -> throw new SpecException(origin + ": " + what + ": unknown pinning " + p
                                + " (use LIBBPF_PIN_NONE or LIBBPF_PIN_BY_NAME)");
                    };
                }
                case "key" -> {
                    keyId = pointee(m, what, origin);
                    keySize = size(keyId, what, origin);
                }
                case "value" -> {
                    valueId = pointee(m, what, origin);
                    valueSize = size(valueId, what, origin);
                }
                case "values" -> inner = Optional.of(innerDefinition(name, m, origin));
                default -> throw new SpecException(origin + ": map " + name + " has unknown field '" + m.name()
                        + "'; known: type, key, value, key_size, value_size, max_entries, map_flags, numa_node, pinning, map_extra, values");
            }
        }
        if (type == null) {
            throw new SpecException(origin + ": map " + name + " has no type; add __uint(type, BPF_MAP_TYPE_...)");
        }
        if (inner.isPresent()) {
            // Map-in-map and program arrays hold fds: 4-byte values.
            valueSize = 4;
        }
        return new MapSpec(name, MapSpec.Kind.BTF_DEFINED, type, keySize, valueSize, maxEntries, flags, numa, pinning,
                inner, new byte[0], List.of(), keyId, valueId, extra);
    }

    /** {@code __array(values, struct inner)}: an array of pointers to the inner map's definition. */
    private MapSpec innerDefinition(String outer, BtfType.Member m, String origin) {
        int id = btf.resolve(m.type());
        if (btf.type(id) instanceof BtfType.Array arr && btf.type(btf.resolve(arr.elementType())) instanceof BtfType.Ptr p) {
            int target = btf.resolve(p.type());
            if (btf.type(target) instanceof BtfType.FuncProto) {
                // A program array: __array(values, int (void *)): slots name programs.
                return new MapSpec(outer + ".inner", MapSpec.Kind.BTF_DEFINED, MapType.PROG_ARRAY, 4, 4, 0, 0, -1,
                        MapSpec.Pinning.NONE, Optional.empty(), new byte[0], List.of(), 0, 0, 0);
            }
            return definition(outer + ".inner", target, origin);
        }
        throw new SpecException(origin + ": map " + outer + " field values must be declared with __array(values, ...)");
    }

    /** Initial slots of a map-in-map: relocations inside its {@code values} array name the maps put there. */
    private List<MapSpec.Slot> initialSlots(String name, long mapOffset, long varSize, int structId, List<ElfRelocation> relocs,
                                            List<ElfSymbol> symbols, String origin) {
        if (!(btf.type(structId) instanceof BtfType.Struct def)) {
            return List.of();
        }
        Optional<BtfType.Member> values = def.members().stream().filter(m -> m.name().equals("values")).findFirst();
        if (values.isEmpty()) {
            return List.of();
        }
        long start = mapOffset + values.get().bitOffset() / 8L;
        // The values array is flexible: its initialised slots follow the struct, inside the symbol's size.
        long end = mapOffset + varSize;
        List<MapSpec.Slot> slots = new ArrayList<>();
        for (ElfRelocation r : relocs) {
            if (r.offset() >= start && r.offset() < end) {
                if ((r.offset() - start) % 8 != 0 || r.symbolIndex() >= symbols.size()) {
                    throw new SpecException(origin + ": map " + name + " has a malformed initial value at .maps+" + r.offset());
                }
                slots.add(new MapSpec.Slot((int) ((r.offset() - start) / 8), symbols.get(r.symbolIndex()).name()));
            }
        }
        return slots;
    }

    /** {@code __uint(name, N)} is a pointer to an array of N ints. */
    private int uintField(BtfType.Member m, String what, String origin) {
        if (btf.type(btf.resolve(m.type())) instanceof BtfType.Ptr p
                && btf.type(btf.resolve(p.type())) instanceof BtfType.Array a) {
            return a.elements();
        }
        throw new SpecException(origin + ": " + what + " must be declared with __uint(" + m.name() + ", N)");
    }

    /** {@code __type(name, T)} is a pointer to T. */
    private int pointee(BtfType.Member m, String what, String origin) {
        if (btf.type(btf.resolve(m.type())) instanceof BtfType.Ptr p) {
            return p.type();
        }
        throw new SpecException(origin + ": " + what + " must be declared with __type(" + m.name() + ", T)");
    }

    private int size(int typeId, String what, String origin) {
        long size = btf.sizeOf(typeId);
        if (size <= 0) {
            throw new SpecException(origin + ": " + what + " has a type without a size");
        }
        return (int) size;
    }
}

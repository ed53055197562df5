package io.bpf4j.spec;

import java.util.List;
import java.util.Optional;

/**
 * What a BPF object file is, independent of the running kernel: its programs (by section), the
 * functions they call, its maps (declared and global-data), its license and kernel version, and
 * its BTF. Built by {@link ObjectReader}; immutable.
 *
 * @param name          the object's name (file name without .bpf.o / .o), used to name data maps
 * @param programs      entry programs in file order
 * @param functions     every function of every executable section (programs and subprograms)
 * @param maps          maps in declaration order: .maps, legacy maps, then data sections
 * @param license       the "license" section's string ("" when missing)
 * @param kernelVersion the "version" section's value, 0 when missing
 * @param btf           the object's own BTF and BTF.ext, when it has a .BTF section
 * @param structOps     the struct_ops maps (also in {@code maps}, of type STRUCT_OPS): their members and programs
 */
public record ObjectSpec(String name, List<ProgramSpec> programs, List<FunctionSpec> functions, List<MapSpec> maps,
                         String license, int kernelVersion, Optional<ObjectBtf> btf,
                         List<StructOpsSpec> structOps) {
    public ObjectSpec {
        programs = List.copyOf(programs);
        functions = List.copyOf(functions);
        maps = List.copyOf(maps);
        structOps = List.copyOf(structOps);
    }

    /** The struct_ops map named so, if the object declares one. */
    public Optional<StructOpsSpec> structOps(String mapName) {
        return structOps.stream().filter(s -> s.mapName().equals(mapName)).findFirst();
    }

    public Optional<ProgramSpec> program(String name) {
        return programs.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public Optional<MapSpec> map(String name) {
        return maps.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** The function whose instructions include the byte offset of the section, if any. */
    public Optional<FunctionSpec> functionAt(int sectionIndex, long byteOffset) {
        return functions.stream().filter(f -> f.covers(sectionIndex, byteOffset)).findFirst();
    }
}

package io.bpf4j.load;

import io.bpf4j.reloc.LinkedProgram;
import io.bpf4j.spec.ObjectSpec;
import io.bpf4j.spec.ProgramSpec;

/** Applies the CO-RE relocations of a linked program against the running kernel's BTF. */
final class CoreStep {
    private CoreStep() {
    }

    static void apply(ObjectSpec spec, ProgramSpec program, LinkedProgram linked, byte[] insns) {
        boolean hasCore = spec.btf().flatMap(b -> b.ext()).map(ext -> linked.placements().stream()
                .anyMatch(p -> !ext.coreRelocations().getOrDefault(p.function().section(), java.util.List.of()).isEmpty()))
                .orElse(false);
        if (hasCore) {
            throw new LoadException("program " + program.name() + " uses CO-RE relocations, which this build of bpf4j does not apply yet");
        }
    }
}

package io.bpf4j.load;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfExt;
import io.bpf4j.btf.KernelBtf;
import io.bpf4j.reloc.CoreRelocationAtIndex;
import io.bpf4j.reloc.CoreRelocator;
import io.bpf4j.reloc.CoreResult;
import io.bpf4j.reloc.KernelTargets;
import io.bpf4j.reloc.LinkedProgram;
import io.bpf4j.spec.ObjectSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies the CO-RE relocations of a linked program against the running kernel's BTF (vmlinux, then
 * module BTF when a type is not in vmlinux). Relocations that cannot be resolved poison only their
 * instruction; the failures are kept so that a verifier rejection there can say which field was missing.
 */
final class CoreStep {
    private final ObjectSpec spec;
    private CoreRelocator relocator;

    CoreStep(ObjectSpec spec) {
        this.spec = spec;
    }

    /** Patches {@code insns} in place; returns the relocations that failed (empty when all resolved). */
    CoreResult apply(LinkedProgram linked, byte[] insns, String programName) {
        Optional<BtfExt> ext = spec.btf().flatMap(b -> b.ext());
        List<CoreRelocationAtIndex> all = new ArrayList<>();
        ext.ifPresent(e -> linked.placements().forEach(p -> all.addAll(CoreRelocator.forFunction(p.function(), e, p.start()))));
        if (all.isEmpty()) {
            return new CoreResult(insns, List.of());
        }
        if (relocator == null) {
            Btf vmlinux = KernelBtf.vmlinux();
            relocator = new CoreRelocator(spec.btf().get().btf(), vmlinux, () -> KernelTargets.modules(vmlinux));
        }
        CoreResult r = relocator.relocate(insns, all, programName);
        System.arraycopy(r.instructions(), 0, insns, 0, insns.length);
        return r;
    }
}

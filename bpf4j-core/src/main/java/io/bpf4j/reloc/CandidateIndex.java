package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The named types a target BTF defines itself (for split BTF: without its base), by essential name,
 * built once per target: CO-RE looks every relocation's root type up by name.
 */
final class CandidateIndex {
    private static final int[] NONE = new int[0];
    private final Map<String, int[]> byEssentialName = new HashMap<>();

    CandidateIndex(Btf btf) {
        int id = btf.firstId();
        for (BtfType t : btf.types()) {
            if (!t.name().isEmpty()) {
                byEssentialName.merge(TypeRelations.essentialName(t.name()), new int[] {id}, CandidateIndex::append);
            }
            id++;
        }
    }

    private static int[] append(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + 1);
        c[a.length] = b[0];
        return c;
    }

    /** Ids of the types whose essential name is {@code essentialName}, in id order. */
    int[] named(String essentialName) {
        return byEssentialName.getOrDefault(essentialName, NONE);
    }
}

package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Finds a target BTF's types by essential name (the name without a {@code ___flavor}). Plain names
 * are answered by the BTF's own name index; only the few target names that carry a flavor are
 * indexed here. Built once per target BTF and shared by every relocator in the process (vmlinux is
 * large: indexing it again for every object would cost more than relocating).
 */
final class CandidateIndex {
    private static final int[] NONE = new int[0];
    private static final Map<Btf, CandidateIndex> SHARED = new WeakHashMap<>();

    private final Btf btf;
    private final Map<String, int[]> flavoured = new HashMap<>();

    private CandidateIndex(Btf btf) {
        this.btf = btf;
        for (int id : btf.idsWhoseNameContains("___")) {
            String name = btf.type(id).name();
            String essential = TypeRelations.essentialName(name);
            if (!essential.equals(name)) {
                flavoured.merge(essential, new int[] {id}, CandidateIndex::append);
            }
        }
    }

    static CandidateIndex of(Btf btf) {
        synchronized (SHARED) {
            return SHARED.computeIfAbsent(btf, CandidateIndex::new);
        }
    }

    private static int[] append(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + 1);
        c[a.length] = b[0];
        return c;
    }

    /**
     * Ids of the types this BTF itself defines (not its base's) whose essential name is
     * {@code essentialName}: plain-named ones first, then flavoured ones, each in id order.
     */
    int[] named(String essentialName) {
        int[] plain = Arrays.stream(btf.idsNamed(essentialName)).filter(id -> id >= btf.firstId()).toArray();
        int[] extra = flavoured.getOrDefault(essentialName, NONE);
        if (extra.length == 0) {
            return plain;
        }
        int[] all = Arrays.copyOf(plain, plain.length + extra.length);
        System.arraycopy(extra, 0, all, plain.length, extra.length);
        return all;
    }
}

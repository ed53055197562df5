package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Member;

import java.util.ArrayList;
import java.util.List;

/**
 * What a CO-RE access string designates inside one BTF: the root type and the chain of named
 * members and array indices that lead to the accessed field (or the enumerator, or just the type),
 * with the bit offset from the start of the root object.
 *
 * <p>Anonymous struct/union members never appear as steps: they are transparent, so a field inside
 * one matches the same-named field wherever the kernel placed it (Documentation/bpf/llvm_reloc.rst,
 * "CO-RE Relocations"; btf.rst section 4.2).
 *
 * @param btf       the BTF the ids refer to
 * @param rootId    the relocation's type id as given (not resolved through typedefs)
 * @param steps     step 0 indexes the root as an array; then members (named) and array elements
 * @param bitOffset bit offset of the designated field from the start of the root object
 */
record AccessSpec(Btf btf, int rootId, List<Step> steps, long bitOffset) {
    /**
     * One step of an access.
     *
     * @param typeId for a member: the struct/union holding it; for an array element or the root: the
     *               element type (resolved); for an enumerator: the enum
     * @param index  member index in that struct/union, array index, or enumerator index
     * @param name   member or enumerator name; null for array steps
     * @param flexible for a member: it is an array of unknown size (0 elements, last member), so any index is fine
     */
    record Step(int typeId, int index, String name, boolean flexible) {
        boolean isMember() {
            return name != null;
        }
    }

    Step last() {
        return steps.getLast();
    }

    /** Parses "0:1:2" into non-negative indices. */
    static int[] parseIndices(String access) {
        if (access == null || access.isEmpty()) {
            throw new CoreRelocationException("empty CO-RE access string");
        }
        String[] parts = access.split(":", -1);
        if (parts.length > 64) {
            throw new CoreRelocationException("CO-RE access string '" + access + "' has more than 64 steps");
        }
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                out[i] = -1;
            }
            if (out[i] < 0) {
                throw new CoreRelocationException("CO-RE access string '" + access + "': '" + parts[i]
                        + "' is not a non-negative index");
            }
        }
        return out;
    }

    /** A field access in the object's own BTF: root array index, then member and array indices. */
    static AccessSpec ofField(Btf btf, int rootId, String access) {
        int[] idx = parseIndices(access);
        int root = btf.resolve(rootId);
        long rootSize = btf.sizeOf(root);
        if (rootSize < 0) {
            throw malformed(btf, rootId, access, "the root type has no size");
        }
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(root, idx[0], null, false));
        long bits = idx[0] * rootSize * 8;
        int cur = root;
        boolean flexible = false;
        for (int i = 1; i < idx.length; i++) {
            switch (btf.type(cur)) {
                case Composite c -> {
                    if (idx[i] >= c.members().size()) {
                        throw malformed(btf, rootId, access, "member index " + idx[i] + " is past the "
                                + c.members().size() + " members of " + describe(btf, cur));
                    }
                    Member m = c.members().get(idx[i]);
                    bits += Integer.toUnsignedLong(m.bitOffset());
                    int next = btf.resolve(m.type());
                    flexible = btf.type(next) instanceof BtfType.Array a && a.elements() == 0
                            && idx[i] == c.members().size() - 1;
                    if (!m.name().isEmpty()) {
                        steps.add(new Step(cur, idx[i], m.name(), flexible));
                    }
                    cur = next;
                }
                case BtfType.Array a -> {
                    if (!flexible && Integer.toUnsignedLong(idx[i]) >= Integer.toUnsignedLong(a.elements())) {
                        throw malformed(btf, rootId, access, "array index " + idx[i] + " is past the "
                                + Integer.toUnsignedLong(a.elements()) + " elements");
                    }
                    int elem = btf.resolve(a.elementType());
                    long size = btf.sizeOf(elem);
                    if (size < 0) {
                        throw malformed(btf, rootId, access, "an array element type has no size");
                    }
                    steps.add(new Step(elem, idx[i], null, false));
                    bits += idx[i] * size * 8;
                    cur = elem;
                    flexible = false;
                }
                default -> throw malformed(btf, rootId, access, "step " + i + " goes into "
                        + describe(btf, cur) + ", which has no members or elements");
            }
        }
        return new AccessSpec(btf, rootId, List.copyOf(steps), bits);
    }

    /** A type-based relocation: the access string is always "0". */
    static AccessSpec ofType(Btf btf, int rootId, String access) {
        int[] idx = parseIndices(access);
        if (idx.length != 1 || idx[0] != 0) {
            throw malformed(btf, rootId, access, "a type relocation's access string must be \"0\"");
        }
        return new AccessSpec(btf, rootId, List.of(new Step(btf.resolve(rootId), 0, null, false)), 0);
    }

    /** An enumerator relocation: the access string is the enumerator's index. */
    static AccessSpec ofEnumerator(Btf btf, int rootId, String access) {
        int[] idx = parseIndices(access);
        int e = btf.resolve(rootId);
        if (!(btf.type(e) instanceof BtfType.Enumeration en)) {
            throw malformed(btf, rootId, access, "an enum value relocation needs an enum, not " + describe(btf, e));
        }
        if (idx.length != 1 || idx[0] >= en.values().size()) {
            throw malformed(btf, rootId, access, "expected one enumerator index below " + en.values().size());
        }
        return new AccessSpec(btf, rootId, List.of(new Step(e, idx[0], en.values().get(idx[0]).name(), false)), 0);
    }

    private static CoreRelocationException malformed(Btf btf, int rootId, String access, String why) {
        return new CoreRelocationException("CO-RE access string '" + access + "' on " + describe(btf, rootId)
                + " (type id " + rootId + ") does not fit the object's BTF: " + why
                + "; the object's .BTF.ext is corrupt or was not written by clang");
    }

    /** "struct task_struct", "enum pid_type", "int", "typedef pid_t" for messages. */
    static String describe(Btf btf, int id) {
        BtfType t = btf.type(id);
        String name = t.name().isEmpty() ? "(anon)" : t.name();
        return switch (t) {
            case BtfType.Struct s -> "struct " + name;
            case BtfType.Union u -> "union " + name;
            case BtfType.Enumeration en -> "enum " + name;
            case BtfType.Fwd f -> (f.union() ? "union " : "struct ") + name;
            case BtfType.Typedef td -> "typedef " + name;
            case BtfType.Ptr p -> describe(btf, p.type()) + " *";
            case BtfType.Array a -> describe(btf, a.elementType()) + "[" + Integer.toUnsignedLong(a.elements()) + "]";
            case BtfType.Reference r -> describe(btf, r.type());
            case BtfType.Void v -> "void";
            default -> t.name().isEmpty() ? t.kind().toString().toLowerCase(java.util.Locale.ROOT) : t.name();
        };
    }

    /** The access as C would write it: "struct task_struct.real_parent", "struct foo[2].arr[3]", "enum pid_type::PIDTYPE_TGID". */
    String render() {
        StringBuilder sb = new StringBuilder(describe(btf, rootId));
        Step first = steps.getFirst();
        if (first.isMember()) {
            return sb.append("::").append(first.name()).toString();
        }
        if (first.index() != 0) {
            sb.append('[').append(first.index()).append(']');
        }
        for (int i = 1; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.isMember()) {
                sb.append('.').append(s.name());
            } else {
                sb.append('[').append(s.index()).append(']');
            }
        }
        return sb.toString();
    }
}

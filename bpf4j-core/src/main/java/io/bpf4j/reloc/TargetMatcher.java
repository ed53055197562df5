package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Member;
import io.bpf4j.reloc.AccessSpec.Step;

import java.util.ArrayList;
import java.util.List;

/**
 * Replays a local {@link AccessSpec} on one candidate kernel type: follows the same member names
 * (through anonymous structs and unions, wherever the kernel put them) and array indices, and
 * says why when it cannot.
 */
final class TargetMatcher {
    private TargetMatcher() {
    }

    /** The replay's outcome: the target spec, or why there is none. */
    sealed interface Outcome {
    }

    record Found(AccessSpec spec) implements Outcome {
    }

    record Missing(String reason) implements Outcome {
    }

    /** Field relocations: the named members and indices of {@code local} inside {@code target}'s type {@code candId}. */
    static Outcome field(AccessSpec local, Btf target, int candId) {
        Btf lb = local.btf();
        int root = target.resolve(candId);
        long rootSize = target.sizeOf(root);
        if (rootSize < 0) {
            return new Missing(AccessSpec.describe(target, candId) + " has no size in the kernel");
        }
        Step first = local.steps().getFirst();
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(root, first.index(), null, false));
        long bits = first.index() * rootSize * 8;
        int cur = root;
        boolean flexible = false;
        for (int i = 1; i < local.steps().size(); i++) {
            Step ls = local.steps().get(i);
            if (ls.isMember()) {
                if (!(target.type(cur) instanceof Composite tc)) {
                    return new Missing(AccessSpec.describe(target, cur) + " in the kernel has no members, so no '" + ls.name() + "'");
                }
                Member lm = ((Composite) lb.type(ls.typeId())).members().get(ls.index());
                MemberPath path = findMember(lb, lm, target, cur, tc, 0);
                if (path == null) {
                    return new Missing(AccessSpec.describe(target, cur) + " in the kernel has no field '" + lm.name() + "'");
                }
                if (!path.compatible) {
                    return new Missing("field '" + lm.name() + "' is " + AccessSpec.describe(lb, lm.type()) + " in the program but "
                            + AccessSpec.describe(target, path.member.type()) + " in the kernel");
                }
                Composite holder = (Composite) target.type(path.holderId);
                int next = target.resolve(path.member.type());
                flexible = target.type(next) instanceof BtfType.Array a && a.elements() == 0
                        && path.index == holder.members().size() - 1;
                steps.add(new Step(path.holderId, path.index, lm.name(), flexible));
                bits += path.bitOffset;
                cur = next;
            } else {
                if (!(target.type(cur) instanceof BtfType.Array ta)) {
                    return new Missing("the kernel's " + AccessSpec.describe(target, cur) + " is not an array");
                }
                if (!flexible && Integer.toUnsignedLong(ls.index()) >= Integer.toUnsignedLong(ta.elements())) {
                    return new Missing("index " + ls.index() + " is past the kernel's " + AccessSpec.describe(target, cur));
                }
                int elem = target.resolve(ta.elementType());
                long size = target.sizeOf(elem);
                if (size < 0) {
                    return new Missing("the kernel's " + AccessSpec.describe(target, cur) + " has elements without a size");
                }
                steps.add(new Step(elem, ls.index(), null, false));
                bits += ls.index() * size * 8;
                cur = elem;
                flexible = false;
            }
        }
        return new Found(new AccessSpec(target, candId, List.copyOf(steps), bits));
    }

    /** Where a member was found: the struct/union directly holding it, its index there, and its offset from {@code start}. */
    private record MemberPath(int holderId, int index, Member member, long bitOffset, boolean compatible) {
    }

    private static MemberPath findMember(Btf lb, Member lm, Btf target, int compositeId, Composite c, int depth) {
        if (depth > 32) {
            return null;
        }
        List<Member> members = c.members();
        for (int j = 0; j < members.size(); j++) {
            Member tm = members.get(j);
            long off = Integer.toUnsignedLong(tm.bitOffset());
            if (tm.name().isEmpty()) {
                int inner = target.resolve(tm.type());
                if (target.type(inner) instanceof Composite ic) {
                    MemberPath p = findMember(lb, lm, target, inner, ic, depth + 1);
                    if (p != null) {
                        return new MemberPath(p.holderId, p.index, p.member, off + p.bitOffset, p.compatible);
                    }
                }
            } else if (tm.name().equals(lm.name())) {
                return new MemberPath(compositeId, j, tm, off,
                        TypeRelations.fieldsCompatible(lb, lm.type(), target, tm.type()));
            }
        }
        return null;
    }

    /** TYPE_EXISTS, TYPE_SIZE, TYPE_ID_TARGET (compatible shape) and TYPE_MATCHES (stricter). */
    static Outcome type(AccessSpec local, Btf target, int candId, boolean strict) {
        boolean ok = strict ? TypeRelations.typesMatch(local.btf(), local.rootId(), target, candId)
                : TypeRelations.typesCompatible(local.btf(), local.rootId(), target, candId);
        if (!ok) {
            return new Missing("the kernel's " + AccessSpec.describe(target, candId) + " has a different shape"
                    + (strict ? " (TYPE_MATCHES compares members, int sizes and signedness)" : ""));
        }
        return new Found(new AccessSpec(target, candId, List.of(new Step(target.resolve(candId), 0, null, false)), 0));
    }

    /** ENUMVAL_EXISTS, ENUMVAL_VALUE: the enumerator of the same name. */
    static Outcome enumerator(AccessSpec local, Btf target, int candId) {
        int e = target.resolve(candId);
        String name = local.last().name();
        if (target.type(e) instanceof BtfType.Enumeration en) {
            for (int i = 0; i < en.values().size(); i++) {
                if (TypeRelations.namesMatch(name, en.values().get(i).name())) {
                    return new Found(new AccessSpec(target, candId, List.of(new Step(e, i, en.values().get(i).name(), false)), 0));
                }
            }
        }
        return new Missing("the kernel's " + AccessSpec.describe(target, candId) + " has no value " + name);
    }
}

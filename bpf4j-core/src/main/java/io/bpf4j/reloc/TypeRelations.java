package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.BtfType.Composite;

import java.util.List;

/**
 * The three ways CO-RE compares a type of the program with a type of the kernel, as documented for
 * libbpf's CO-RE (kernel commits "libbpf: implement type-based CO-RE relocations support" and
 * "bpf, libbpf: Add type match support"):
 * <ul>
 * <li>{@link #fieldsCompatible}: a field read stays meaningful (any two structs, any two ints,
 *     any two pointers, same-named enums, arrays of compatible elements);</li>
 * <li>{@link #typesCompatible}: the looser shape check of TYPE_EXISTS/TYPE_SIZE/TYPE_ID_TARGET;</li>
 * <li>{@link #typesMatch}: the stricter TYPE_MATCHES check (int sizes and signedness, members by name).</li>
 * </ul>
 * Root names are compared by the caller; here only what they contain.
 */
final class TypeRelations {
    /** Recursion bound: BTF may contain deep pointer chains, the C types CO-RE compares do not. */
    private static final int MAX_DEPTH = 32;

    private TypeRelations() {
    }

    /**
     * The name without its "flavor": {@code task_struct___old} is {@code task_struct}. The flavor
     * starts at the last "___" that has a non-underscore on both sides, so names with runs of
     * underscores of their own are left alone.
     */
    static String essentialName(String name) {
        for (int i = name.length() - 4; i >= 1; i--) {
            if (name.startsWith("___", i) && name.charAt(i - 1) != '_' && name.charAt(i + 3) != '_') {
                return name.substring(0, i);
            }
        }
        return name;
    }

    static boolean namesMatch(String local, String target) {
        return essentialName(local).equals(essentialName(target));
    }

    /** Same kind for candidate search, with ENUM and ENUM64 interchangeable (a kernel may widen an enum). */
    static boolean sameKind(BtfType a, BtfType b) {
        if (a instanceof BtfType.Enumeration && b instanceof BtfType.Enumeration) {
            return true;
        }
        return a.kind() == b.kind();
    }

    /** Can the program's field of type {@code localId} be read from the kernel's field of type {@code targetId}? */
    static boolean fieldsCompatible(Btf local, int localId, Btf target, int targetId) {
        return fieldsCompatible(local, localId, target, targetId, 0);
    }

    private static boolean fieldsCompatible(Btf local, int localId, Btf target, int targetId, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        BtfType l = local.type(local.resolve(localId));
        BtfType t = target.type(target.resolve(targetId));
        if (l instanceof Composite && t instanceof Composite) {
            // A struct may stand for a union of the same fields and vice versa; the names below decide.
            return true;
        }
        if (!sameKind(l, t)) {
            return false;
        }
        return switch (l) {
            case BtfType.Void v -> true;
            case BtfType.Ptr p -> true;
            case BtfType.Float f -> true;
            case BtfType.Fwd f -> anonymousOrSameName(f.name(), t.name());
            case BtfType.Enumeration e -> anonymousOrSameName(e.name(), t.name());
            // Ints of any size and signedness are compatible: the loader adjusts the load size.
            // Only the obsolete bitfield-style ints (with their own bit offset) are refused.
            case BtfType.Int i -> i.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0;
            case BtfType.Array a -> fieldsCompatible(local, a.elementType(), target, ((BtfType.Array) t).elementType(), depth + 1);
            default -> false;
        };
    }

    private static boolean anonymousOrSameName(String a, String b) {
        return a.isEmpty() || b.isEmpty() || namesMatch(a, b);
    }

    /**
     * The type-based relocations' check: same kinds all the way down, ignoring int sizes and
     * signedness, enum sizes, array lengths, modifiers and typedefs; pointers and arrays compare
     * what they point to, function prototypes their return and parameter types.
     */
    static boolean typesCompatible(Btf local, int localId, Btf target, int targetId) {
        return typesCompatible(local, localId, target, targetId, 0);
    }

    private static boolean typesCompatible(Btf local, int localId, Btf target, int targetId, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        BtfType l = local.type(local.resolve(localId));
        BtfType t = target.type(target.resolve(targetId));
        if (!sameKind(l, t)) {
            return false;
        }
        return switch (l) {
            case BtfType.Void v -> true;
            case Composite c -> true;
            case BtfType.Fwd f -> true;
            case BtfType.Enumeration e -> true;
            case BtfType.Float f -> true;
            case BtfType.Int i -> i.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0;
            case BtfType.Ptr p -> typesCompatible(local, p.type(), target, ((BtfType.Ptr) t).type(), depth + 1);
            case BtfType.Array a -> typesCompatible(local, a.elementType(), target, ((BtfType.Array) t).elementType(), depth + 1);
            case BtfType.FuncProto lp -> {
                BtfType.FuncProto tp = (BtfType.FuncProto) t;
                if (lp.params().size() != tp.params().size()
                        || !typesCompatible(local, lp.returnType(), target, tp.returnType(), depth + 1)) {
                    yield false;
                }
                for (int i = 0; i < lp.params().size(); i++) {
                    if (!typesCompatible(local, lp.params().get(i).type(), target, tp.params().get(i).type(), depth + 1)) {
                        yield false;
                    }
                }
                yield true;
            }
            default -> false;
        };
    }

    /**
     * TYPE_MATCHES: modifiers and typedefs are ignored; kinds must agree (enum/enum64 aside, and a
     * struct or union behind a pointer may meet a forward declaration); ints must agree in size and
     * signedness; enums in size, with every local enumerator present by name; structs and unions
     * need every local member present by name with a matching type, except behind a pointer where
     * names and kinds are enough; pointers, arrays and function prototypes match what they contain.
     */
    static boolean typesMatch(Btf local, int localId, Btf target, int targetId) {
        return typesMatch(local, localId, target, targetId, false, 0);
    }

    private static boolean typesMatch(Btf local, int localId, Btf target, int targetId, boolean behindPointer, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        BtfType l = local.type(local.resolve(localId));
        BtfType t = target.type(target.resolve(targetId));
        if (!l.name().isEmpty() && !t.name().isEmpty() && !(l instanceof BtfType.Int) && !(l instanceof BtfType.Float)
                && !namesMatch(l.name(), t.name())) {
            return false;
        }
        if (behindPointer && forwardPair(l, t)) {
            return true;
        }
        if (!sameKind(l, t)) {
            return false;
        }
        return switch (l) {
            case BtfType.Void v -> true;
            case BtfType.Fwd f -> f.union() == ((BtfType.Fwd) t).union();
            case BtfType.Int i -> {
                BtfType.Int ti = (BtfType.Int) t;
                yield i.size() == ti.size() && i.isSigned() == ti.isSigned();
            }
            case BtfType.Float f -> f.size() == ((BtfType.Float) t).size();
            case BtfType.Enumeration e -> {
                BtfType.Enumeration te = (BtfType.Enumeration) t;
                yield e.size() == te.size() && e.values().stream().allMatch(v -> te.values().stream()
                        .anyMatch(tv -> namesMatch(v.name(), tv.name())));
            }
            case Composite c -> behindPointer || membersMatch(local, c, target, (Composite) t, depth);
            case BtfType.Ptr p -> typesMatch(local, p.type(), target, ((BtfType.Ptr) t).type(), true, depth + 1);
            case BtfType.Array a -> typesMatch(local, a.elementType(), target, ((BtfType.Array) t).elementType(),
                    behindPointer, depth + 1);
            case BtfType.FuncProto lp -> {
                BtfType.FuncProto tp = (BtfType.FuncProto) t;
                if (lp.params().size() != tp.params().size()
                        || !typesMatch(local, lp.returnType(), target, tp.returnType(), behindPointer, depth + 1)) {
                    yield false;
                }
                for (int i = 0; i < lp.params().size(); i++) {
                    if (!typesMatch(local, lp.params().get(i).type(), target, tp.params().get(i).type(), behindPointer, depth + 1)) {
                        yield false;
                    }
                }
                yield true;
            }
            default -> false;
        };
    }

    private static boolean forwardPair(BtfType l, BtfType t) {
        boolean lUnion = l instanceof BtfType.Union || l instanceof BtfType.Fwd f && f.union();
        boolean tUnion = t instanceof BtfType.Union || t instanceof BtfType.Fwd f && f.union();
        boolean lAggregate = l instanceof Composite || l instanceof BtfType.Fwd;
        boolean tAggregate = t instanceof Composite || t instanceof BtfType.Fwd;
        return lAggregate && tAggregate && (l instanceof BtfType.Fwd || t instanceof BtfType.Fwd) && lUnion == tUnion;
    }

    private static boolean membersMatch(Btf local, Composite l, Btf target, Composite t, int depth) {
        List<BtfType.Member> targetMembers = t.members();
        for (BtfType.Member m : l.members()) {
            boolean found = false;
            for (BtfType.Member tm : targetMembers) {
                if (tm.name().equals(m.name()) && typesMatch(local, m.type(), target, tm.type(), false, depth + 1)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }
}

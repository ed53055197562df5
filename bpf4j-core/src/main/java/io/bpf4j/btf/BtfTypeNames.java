package io.bpf4j.btf;

/** Short C-like names of types for listings: "u32", "struct task_struct *", "char[16]", "enum state". */
public final class BtfTypeNames {
    private BtfTypeNames() {
    }

    public static String of(Btf btf, int id) {
        return of(btf, id, 0);
    }

    private static String of(Btf btf, int id, int depth) {
        if (depth > 32) {
            return "...";
        }
        BtfType t = btf.type(id);
        return switch (t) {
            case BtfType.Void v -> "void";
            case BtfType.Int i -> i.name();
            case BtfType.Float f -> f.name();
            case BtfType.Typedef td -> td.name();
            case BtfType.Struct s -> "struct " + nameOr(s.name());
            case BtfType.Union u -> "union " + nameOr(u.name());
            case BtfType.Enumeration e -> "enum " + nameOr(e.name());
            case BtfType.Fwd f -> (f.union() ? "union " : "struct ") + f.name();
            case BtfType.Ptr p -> of(btf, p.type(), depth + 1) + " *";
            case BtfType.Const c -> "const " + of(btf, c.type(), depth + 1);
            case BtfType.Volatile v -> "volatile " + of(btf, v.type(), depth + 1);
            case BtfType.Restrict r -> of(btf, r.type(), depth + 1) + " restrict";
            case BtfType.TypeTag tt -> of(btf, tt.type(), depth + 1);
            case BtfType.Array a -> of(btf, a.elementType(), depth + 1) + "[" + Integer.toUnsignedString(a.elements()) + "]";
            case BtfType.FuncProto fp -> of(btf, fp.returnType(), depth + 1) + " (*)(...)";
            case BtfType.Func f -> f.name();
            case BtfType.Var v -> of(btf, v.type(), depth + 1);
            case BtfType.Datasec d -> "section " + d.name();
            case BtfType.DeclTag d -> of(btf, d.type(), depth + 1);
        };
    }

    private static String nameOr(String name) {
        return name.isEmpty() ? "(anon)" : name;
    }
}

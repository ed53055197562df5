package io.bpf4j.btf;

import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Enumeration;

import java.io.IOException;

/**
 * Writes the plain-text listing of BTF types that {@code bpftool btf dump file F} prints: one line
 * per type ("[id] KIND 'name' attributes"), then one tab-indented line per member, enumerator,
 * parameter or section variable. For split BTF only the split's own types are listed.
 */
public final class RawDumpWriter {
    private RawDumpWriter() {
    }

    /** Appends the listing of every type {@code btf} defines to {@code out}. */
    public static void write(Btf btf, Appendable out) throws IOException {
        StringBuilder sb = new StringBuilder(256);
        for (int id = btf.firstId(); id < btf.typeCount(); id++) {
            sb.setLength(0);
            line(btf, id, btf.type(id), sb);
            out.append(sb);
        }
    }

    private static String name(String n) {
        return n.isEmpty() ? "(anon)" : n;
    }

    private static void line(Btf btf, int id, BtfType t, StringBuilder sb) {
        sb.append('[').append(id).append("] ").append(t.kind().name()).append(" '").append(name(t.name())).append('\'');
        switch (t) {
            case BtfType.Int i -> sb.append(" size=").append(Integer.toUnsignedLong(i.size()))
                    .append(" bits_offset=").append(i.bitOffset()).append(" nr_bits=").append(i.bits())
                    .append(" encoding=").append(switch (i.encoding()) {
                        case 0 -> "(none)";
                        case BtfType.Int.SIGNED -> "SIGNED";
                        case BtfType.Int.CHAR -> "CHAR";
                        case BtfType.Int.BOOL -> "BOOL";
                        default -> "UNKN";
                    });
            case BtfType.Ptr p -> sb.append(" type_id=").append(u(p.type()));
            case BtfType.Array a -> sb.append(" type_id=").append(u(a.elementType())).append(" index_type_id=")
                    .append(u(a.indexType())).append(" nr_elems=").append(u(a.elements()));
            case Composite c -> {
                sb.append(" size=").append(u(c.size())).append(" vlen=").append(c.members().size());
                for (BtfType.Member m : c.members()) {
                    sb.append("\n\t'").append(name(m.name())).append("' type_id=").append(u(m.type()))
                            .append(" bits_offset=").append(u(m.bitOffset()));
                    if (m.bitfieldSize() != 0) {
                        sb.append(" bitfield_size=").append(m.bitfieldSize());
                    }
                }
            }
            case Enumeration e -> {
                sb.append(" encoding=").append(e.signed() ? "SIGNED" : "UNSIGNED").append(" size=").append(u(e.size()))
                        .append(" vlen=").append(e.values().size());
                boolean wide = e instanceof BtfType.Enum64;
                for (BtfType.EnumValue v : e.values()) {
                    sb.append("\n\t'").append(name(v.name())).append("' val=");
                    if (wide) {
                        sb.append(e.signed() ? Long.toString(v.value()) + "LL" : Long.toUnsignedString(v.value()) + "ULL");
                    } else {
                        sb.append(e.signed() ? Integer.toString((int) v.value()) : Long.toString(v.value() & 0xffffffffL));
                    }
                }
            }
            case BtfType.Fwd f -> sb.append(" fwd_kind=").append(f.union() ? "union" : "struct");
            case BtfType.Reference r -> sb.append(" type_id=").append(u(r.type()));
            case BtfType.Func f -> sb.append(" type_id=").append(u(f.type())).append(" linkage=")
                    .append(f.linkage().name().toLowerCase(java.util.Locale.ROOT));
            case BtfType.FuncProto f -> {
                sb.append(" ret_type_id=").append(u(f.returnType())).append(" vlen=").append(f.params().size());
                for (BtfType.Param p : f.params()) {
                    sb.append("\n\t'").append(name(p.name())).append("' type_id=").append(u(p.type()));
                }
            }
            case BtfType.Var v -> sb.append(" type_id=").append(u(v.type())).append(", linkage=").append(switch (v.linkage()) {
                case STATIC -> "static";
                case GLOBAL -> "global";
                case EXTERN -> "extern";
            });
            case BtfType.Datasec d -> {
                sb.append(" size=").append(u(d.size())).append(" vlen=").append(d.vars().size());
                for (BtfType.VarSecinfo v : d.vars()) {
                    sb.append("\n\ttype_id=").append(u(v.type())).append(" offset=").append(u(v.offset()))
                            .append(" size=").append(u(v.size()));
                    // bpftool names the entry's kind and name: VARs, and the FUNCs of kfuncs in .ksyms.
                    switch (btf.type(v.type())) {
                        case BtfType.Var var -> sb.append(" (VAR '").append(name(var.name())).append("')");
                        case BtfType.Func fn -> sb.append(" (FUNC '").append(name(fn.name())).append("')");
                        default -> {
                        }
                    }
                }
            }
            case BtfType.Float f -> sb.append(" size=").append(u(f.size()));
            case BtfType.DeclTag d -> sb.append(" type_id=").append(u(d.type())).append(" component_idx=").append(d.componentIndex());
            case BtfType.Void v -> {
            }
        }
        sb.append('\n');
    }

    private static long u(int v) {
        return Integer.toUnsignedLong(v);
    }
}

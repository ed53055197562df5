package io.bpf4j.btf;

import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.btf.BtfType.Enumeration;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Writes BTF as a C header (vmlinux.h), in the same text {@code bpftool btf dump file F format c}
 * produces, so headers made with either tool are interchangeable.
 *
 * <p>Types are visited in id order. Before a type is written, everything it needs by value (its
 * "strong" dependencies: embedded structs, typedef targets, array elements) is written first,
 * while things it only points to get a forward declaration ({@code struct x;}) when not yet
 * defined. Anonymous structs, unions and enums are written inline where they are used. Names that
 * occur more than once in a namespace (struct/union/enum tags; typedefs and enumerators) get a
 * {@code ___N} suffix from their second use on, in the order they are first written. Struct
 * layout is reproduced exactly with explicit padding bitfields ({@code long: 64;}), zero-width
 * alignment markers ({@code int: 0;}) and {@code __attribute__((packed))} where the BTF offsets
 * show a packed struct.
 */
public final class CHeaderWriter {
    private static final String HEADER = """
            #ifndef __VMLINUX_H__
            #define __VMLINUX_H__

            #ifndef BPF_NO_PRESERVE_ACCESS_INDEX
            #pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
            #endif

            """;
    private static final String FOOTER = """
            #ifndef BPF_NO_PRESERVE_ACCESS_INDEX
            #pragma clang attribute pop
            #endif

            #endif /* __VMLINUX_H__ */
            """;
    private static final String TABS = "\t\t\t\t\t\t\t\t\t\t\t\t";
    private static final int FLUSH_AT = 1 << 16;

    // Ordering states: a type is being ordered (its strong dependencies are on the stack) or done.
    private static final byte ORDERING = 1;
    private static final byte ORDERED = 2;
    // Emission states: a type's dependencies are being written, or the type itself is written.
    private static final byte EMITTING = 1;
    private static final byte EMITTED = 2;

    private final Btf btf;
    private final Appendable sink;
    private final StringBuilder out = new StringBuilder(FLUSH_AT + 4096);
    private final byte[] orderState;
    private final byte[] emitState;
    private final boolean[] forwardWritten;
    private final boolean[] referenced;
    private final String[] resolvedNames;
    private final Map<String, Integer> tagNames;
    private final Map<String, Integer> identNames;
    private int[] queue = new int[64];
    private int queued;

    private CHeaderWriter(Btf btf, Appendable sink) {
        this.btf = btf;
        this.sink = sink;
        int n = btf.typeCount();
        this.orderState = new byte[n];
        this.emitState = new byte[n];
        this.forwardWritten = new boolean[n];
        this.referenced = new boolean[n];
        this.resolvedNames = new String[n];
        this.tagNames = new HashMap<>(n);
        this.identNames = new HashMap<>(n * 2);
        orderState[0] = ORDERED;
        emitState[0] = EMITTED;
        markReferenced();
    }

    /** Writes the whole header: every type of {@code btf}, and for split BTF of its base too (as bpftool does). */
    public static void write(Btf btf, Appendable out) throws IOException {
        CHeaderWriter w = new CHeaderWriter(btf, out);
        w.out.append(HEADER);
        for (int id = 1; id < btf.typeCount(); id++) {
            w.writeType(id);
            w.flushIfFull();
        }
        w.out.append(FOOTER);
        w.sink.append(w.out);
    }

    /** The header as one string. */
    public static String toString(Btf btf) {
        StringBuilder sb = new StringBuilder();
        try {
            write(btf, sb);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sb.toString();
    }

    private void flushIfFull() throws IOException {
        if (out.length() >= FLUSH_AT) {
            sink.append(out);
            out.setLength(0);
        }
    }

    /** Anonymous enums used by some other type are written inline there, not on their own. */
    private void markReferenced() {
        IntConsumer mark = ref -> referenced[ref] = true;
        for (int id = 1; id < btf.typeCount(); id++) {
            BtfType t = btf.type(id);
            if (t instanceof Enumeration || t instanceof BtfType.Int || t instanceof BtfType.Fwd || t instanceof BtfType.Float) {
                continue;
            }
            Btf.forEachReference(t, mark);
        }
    }

    private void writeType(int id) {
        queued = 0;
        order(id, false);
        for (int i = 0; i < queued; i++) {
            emit(queue[i], 0);
        }
    }

    private void enqueue(int id) {
        if (queued == queue.length) {
            queue = Arrays.copyOf(queue, queued * 2);
        }
        queue[queued++] = id;
    }

    // ---- ordering -------------------------------------------------------------------------

    /**
     * Queues, in dependency order, the named definitions {@code id} needs. Returns true when
     * {@code id} is a "strong" dependency (it has to be fully defined, not just declared, before a
     * typedef of it can be written through a pointer).
     */
    private boolean order(int id, boolean throughPointer) {
        if (orderState[id] == ORDERED) {
            return true;
        }
        BtfType t = btf.type(id);
        if (orderState[id] == ORDERING) {
            if (t instanceof Composite && throughPointer && !t.name().isEmpty()) {
                return false; // a loop through a pointer: a forward declaration breaks it
            }
            throw new BtfFormatException("type id " + id + " (" + t.kind() + " '" + t.name()
                    + "') contains itself by value: no C declaration order can define it");
        }
        switch (t) {
            case BtfType.Int i -> {
                orderState[id] = ORDERED;
                return false;
            }
            case BtfType.Float f -> {
                orderState[id] = ORDERED;
                return false;
            }
            case BtfType.Ptr p -> {
                boolean strong = order(p.type(), true);
                orderState[id] = ORDERED;
                return strong;
            }
            case BtfType.Array a -> {
                return order(a.elementType(), false);
            }
            case Composite c -> {
                // Named structs reached through a pointer only need a forward declaration.
                if (throughPointer && !c.name().isEmpty()) {
                    return false;
                }
                orderState[id] = ORDERING;
                List<BtfType.Member> members = c.members();
                for (int mIndex = 0; mIndex < members.size(); mIndex++) {
                    BtfType.Member m = members.get(mIndex);
                    order(m.type(), false);
                }
                if (!c.name().isEmpty()) {
                    enqueue(id);
                }
                orderState[id] = ORDERED;
                return true;
            }
            case Enumeration e -> {
                if (!e.name().isEmpty() || !referenced[id]) {
                    enqueue(id);
                }
                orderState[id] = ORDERED;
                return true;
            }
            case BtfType.Fwd f -> {
                if (!f.name().isEmpty() || !referenced[id]) {
                    enqueue(id);
                }
                orderState[id] = ORDERED;
                return true;
            }
            case BtfType.Typedef td -> {
                boolean strong = order(td.type(), throughPointer);
                if (throughPointer && !strong) {
                    return false;
                }
                enqueue(id);
                orderState[id] = ORDERED;
                return true;
            }
            case BtfType.Reference r -> {
                return order(r.type(), throughPointer);
            }
            case BtfType.FuncProto fp -> {
                boolean strong = order(fp.returnType(), throughPointer);
                List<BtfType.Param> params = fp.params();
                for (int pIndex = 0; pIndex < params.size(); pIndex++) {
                    BtfType.Param p = params.get(pIndex);
                    strong |= order(p.type(), throughPointer);
                }
                return strong;
            }
            default -> {
                orderState[id] = ORDERED;
                return false;
            }
        }
    }

    // ---- emission -------------------------------------------------------------------------

    /**
     * Writes what {@code id} needs before it can be used (forward declarations, definitions of
     * the types it embeds) and, at top level ({@code container == 0}), its own definition.
     * {@code container} is the named struct or typedef whose definition is in progress.
     */
    private void emit(int id, int container) {
        if (emitState[id] == EMITTED) {
            return;
        }
        BtfType t = btf.type(id);
        boolean topLevel = container == 0;
        if (emitState[id] == EMITTING) {
            if (forwardWritten[id]) {
                return;
            }
            switch (t) {
                case Composite c -> {
                    if (id == container || c.name().isEmpty()) {
                        return; // a struct refers to itself, or an anonymous loop (no name to declare)
                    }
                    writeStructForward(id, c);
                    out.append(";\n\n");
                    forwardWritten[id] = true;
                }
                case BtfType.Typedef td -> {
                    // The typedef is needed (through a pointer) while its target is being defined.
                    if (!isCompilerBuiltin(td)) {
                        writeTypedef(id, td, 0);
                        out.append(";\n\n");
                    }
                    forwardWritten[id] = true;
                }
                default -> {
                }
            }
            return;
        }
        switch (t) {
            case BtfType.Int i -> emitState[id] = EMITTED;
            case Enumeration e -> {
                if (topLevel) {
                    writeEnum(id, e, 0);
                    out.append(";\n\n");
                }
                emitState[id] = EMITTED;
            }
            case BtfType.Fwd f -> {
                writeFwd(id, f);
                out.append(";\n\n");
                emitState[id] = EMITTED;
            }
            case BtfType.Typedef td -> {
                emitState[id] = EMITTING;
                emit(td.type(), id);
                if (!forwardWritten[id] && !isCompilerBuiltin(td)) {
                    writeTypedef(id, td, 0);
                    out.append(";\n\n");
                }
                emitState[id] = EMITTED;
            }
            case BtfType.Reference r -> emit(r.type(), container);
            case BtfType.Array a -> emit(a.elementType(), container);
            case Composite c -> {
                emitState[id] = EMITTING;
                if (topLevel || c.name().isEmpty()) {
                    // Members are written in full: their types need definitions or declarations first.
                    int inner = c.name().isEmpty() ? container : id;
                    List<BtfType.Member> members = c.members();
                    for (int mIndex = 0; mIndex < members.size(); mIndex++) {
                        BtfType.Member m = members.get(mIndex);
                        emit(m.type(), inner);
                    }
                } else if (!forwardWritten[id] && id != container) {
                    writeStructForward(id, c);
                    out.append(";\n\n");
                    forwardWritten[id] = true;
                }
                if (topLevel) {
                    writeStruct(id, c, 0);
                    out.append(";\n\n");
                    emitState[id] = EMITTED;
                } else {
                    emitState[id] = 0;
                }
            }
            case BtfType.FuncProto fp -> {
                emit(fp.returnType(), container);
                List<BtfType.Param> params = fp.params();
                for (int pIndex = 0; pIndex < params.size(); pIndex++) {
                    BtfType.Param p = params.get(pIndex);
                    emit(p.type(), container);
                }
            }
            default -> {
            }
        }
    }

    /** __builtin_va_list is the compiler's own type; redefining it breaks compilation. */
    private static boolean isCompilerBuiltin(BtfType.Typedef td) {
        return td.name().equals("__builtin_va_list");
    }

    // ---- names ------------------------------------------------------------------------------

    private String tagName(int id) {
        return resolveName(id, tagNames);
    }

    private String identName(int id) {
        return resolveName(id, identNames);
    }

    /** The name a type is written with: its own, or with "___N" when the name was taken before. */
    private String resolveName(int id, Map<String, Integer> namespace) {
        String cached = resolvedNames[id];
        if (cached != null) {
            return cached;
        }
        BtfType t = btf.type(id);
        String name = t.name();
        if (name.isEmpty()) {
            return "";
        }
        // Forward declarations and enum forward declarations may repeat: they declare, not define.
        if (t instanceof BtfType.Fwd || (t instanceof BtfType.Enum e && e.values().isEmpty())) {
            resolvedNames[id] = name;
            return name;
        }
        int count = namespace.merge(name, 1, Integer::sum);
        String resolved = count > 1 ? name + "___" + count : name;
        resolvedNames[id] = resolved;
        return resolved;
    }

    // ---- definitions ------------------------------------------------------------------------

    private static String indent(int level) {
        return level >= TABS.length() ? TABS : TABS.substring(0, level);
    }

    private void writeStructForward(int id, Composite c) {
        out.append(c instanceof BtfType.Struct ? "struct" : "union");
        String name = tagName(id);
        if (!name.isEmpty()) {
            out.append(' ').append(name);
        }
    }

    private void writeFwd(int id, BtfType.Fwd f) {
        out.append(f.union() ? "union " : "struct ").append(tagName(id));
    }

    private void writeTypedef(int id, BtfType.Typedef td, int level) {
        String name = identName(id);
        // Old GCC emits __gnuc_va_list as a typedef of void; the compiler builtin is what it means.
        if (td.type() == 0 && name.equals("__gnuc_va_list")) {
            out.append("typedef __builtin_va_list __gnuc_va_list");
            return;
        }
        out.append("typedef ");
        writeDeclaration(td.type(), name, level);
    }

    private void writeEnum(int id, Enumeration e, int level) {
        out.append("enum");
        String name = tagName(id);
        if (!e.name().isEmpty()) {
            out.append(' ').append(name);
        }
        if (e.values().isEmpty()) {
            return;
        }
        out.append(" {");
        boolean wide = e instanceof BtfType.Enum64;
        String pad = indent(level + 1);
        List<BtfType.EnumValue> values = e.values();
        for (int vIndex = 0; vIndex < values.size(); vIndex++) {
            BtfType.EnumValue v = values.get(vIndex);
            int count = identNames.merge(v.name(), 1, Integer::sum);
            out.append('\n').append(pad).append(v.name());
            if (count > 1) {
                out.append("___").append(count);
            }
            out.append(" = ");
            if (wide) {
                out.append(e.signed() ? Long.toString(v.value()) + "LL" : Long.toUnsignedString(v.value()) + "ULL");
            } else {
                out.append(e.signed() ? (long) (int) v.value() : v.value() & 0xffffffffL);
            }
            out.append(',');
        }
        out.append('\n').append(indent(level)).append('}');
    }

    private void writeStruct(int id, Composite c, int level) {
        boolean isStruct = c instanceof BtfType.Struct;
        int align = btf.alignOf(id);
        boolean packed = isStruct && looksPacked(c);
        out.append(isStruct ? "struct" : "union");
        if (!c.name().isEmpty()) {
            out.append(' ').append(tagName(id));
        }
        out.append(" {");
        long offset = 0;
        boolean previousBitfield = false;
        String pad = indent(level + 1);
        List<BtfType.Member> members = c.members();
        for (int mIndex = 0; mIndex < members.size(); mIndex++) {
            BtfType.Member m = members.get(mIndex);
            long memberOffset = Integer.toUnsignedLong(m.bitOffset());
            int bits = m.bitfieldSize();
            int memberAlign = packed ? 1 : btf.alignOf(m.type());
            writePadding(offset, memberOffset, memberAlign, previousBitfield && bits != 0, level + 1);
            out.append('\n').append(pad);
            writeDeclaration(m.type(), m.name(), level + 1);
            if (bits != 0) {
                out.append(": ").append(bits);
                offset = memberOffset + bits;
                previousBitfield = true;
            } else {
                long size = Math.max(0, btf.sizeOf(m.type()));
                offset = memberOffset + size * 8;
                previousBitfield = false;
            }
            out.append(';');
        }
        if (isStruct) {
            writePadding(offset, Integer.toUnsignedLong(c.size()) * 8, align, false, level + 1);
        }
        if (!c.members().isEmpty() || c.size() != 0) {
            out.append('\n').append(indent(level)).append('}');
        } else {
            out.append('}');
        }
        if (packed) {
            out.append(" __attribute__((packed))");
        }
    }

    /** A struct was packed when a plain member sits off its natural alignment or the size is not a multiple of it. */
    private boolean looksPacked(Composite c) {
        int maxAlign = 1;
        List<BtfType.Member> members = c.members();
        for (int mIndex = 0; mIndex < members.size(); mIndex++) {
            BtfType.Member m = members.get(mIndex);
            int a = btf.alignOf(m.type());
            if (a != 0 && m.bitfieldSize() == 0 && Integer.toUnsignedLong(m.bitOffset()) % (8L * a) != 0) {
                return true;
            }
            maxAlign = Math.max(maxAlign, a);
        }
        return Integer.toUnsignedLong(c.size()) % maxAlign != 0;
    }

    private static final String[] PAD_TYPES = {"long", "int", "short", "char"};

    /**
     * Fills the bit gap [from, to) with anonymous bitfields so that a compiler lays the next member
     * out at {@code to}. The anchor type is the widest of long/int/short/char whose boundary after
     * {@code from} still lies within the gap. Inside a run of bitfields the gap is filled from
     * {@code from} with pieces of the anchor type. Otherwise natural alignment carries the layout
     * to the anchor boundary (a zero-width "type: 0;" forces it where it would not: the next
     * member is less aligned, or the rest would fit into the current unit), and what remains is
     * filled with the narrowest type that holds it, odd-sized piece first.
     */
    private void writePadding(long from, long to, int nextAlign, boolean inBitfield, int level) {
        if (from >= to) {
            return;
        }
        int longBits = btf.pointerSize() * 8;
        int[] widths = {longBits, 32, 16, 8};
        int anchor;
        long boundary = from;
        for (anchor = 0; anchor < widths.length; anchor++) {
            boundary = roundUp(from, widths[anchor]);
            if (boundary <= to) {
                break;
            }
        }
        anchor = Math.min(anchor, widths.length - 1);
        String pad = indent(level);
        if (inBitfield) {
            for (long at = from; at != to; ) {
                long bits = Math.min(to - at, widths[anchor]);
                out.append('\n').append(pad).append(PAD_TYPES[anchor]).append(": ").append(bits).append(';');
                at += bits;
            }
            return;
        }
        long at = from;
        if (boundary > from && boundary <= to) {
            if ((boundary == to && roundUp(from, Math.max(1, nextAlign) * 8L) != boundary)
                    || (boundary != to && to - boundary < widths[anchor])) {
                out.append('\n').append(pad).append(PAD_TYPES[anchor]).append(": 0;");
            }
            at = boundary;
        }
        while (at < to) {
            long gap = to - at;
            int kind = gap > 32 && longBits > 32 ? 0 : gap > 16 ? 1 : gap > 8 ? 2 : 3;
            int width = kind == 0 ? longBits : widths[kind];
            long bits = gap % width == 0 ? width : gap % width;
            out.append('\n').append(pad).append(PAD_TYPES[kind]).append(": ").append(bits).append(';');
            at += bits;
        }
    }

    private static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }

    // ---- declarations -----------------------------------------------------------------------

    /** A declarator chain: ids from the declared type (bottom) down to its base type (top). */
    private static final class Chain {
        int[] ids = new int[8];
        int size;

        void push(int id) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }

        int top() {
            return ids[size - 1];
        }
    }

    /** Writes "TYPE NAME" in C declarator syntax (pointers, arrays, function pointers, qualifiers). */
    private void writeDeclaration(int id, String name, int level) {
        Chain chain = depth < chains.length && chains[depth] != null ? chains[depth] : newChain();
        chain.size = 0;
        depth++;
        while (true) {
            chain.push(id);
            if (id == 0) {
                break;
            }
            BtfType t = btf.type(id);
            if (t instanceof BtfType.Reference r && !(t instanceof BtfType.Typedef)) {
                id = r.type();
            } else if (t instanceof BtfType.FuncProto fp) {
                id = fp.returnType();
            } else if (t instanceof BtfType.Array a) {
                id = a.elementType();
            } else {
                break;
            }
        }
        try {
            writeChain(chain, name, level);
        } finally {
            depth--;
        }
    }

    /** Declarations nest (function pointer parameters, inline structs): one reusable chain per depth. */
    private Chain[] chains = new Chain[8];
    private int depth;

    private Chain newChain() {
        if (depth >= chains.length) {
            chains = Arrays.copyOf(chains, depth * 2);
        }
        return chains[depth] = new Chain();
    }

    private void writeQualifiers(Chain chain) {
        while (chain.size > 0) {
            BtfType t = btf.type(chain.top());
            switch (t) {
                case BtfType.Volatile v -> out.append("volatile ");
                case BtfType.Const c -> out.append("const ");
                case BtfType.Restrict r -> out.append("restrict ");
                default -> {
                    return;
                }
            }
            chain.size--;
        }
    }

    /** Array and function types cannot carry qualifiers in C (GCC emits them anyway): drop them. */
    private void dropQualifiers(Chain chain) {
        while (chain.size > 0) {
            BtfType t = btf.type(chain.top());
            if (t instanceof BtfType.Volatile || t instanceof BtfType.Const || t instanceof BtfType.Restrict
                    || t instanceof BtfType.TypeTag) {
                chain.size--;
            } else {
                return;
            }
        }
    }

    private void writeName(String name, boolean afterPointer) {
        if (!name.isEmpty() && !afterPointer) {
            out.append(' ');
        }
        out.append(name);
    }

    private void writeChain(Chain chain, String name, int level) {
        // After a '*' the next token follows without a space ("int **p", "(*f)").
        boolean afterPointer = true;
        while (chain.size > 0) {
            int id = chain.ids[--chain.size];
            if (id == 0) {
                writeQualifiers(chain);
                out.append("void");
                afterPointer = false;
                continue;
            }
            BtfType t = btf.type(id);
            switch (t) {
                case BtfType.Int i -> {
                    writeQualifiers(chain);
                    out.append(i.name());
                }
                case BtfType.Float f -> {
                    writeQualifiers(chain);
                    out.append(f.name());
                }
                case Composite c -> {
                    writeQualifiers(chain);
                    if (c.name().isEmpty()) {
                        writeStruct(id, c, level);
                    } else {
                        writeStructForward(id, c);
                    }
                }
                case Enumeration e -> {
                    writeQualifiers(chain);
                    if (e.name().isEmpty()) {
                        writeEnum(id, e, level);
                    } else {
                        out.append("enum ").append(tagName(id));
                    }
                }
                case BtfType.Fwd f -> {
                    writeQualifiers(chain);
                    writeFwd(id, f);
                }
                case BtfType.Typedef td -> {
                    writeQualifiers(chain);
                    out.append(identName(id));
                }
                case BtfType.Ptr p -> out.append(afterPointer ? "*" : " *");
                case BtfType.Volatile v -> out.append(" volatile");
                case BtfType.Const c -> out.append(" const");
                case BtfType.Restrict r -> out.append(" restrict");
                case BtfType.TypeTag tag -> {
                    writeQualifiers(chain);
                    out.append(" __attribute__((btf_type_tag(\"").append(tag.name()).append("\")))");
                }
                case BtfType.Array a -> {
                    dropQualifiers(chain);
                    if (chain.size == 0) {
                        writeName(name, afterPointer);
                        out.append('[').append(Integer.toUnsignedLong(a.elements())).append(']');
                        return;
                    }
                    boolean multiDimensional = btf.type(chain.top()) instanceof BtfType.Array;
                    if (!name.isEmpty() && !afterPointer) {
                        out.append(' ');
                    }
                    if (!multiDimensional) {
                        out.append('(');
                    }
                    writeChain(chain, name, level);
                    if (!multiDimensional) {
                        out.append(')');
                    }
                    out.append('[').append(Integer.toUnsignedLong(a.elements())).append(']');
                    return;
                }
                case BtfType.FuncProto fp -> {
                    dropQualifiers(chain);
                    if (chain.size > 0) {
                        out.append(" (");
                        writeChain(chain, name, level);
                        out.append(')');
                    } else {
                        writeName(name, afterPointer);
                    }
                    out.append('(');
                    var params = fp.params();
                    // Clang writes "no parameters" as one void parameter: both become (void).
                    if (params.isEmpty() || (params.size() == 1 && params.get(0).type() == 0)) {
                        out.append("void)");
                        return;
                    }
                    for (int i = 0; i < params.size(); i++) {
                        if (i > 0) {
                            out.append(", ");
                        }
                        BtfType.Param p = params.get(i);
                        if (i == params.size() - 1 && p.type() == 0) {
                            out.append("...");
                            break;
                        }
                        writeDeclaration(p.type(), p.name(), level);
                    }
                    out.append(')');
                    return;
                }
                default -> {
                    return; // FUNC, VAR, DATASEC, DECL_TAG have no place in a declarator
                }
            }
            afterPointer = t instanceof BtfType.Ptr;
        }
        writeName(name, afterPointer);
    }
}

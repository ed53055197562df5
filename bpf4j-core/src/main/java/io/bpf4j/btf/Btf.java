package io.bpf4j.btf;

import io.bpf4j.btf.BtfType.Composite;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfSection;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntConsumer;

/**
 * A parsed BTF blob: the entry point of {@code io.bpf4j.btf}. Holds the types by id (id 0 is void),
 * and, for split BTF (a kernel module's BTF), the base it extends: ids and string offsets continue
 * from the base, and {@link #type(int)} answers for base ids too.
 *
 * <p>Parsing checks every bound, every referenced type id and string offset, and rejects loops
 * that no C declaration can express (a typedef or modifier chain that comes back to itself), so
 * every later walk over the types terminates. Bad input ends in {@link BtfFormatException}.
 *
 * <p>The running kernel's own BTF is the exception ({@link #parseKernel}): decoding all ~130,000
 * types of vmlinux costs a fresh JVM a quarter of a second when a CO-RE load needs a few dozen, so
 * its types are decoded when first asked for, each checked then (bounds, string offsets, and that
 * the ids it refers to exist). The loop check is skipped for it: the kernel checked the layout of
 * every type when it loaded this BTF, and pahole, which writes it, writes no such loops.
 */
public final class Btf {
    private final byte[] raw;
    private final ByteOrder order;
    private final Btf base;
    private final int firstId;
    private final BtfType[] types;
    private final int[] offsets;
    private final BtfStrings strings;
    private final int pointerSize;
    private final int[] alignCache;
    private final BtfParser parser;
    /** True when types are decoded on first use ({@link #parseKernel}). */
    private final boolean lazy;
    private volatile NameIndex names;

    private Btf(byte[] raw, Btf base, boolean trusted) {
        this.raw = raw;
        this.base = base;
        BtfParser p = new BtfParser(raw, base);
        this.order = p.order();
        this.firstId = base == null ? 1 : base.typeCount();
        this.strings = p.strings;
        if (trusted) {
            this.offsets = p.scan();
            this.types = new BtfType[offsets.length];
        } else {
            this.types = p.parseTypes().toArray(new BtfType[0]);
            this.offsets = p.offsets;
            strings.freeze();
        }
        this.parser = p;
        this.lazy = trusted;
        this.alignCache = new int[types.length];
        if (!trusted) {
            validateReferences();
            validateNoLoops();
        }
        this.pointerSize = base != null ? base.pointerSize : guessPointerSize();
    }

    private Btf(byte[] raw, Btf base) {
        this(raw, base, false);
    }

    /**
     * BTF that the running kernel publishes (/sys/kernel/btf/vmlinux, or a module's split BTF on
     * top of it): only its headers are walked now, and each type is decoded and checked when first
     * asked for (see the class comment). Split BTF on a base that was not itself parsed this way is
     * parsed and checked in full, as {@link #parse(byte[], Btf)} does.
     */
    public static Btf parseKernel(byte[] raw, Btf base) {
        return new Btf(raw, base, base == null || base.lazy);
    }

    /** Parses a raw BTF blob (as /sys/kernel/btf/vmlinux). The array is not copied: do not change it. */
    public static Btf parse(byte[] raw) {
        return new Btf(raw, null);
    }

    /** Parses split BTF (e.g. /sys/kernel/btf/MODULE, or a module's .BTF) on top of {@code base}. */
    public static Btf parse(byte[] raw, Btf base) {
        return new Btf(raw, base);
    }

    /** Reads a raw BTF file or, when the file starts with the ELF magic, the .BTF section of an ELF object. */
    public static Btf read(Path file) throws IOException {
        return read(file, null);
    }

    /** As {@link #read(Path)}, as split BTF on top of {@code base} (null for none). */
    public static Btf read(Path file, Btf base) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return fromFileBytes(bytes, base);
        } catch (BtfFormatException e) {
            throw new BtfFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The contents of a BTF file held in memory: raw BTF, or an ELF object whose .BTF section is
     * taken (a malformed ELF file also ends in {@link BtfFormatException}).
     */
    public static Btf fromFileBytes(byte[] bytes, Btf base) {
        if (!ElfFile.looksLikeElf(bytes)) {
            return new Btf(bytes, base);
        }
        ElfFile elf;
        try {
            elf = ElfFile.parse(bytes);
        } catch (io.bpf4j.elf.ElfFormatException e) {
            throw new BtfFormatException(e.getMessage(), e);
        }
        return fromElf(elf, base);
    }

    /** The .BTF section of an ELF object (a BPF object, a kernel module, a vmlinux). */
    public static Btf fromElf(ElfFile elf, Btf base) {
        ElfSection s = elf.section(".BTF").orElseThrow(() -> new BtfFormatException(
                "the ELF file has no .BTF section; compile BPF programs with clang -g, or use a kernel built with CONFIG_DEBUG_INFO_BTF=y"));
        return new Btf(elf.contents(s), base);
    }

    /** The base this split BTF extends, if any. */
    public Optional<Btf> base() {
        return Optional.ofNullable(base);
    }

    /** The first id this blob defines: 1, or the base's {@link #typeCount()} for split BTF. */
    public int firstId() {
        return firstId;
    }

    /** One past the highest valid type id (counting void and the base's types). */
    public int typeCount() {
        return firstId + types.length;
    }

    /** The types this blob defines (without void or the base's types), in id order from {@link #firstId()}. */
    public List<BtfType> types() {
        if (lazy) {
            for (int i = 0; i < types.length; i++) {
                if (types[i] == null) {
                    decode(i);
                }
            }
        }
        return Collections.unmodifiableList(Arrays.asList(types));
    }

    /** The type with this id; 0 is void; base ids are answered by the base. */
    public BtfType type(int id) {
        if (id >= firstId && id < firstId + types.length) {
            BtfType t = types[id - firstId];
            return t != null ? t : decode(id - firstId);
        }
        if (id == 0) {
            return BtfType.Void.INSTANCE;
        }
        if (base != null && id > 0 && id < firstId) {
            return base.type(id);
        }
        throw new BtfFormatException("type id " + Integer.toUnsignedLong(id) + " is out of range (0.." + (typeCount() - 1) + ")");
    }

    /** Byte order of the blob (BTF is written in the producer's order; the magic tells which). */
    public ByteOrder byteOrder() {
        return order;
    }

    /** Size of a pointer in bytes: 8 unless the BTF's "long" says otherwise. */
    public int pointerSize() {
        return pointerSize;
    }

    /** The bytes this BTF was parsed from (a copy): what BPF_BTF_LOAD takes when no rewrite is needed. */
    public byte[] rawBytes() {
        return raw.clone();
    }

    /** A raw BTF blob rebuilt from the model, with a fresh deduplicated string section. */
    public byte[] encode() {
        return BtfEncoder.encode(this);
    }

    /**
     * BTF made of {@code types} (ids from 1, or for split BTF from {@code base}'s type count), in
     * little-endian order: how a loader builds sanitised or fixed-up BTF before BPF_BTF_LOAD.
     * The result is checked as any parsed BTF is.
     */
    public static Btf of(List<BtfType> types, Btf base) {
        return new Btf(BtfEncoder.encode(types, ByteOrder.LITTLE_ENDIAN, base), base);
    }

    /** A copy with the type {@code id} (one this blob defines) replaced, e.g. a DATASEC with real offsets. */
    public Btf withType(int id, BtfType replacement) {
        if (id < firstId || id >= typeCount()) {
            throw new IllegalArgumentException("type id " + id + " is not defined by this BTF (" + firstId + ".." + (typeCount() - 1) + ")");
        }
        BtfType[] copy = types().toArray(new BtfType[0]);
        copy[id - firstId] = replacement;
        return new Btf(BtfEncoder.encode(Arrays.asList(copy), order, base), base);
    }

    BtfStrings strings() {
        return strings;
    }

    // The types are immutable records (their lists final-field frozen), so a reader that sees an
    // entry another thread decoded sees it whole; the lock only keeps the parser's string cache single-threaded.
    private synchronized BtfType decode(int index) {
        BtfType t = types[index];
        if (t == null) {
            t = parser.decode(offsets[index], firstId + index);
            checkReferences(index, t);
            types[index] = t;
        }
        return t;
    }

    /** The first id with this name (base first), of any kind. */
    public OptionalInt findId(String name) {
        int[] ids = idsNamed(name);
        return ids.length == 0 ? OptionalInt.empty() : OptionalInt.of(ids[0]);
    }

    /** The first id with this name and kind (e.g. "task_struct", STRUCT). */
    public OptionalInt findId(String name, BtfKind kind) {
        for (int id : idsNamed(name)) {
            if (type(id).kind() == kind) {
                return OptionalInt.of(id);
            }
        }
        return OptionalInt.empty();
    }

    /** Every id with this name, in id order (base ids first). */
    public int[] idsNamed(String name) {
        int[] own = names().find(name);
        for (int i = 0; i < own.length; i++) {
            own[i] += firstId;
        }
        if (base == null) {
            return own;
        }
        int[] inBase = base.idsNamed(name);
        if (inBase.length == 0) {
            return own;
        }
        int[] all = Arrays.copyOf(inBase, inBase.length + own.length);
        System.arraycopy(own, 0, all, inBase.length, own.length);
        return all;
    }

    /**
     * The ids of the types this blob defines (not its base's) whose name contains {@code fragment},
     * in id order: found in the name bytes, without decoding the other types.
     */
    public int[] idsWhoseNameContains(String fragment) {
        if (fragment.isEmpty() || fragment.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a name fragment must be non-empty and without NUL: '" + fragment + "'");
        }
        int[] ids = names().containing(fragment);
        for (int i = 0; i < ids.length; i++) {
            ids[i] += firstId;
        }
        return ids;
    }

    private NameIndex names() {
        NameIndex n = names;
        if (n == null) {
            int[] nameOffsets = new int[offsets.length];
            for (int i = 0; i < offsets.length; i++) {
                nameOffsets[i] = parser.nameOffset(offsets[i]);
            }
            n = new NameIndex(nameOffsets, strings);
            names = n;
        }
        return n;
    }

    /** Follows typedefs, const/volatile/restrict and type tags to the type they stand for. */
    public int resolve(int id) {
        for (int hops = 0; ; hops++) {
            if (hops > typeCount()) {
                throw new BtfFormatException("type id " + id + ": typedef/modifier chain does not end");
            }
            BtfType t = type(id);
            if (t instanceof BtfType.Reference r && !(t instanceof BtfType.Ptr)) {
                id = r.type();
            } else {
                return id;
            }
        }
    }

    /** Follows const/volatile/restrict and type tags only (typedefs are kept). */
    public int skipModifiers(int id) {
        for (int hops = 0; ; hops++) {
            if (hops > typeCount()) {
                throw new BtfFormatException("type id " + id + ": modifier chain does not end");
            }
            BtfType t = type(id);
            if (t instanceof BtfType.Const || t instanceof BtfType.Volatile || t instanceof BtfType.Restrict
                    || t instanceof BtfType.TypeTag) {
                id = ((BtfType.Reference) t).type();
            } else {
                return id;
            }
        }
    }

    /**
     * The size in bytes of a value of this type, or -1 for types that have none (void, a forward
     * declaration, a function).
     */
    public long sizeOf(int id) {
        long mult = 1;
        for (int hops = 0; ; hops++) {
            if (hops > typeCount()) {
                throw new BtfFormatException("type id " + id + ": reference chain does not end");
            }
            BtfType t = type(id);
            long size;
            switch (t) {
                case BtfType.Int i -> size = Integer.toUnsignedLong(i.size());
                case BtfType.Float f -> size = Integer.toUnsignedLong(f.size());
                case Composite c -> size = Integer.toUnsignedLong(c.size());
                case BtfType.Enumeration e -> size = Integer.toUnsignedLong(e.size());
                case BtfType.Datasec d -> size = Integer.toUnsignedLong(d.size());
                case BtfType.Ptr p -> size = pointerSize;
                case BtfType.Reference r -> {
                    id = r.type();
                    continue;
                }
                case BtfType.Var v -> {
                    id = v.type();
                    continue;
                }
                case BtfType.Array a -> {
                    mult = Math.multiplyExact(mult, Integer.toUnsignedLong(a.elements()));
                    if (mult > 0xffffffffL) {
                        throw new BtfFormatException("type id " + id + ": array size overflows 32 bits");
                    }
                    id = a.elementType();
                    continue;
                }
                default -> {
                    return -1;
                }
            }
            long total = mult * size;
            if (total > 0xffffffffL || total < 0) {
                throw new BtfFormatException("type id " + id + ": array size overflows 32 bits");
            }
            return total;
        }
    }

    /**
     * The alignment in bytes a C compiler gives this type (a struct is 1 when its layout shows it
     * was packed), or 0 for types that have none (void, a forward declaration, a function).
     */
    public int alignOf(int id) {
        return alignOf(id, 0);
    }

    private int alignOf(int id, int depth) {
        if (depth > 512) {
            throw new BtfFormatException("type id " + id + ": types nest more than 512 levels deep (a struct that contains itself?)");
        }
        if (base != null && id < firstId) {
            return base.alignOf(id);
        }
        int cached = id > 0 ? alignCache[id - firstId] : 0;
        if (cached != 0) {
            return cached - 1;
        }
        BtfType t = type(id);
        int a = switch (t) {
            case BtfType.Int i -> Math.min(pointerSize, i.size());
            case BtfType.Float f -> Math.min(pointerSize, f.size());
            case BtfType.Enumeration e -> Math.min(pointerSize, e.size());
            case BtfType.Ptr p -> pointerSize;
            case BtfType.Reference r -> alignOf(r.type(), depth + 1);
            case BtfType.Array arr -> alignOf(arr.elementType(), depth + 1);
            case Composite c -> compositeAlign(c, depth);
            default -> 0;
        };
        if (id > 0) {
            alignCache[id - firstId] = a + 1;
        }
        return a;
    }

    private int compositeAlign(Composite c, int depth) {
        int max = 1;
        for (BtfType.Member m : c.members()) {
            int a = alignOf(m.type(), depth + 1);
            if (a <= 0) {
                return 0;
            }
            max = Math.max(max, a);
            // A member off its natural alignment can only come from a packed struct.
            if (m.bitfieldSize() == 0 && Integer.toUnsignedLong(m.bitOffset()) % (8L * a) != 0) {
                return 1;
            }
        }
        if (Integer.toUnsignedLong(c.size()) % max != 0) {
            return 1;
        }
        return max;
    }

    /** One variable of a DATASEC with where it lives. */
    public record SectionVariable(int varId, BtfType.Var var, int offset, int size) {
    }

    /** The variables of a DATASEC (id {@code datasecId}) with their offsets and sizes. */
    public List<SectionVariable> sectionVariables(int datasecId) {
        if (!(type(datasecId) instanceof BtfType.Datasec d)) {
            throw new BtfFormatException("type id " + datasecId + " is " + type(datasecId).kind() + ", not a DATASEC");
        }
        List<SectionVariable> out = new ArrayList<>(d.vars().size());
        for (BtfType.VarSecinfo v : d.vars()) {
            if (type(v.type()) instanceof BtfType.Var var) {
                out.add(new SectionVariable(v.type(), var, v.offset(), v.size()));
            }
        }
        return List.copyOf(out);
    }

    /** The byte offset in the blob where a type this blob defines starts (for messages). */
    public int offsetOf(int id) {
        return id >= firstId && id < typeCount() ? offsets[id - firstId] : -1;
    }

    /** Calls {@code sink} with every type id that {@code t} refers to. */
    static void forEachReference(BtfType t, IntConsumer sink) {
        switch (t) {
            case BtfType.Reference r -> sink.accept(r.type());
            case BtfType.Array a -> {
                sink.accept(a.elementType());
                sink.accept(a.indexType());
            }
            case Composite c -> {
                List<BtfType.Member> members = c.members();
                for (int i = 0; i < members.size(); i++) {
                    sink.accept(members.get(i).type());
                }
            }
            case BtfType.FuncProto f -> {
                sink.accept(f.returnType());
                List<BtfType.Param> params = f.params();
                for (int i = 0; i < params.size(); i++) {
                    sink.accept(params.get(i).type());
                }
            }
            case BtfType.Func f -> sink.accept(f.type());
            case BtfType.Var v -> sink.accept(v.type());
            case BtfType.Datasec d -> {
                List<BtfType.VarSecinfo> vars = d.vars();
                for (int i = 0; i < vars.size(); i++) {
                    sink.accept(vars.get(i).type());
                }
            }
            case BtfType.DeclTag d -> sink.accept(d.type());
            default -> {
            }
        }
    }

    private void validateReferences() {
        for (int i = 0; i < types.length; i++) {
            checkReferences(i, types[i]);
        }
    }

    /** Every type id that {@code t} (this blob's type at {@code index}) refers to must exist. */
    private void checkReferences(int index, BtfType t) {
        int limit = typeCount();
        forEachReference(t, ref -> {
            if (ref < 0 || ref >= limit) {
                throw BtfFormatException.at(offsets[index], "type id " + (firstId + index) + " refers to type id "
                        + Integer.toUnsignedLong(ref) + ", expected one below the type count " + limit);
            }
        });
    }

    /**
     * Rejects cycles that do not pass through a struct, union, enum or forward declaration: C can
     * only close a loop through a tagged type, so any other cycle is corrupt BTF and would make
     * size, alignment and declaration walks run forever.
     */
    private void validateNoLoops() {
        byte[] state = new byte[types.length]; // 0 unvisited, 1 on the current path, 2 finished
        int[] path = new int[64];
        int[][] kids = new int[64][];
        int[] cursor = new int[64];
        for (int start = 0; start < types.length; start++) {
            if (state[start] != 0) {
                continue;
            }
            int sp = 0;
            path[0] = start;
            kids[0] = chainTargets(types[start]);
            cursor[0] = 0;
            state[start] = 1;
            sp = 1;
            while (sp > 0) {
                int top = sp - 1;
                if (cursor[top] == kids[top].length) {
                    state[path[top]] = 2;
                    sp--;
                    continue;
                }
                int kid = kids[top][cursor[top]++] - firstId;
                if (kid < 0) {
                    continue; // void or a base type: the base was checked when it was parsed
                }
                if (state[kid] == 1) {
                    throw BtfFormatException.at(offsets[kid], "type id " + (kid + firstId)
                            + " refers back to itself through typedefs, modifiers, pointers, arrays or function prototypes only");
                }
                if (state[kid] == 0) {
                    if (sp == path.length) {
                        path = Arrays.copyOf(path, sp * 2);
                        kids = Arrays.copyOf(kids, sp * 2);
                        cursor = Arrays.copyOf(cursor, sp * 2);
                    }
                    path[sp] = kid;
                    kids[sp] = chainTargets(types[kid]);
                    cursor[sp] = 0;
                    state[kid] = 1;
                    sp++;
                }
            }
        }
    }

    private static final int[] NONE = new int[0];

    private static int[] chainTargets(BtfType t) {
        return switch (t) {
            case BtfType.Reference r -> new int[] {r.type()};
            case BtfType.Array a -> new int[] {a.elementType()};
            case BtfType.FuncProto f -> {
                int[] out = new int[f.params().size() + 1];
                out[0] = f.returnType();
                for (int i = 0; i < f.params().size(); i++) {
                    out[i + 1] = f.params().get(i).type();
                }
                yield out;
            }
            case BtfType.Func f -> new int[] {f.type()};
            case BtfType.Var v -> new int[] {v.type()};
            case BtfType.DeclTag d -> new int[] {d.type()};
            default -> NONE;
        };
    }

    private int guessPointerSize() {
        if (lazy) {
            for (String name : new String[] {"long int", "long unsigned int"}) {
                for (int id : idsNamed(name)) {
                    if (type(id) instanceof BtfType.Int i) {
                        return i.size() == 4 ? 4 : 8;
                    }
                }
            }
            return 8;
        }
        for (BtfType t : types) {
            if (t instanceof BtfType.Int i && (i.name().equals("long int") || i.name().equals("long unsigned int"))) {
                return i.size() == 4 ? 4 : 8;
            }
        }
        return 8;
    }
}

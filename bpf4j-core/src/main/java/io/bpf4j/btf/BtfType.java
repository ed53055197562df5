package io.bpf4j.btf;

import java.util.List;

/**
 * One BTF type, as an immutable value. References to other types are type ids, resolved through
 * the {@link Btf} that holds this type; id 0 is {@link Void}. Anonymous types have the name "".
 * Layout facts come from the kernel's Documentation/bpf/btf.rst and linux/btf.h.
 */
public sealed interface BtfType {
    BtfKind kind();

    /** The type's name, or "" when it is anonymous (or has no name, as pointers). */
    String name();

    /** Types that refer to exactly one other type: pointers, modifiers, typedefs and type tags. */
    sealed interface Reference extends BtfType {
        /** The id of the type referred to (0 for void). */
        int type();
    }

    /** STRUCT and UNION: a size and members at bit offsets. */
    sealed interface Composite extends BtfType {
        int size();

        List<Member> members();

        /** The kind_flag: members' offsets carry bitfield sizes in their top 8 bits. */
        boolean bitfieldEncoded();
    }

    /** ENUM and ENUM64. */
    sealed interface Enumeration extends BtfType {
        int size();

        /** kind_flag of an enum: its values are signed. */
        boolean signed();

        List<EnumValue> values();
    }

    /** The type id 0: void, which has no entry in the type section. */
    record Void() implements BtfType {
        public static final Void INSTANCE = new Void();

        @Override
        public BtfKind kind() {
            return BtfKind.UNKNOWN;
        }

        @Override
        public String name() {
            return "void";
        }
    }

    /** BTF_INT_SIGNED, BTF_INT_CHAR, BTF_INT_BOOL are bits of {@code encoding}. */
    record Int(String name, int size, int encoding, int bitOffset, int bits) implements BtfType {
        public static final int SIGNED = 1;
        public static final int CHAR = 2;
        public static final int BOOL = 4;

        @Override
        public BtfKind kind() {
            return BtfKind.INT;
        }

        public boolean isSigned() {
            return (encoding & SIGNED) != 0;
        }
    }

    record Ptr(int type) implements Reference {
        @Override
        public BtfKind kind() {
            return BtfKind.PTR;
        }

        @Override
        public String name() {
            return "";
        }
    }

    record Array(int elementType, int indexType, int elements) implements BtfType {
        @Override
        public BtfKind kind() {
            return BtfKind.ARRAY;
        }

        @Override
        public String name() {
            return "";
        }
    }

    /**
     * A member of a struct or union.
     *
     * @param bitOffset    offset from the start of the struct, in bits
     * @param bitfieldSize size in bits of a bitfield member, 0 for a plain member
     */
    record Member(String name, int type, int bitOffset, int bitfieldSize) {
    }

    record Struct(String name, int size, List<Member> members, boolean bitfieldEncoded) implements Composite {
        public Struct {
            members = FrozenList.of(members);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.STRUCT;
        }
    }

    record Union(String name, int size, List<Member> members, boolean bitfieldEncoded) implements Composite {
        public Union {
            members = FrozenList.of(members);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.UNION;
        }
    }

    /** An enumerator; for a 32-bit ENUM the value is sign- or zero-extended per the enum's signedness. */
    record EnumValue(String name, long value) {
    }

    record Enum(String name, int size, boolean signed, List<EnumValue> values) implements Enumeration {
        public Enum {
            values = FrozenList.of(values);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.ENUM;
        }
    }

    record Enum64(String name, int size, boolean signed, List<EnumValue> values) implements Enumeration {
        public Enum64 {
            values = FrozenList.of(values);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.ENUM64;
        }
    }

    /** A forward declaration: {@code struct name;} or, with {@code union}, {@code union name;}. */
    record Fwd(String name, boolean union) implements BtfType {
        @Override
        public BtfKind kind() {
            return BtfKind.FWD;
        }
    }

    record Typedef(String name, int type) implements Reference {
        @Override
        public BtfKind kind() {
            return BtfKind.TYPEDEF;
        }
    }

    record Volatile(int type) implements Reference {
        @Override
        public BtfKind kind() {
            return BtfKind.VOLATILE;
        }

        @Override
        public String name() {
            return "";
        }
    }

    record Const(int type) implements Reference {
        @Override
        public BtfKind kind() {
            return BtfKind.CONST;
        }

        @Override
        public String name() {
            return "";
        }
    }

    record Restrict(int type) implements Reference {
        @Override
        public BtfKind kind() {
            return BtfKind.RESTRICT;
        }

        @Override
        public String name() {
            return "";
        }
    }

    /** A type tag ({@code __attribute__((btf_type_tag("name")))}) on the referred type. */
    record TypeTag(String name, int type) implements Reference {
        @Override
        public BtfKind kind() {
            return BtfKind.TYPE_TAG;
        }
    }

    /** Linkage of functions (btf_func_linkage) and variables (btf_var linkage). */
    enum Linkage {
        STATIC, GLOBAL, EXTERN;

        static Linkage ofCode(int code) {
            return code >= 0 && code < values().length ? values()[code] : null;
        }
    }

    /** A function; {@code type} is its FUNC_PROTO. */
    record Func(String name, int type, Linkage linkage) implements BtfType {
        @Override
        public BtfKind kind() {
            return BtfKind.FUNC;
        }
    }

    /** A parameter; an unnamed last parameter of type 0 means "..." (varargs). */
    record Param(String name, int type) {
    }

    record FuncProto(int returnType, List<Param> params) implements BtfType {
        public FuncProto {
            params = FrozenList.of(params);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.FUNC_PROTO;
        }

        @Override
        public String name() {
            return "";
        }
    }

    record Var(String name, int type, Linkage linkage) implements BtfType {
        @Override
        public BtfKind kind() {
            return BtfKind.VAR;
        }
    }

    /** Where one variable sits in its data section. */
    record VarSecinfo(int type, int offset, int size) {
    }

    /** A data section (.data, .bss, .rodata, .maps, ...) and the variables in it. */
    record Datasec(String name, int size, List<VarSecinfo> vars) implements BtfType {
        public Datasec {
            vars = FrozenList.of(vars);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.DATASEC;
        }
    }

    record Float(String name, int size) implements BtfType {
        @Override
        public BtfKind kind() {
            return BtfKind.FLOAT;
        }
    }

    /** A declaration tag on a type, or (componentIndex >= 0) on one of its members or parameters. */
    record DeclTag(String name, int type, int componentIndex) implements BtfType {
        @Override
        public BtfKind kind() {
            return BtfKind.DECL_TAG;
        }
    }
}

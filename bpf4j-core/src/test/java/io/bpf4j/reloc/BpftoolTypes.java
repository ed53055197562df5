package io.bpf4j.reloc;

import io.bpf4j.testing.Bpftool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference view of kernel types: {@code bpftool btf dump file F} (raw format) parsed line by
 * line. Tests take expected offsets, sizes, ids and enum values from here, never from bpf4j's BTF code.
 */
final class BpftoolTypes {
    private static final Pattern HEADER = Pattern.compile("^\\[(\\d+)\\] (\\w+) '([^']*)'(.*)$");
    private static final Pattern MEMBER = Pattern.compile("^\\s+'([^']*)' type_id=(\\d+) bits_offset=(\\d+)(?: bitfield_size=(\\d+))?$");
    private static final Pattern ENUMERATOR = Pattern.compile("^\\s+'([^']*)' val=(-?\\d+)(ULL|LL)?$");

    record Type(int id, String kind, String name, Map<String, String> attrs, List<Member> members, Map<String, Long> values) {
        long attr(String key) {
            return Long.parseLong(attrs.get(key));
        }
    }

    record Member(String name, int typeId, long bitsOffset, int bitfieldSize) {
    }

    private final Map<Integer, Type> byId = new HashMap<>();

    private BpftoolTypes(String dump) {
        Type cur = null;
        for (String line : dump.split("\n")) {
            Matcher h = HEADER.matcher(line);
            if (h.matches()) {
                Map<String, String> attrs = new HashMap<>();
                for (String kv : h.group(4).trim().split(" ")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        attrs.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
                cur = new Type(Integer.parseInt(h.group(1)), h.group(2), h.group(3), attrs, new ArrayList<>(), new HashMap<>());
                byId.put(cur.id(), cur);
                continue;
            }
            Matcher m = MEMBER.matcher(line);
            if (m.matches() && cur != null) {
                cur.members().add(new Member(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)),
                        m.group(4) == null ? 0 : Integer.parseInt(m.group(4))));
                continue;
            }
            Matcher e = ENUMERATOR.matcher(line);
            if (e.matches() && cur != null) {
                cur.values().put(e.group(1), Long.parseUnsignedLong(e.group(2).replace("-", "")) * (e.group(2).startsWith("-") ? -1 : 1));
            }
        }
    }

    static BpftoolTypes of(String file) {
        return parse(Bpftool.run("btf", "dump", "file", file));
    }

    static BpftoolTypes parse(String rawDump) {
        return new BpftoolTypes(rawDump);
    }

    Type type(int id) {
        return byId.get(id);
    }

    /** The first type of this kind and name (bpftool's kind names: STRUCT, ENUM, ENUM64, ...). */
    Type named(String kind, String name) {
        return byId.values().stream().filter(t -> t.kind().equals(kind) && t.name().equals(name))
                .min(java.util.Comparator.comparingInt(Type::id))
                .orElseThrow(() -> new AssertionError("bpftool shows no " + kind + " '" + name + "'"));
    }

    /** A member found by name, looking into anonymous struct/union members; bitsOffset is from the outer struct. */
    Member member(Type composite, String name) {
        for (Member m : composite.members()) {
            if (m.name().equals(name)) {
                return m;
            }
            if (m.name().equals("(anon)")) {
                Type inner = type(m.typeId());
                if (inner.kind().equals("STRUCT") || inner.kind().equals("UNION")) {
                    try {
                        Member found = member(inner, name);
                        return new Member(found.name(), found.typeId(), m.bitsOffset() + found.bitsOffset(), found.bitfieldSize());
                    } catch (AssertionError notThere) {
                        // keep looking
                    }
                }
            }
        }
        throw new AssertionError(composite.name() + " has no member " + name);
    }

    /** Byte offset of a (non-bitfield) member of a struct. */
    long offsetOf(String struct, String member) {
        return member(named("STRUCT", struct), member).bitsOffset() / 8;
    }

    /** sizeof, following typedefs and modifiers. */
    long sizeOf(int id) {
        Type t = type(id);
        return switch (t.kind()) {
            case "INT", "STRUCT", "UNION", "ENUM", "ENUM64", "FLOAT" -> t.attr("size");
            case "PTR" -> 8;
            case "ARRAY" -> t.attr("nr_elems") * sizeOf((int) t.attr("type_id"));
            case "TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG" -> sizeOf((int) t.attr("type_id"));
            default -> throw new AssertionError("no size for " + t);
        };
    }

    /** The type behind typedefs and modifiers. */
    Type resolved(int id) {
        Type t = type(id);
        while (List.of("TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG").contains(t.kind())) {
            t = type((int) t.attr("type_id"));
        }
        return t;
    }

    long enumValue(String kind, String enumName, String value) {
        Long v = named(kind, enumName).values().get(value);
        if (v == null) {
            throw new AssertionError("enum " + enumName + " has no " + value);
        }
        return v;
    }
}

package io.bpf4j.cli;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes JSON from maps, lists, strings, numbers and booleans: the few shapes the CLI prints. Maps
 * keep their iteration order, so callers use LinkedHashMap to fix the field order.
 */
final class Json {
    private Json() {
    }

    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, 0, true);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v, int indent, boolean pretty) {
        switch (v) {
            case null -> b.append("null");
            case String s -> string(b, s);
            case Character c -> string(b, c.toString());
            case Boolean bool -> b.append(bool);
            case Double d when d.isNaN() || d.isInfinite() -> b.append("null");
            case Float f when f.isNaN() || f.isInfinite() -> b.append("null");
            case Number n -> b.append(n);
            case Map<?, ?> m -> container(b, m.entrySet().iterator(), '{', '}', indent, pretty, true);
            case List<?> l -> container(b, l.iterator(), '[', ']', indent, pretty, false);
            default -> string(b, v.toString());
        }
    }

    private static void container(StringBuilder b, Iterator<?> it, char open, char close, int indent,
                                  boolean pretty, boolean object) {
        b.append(open);
        if (!it.hasNext()) {
            b.append(close);
            return;
        }
        boolean first = true;
        while (it.hasNext()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            newline(b, indent + 1, pretty);
            Object item = it.next();
            if (object) {
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) item;
                string(b, String.valueOf(e.getKey()));
                b.append(pretty ? ": " : ":");
                write(b, e.getValue(), indent + 1, pretty);
            } else {
                write(b, item, indent + 1, pretty);
            }
        }
        newline(b, indent, pretty);
        b.append(close);
    }

    private static void newline(StringBuilder b, int indent, boolean pretty) {
        if (pretty) {
            b.append('\n').append("  ".repeat(indent));
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}

package io.bpf4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The help text of a verb, made from what it declared on {@link Args}. */
final class Usage {
    private Usage() {
    }

    static void print(Args a, PrintStream out) {
        StringBuilder line = new StringBuilder("Usage: ").append(a.path);
        if (!a.verbs.isEmpty()) {
            line.append(a.options.isEmpty() ? "" : " [OPTIONS]").append(" COMMAND");
        } else {
            if (!a.options.isEmpty()) {
                line.append(" [OPTIONS]");
            }
            for (Args.Parameter p : a.parameters) {
                // A rest label naming several words ("FILE [format c|raw]") says its shape itself.
                String more = p.rest() && !p.label().contains(" ") ? "..." : "";
                line.append(' ').append(p.required() ? p.label() : "[" + p.label() + more + "]");
            }
        }
        out.println(line);
        a.description().forEach(d -> wrap(d, WIDTH).forEach(out::println));
        List<String[]> rows = new ArrayList<>();
        if (!a.verbs.isEmpty()) {
            out.println();
            out.println("Commands:");
            for (Map.Entry<String, Supplier<Verb>> e : a.verbs.entrySet()) {
                Args child = new Args(a.path + " " + e.getKey());
                e.getValue().get().declare(child);
                rows.add(new String[] {e.getKey(), child.description().isEmpty() ? "" : child.description().getFirst()});
            }
            table(rows, out);
            rows.clear();
        }
        if (!a.parameters.isEmpty()) {
            out.println();
            out.println("Parameters:");
            for (Args.Parameter p : a.parameters) {
                rows.add(new String[] {p.label(), p.help()});
            }
            table(rows, out);
            rows.clear();
        }
        out.println();
        out.println("Options:");
        for (Args.Option o : a.options) {
            rows.add(new String[] {String.join(", ", o.names()) + (o.takesValue() ? "=" + o.label() : ""), o.help()});
        }
        if (!a.path.equals("bpf4j")) {
            rows.add(new String[] {"--debug", "Print Java stack traces of errors."});
        }
        rows.add(new String[] {"-h, --help", "Show this help and exit."});
        table(rows, out);
        if (!a.footer().isEmpty()) {
            out.println();
            a.footer().forEach(out::println);
        }
        if (!a.verbs.isEmpty()) {
            out.println();
            out.println("Run '" + a.path + " COMMAND --help' for the options of a command.");
        }
    }

    /** The width help text is wrapped to. */
    private static final int WIDTH = 100;

    /** Two columns, the second aligned and wrapped; long first cells get their own line. */
    private static void table(List<String[]> rows, PrintStream out) {
        int width = 0;
        for (String[] r : rows) {
            if (r[0].length() <= 30) {
                width = Math.max(width, r[0].length());
            }
        }
        String indent = " ".repeat(width + 4);
        for (String[] r : rows) {
            List<String> text = wrap(r[1], Math.max(40, WIDTH - indent.length()));
            if (r[0].length() > width) {
                out.println("  " + r[0]);
            } else {
                out.println("  " + r[0] + " ".repeat(width - r[0].length()) + "  " + (text.isEmpty() ? "" : text.removeFirst()));
            }
            text.forEach(line -> out.println(indent + line));
        }
    }

    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}

package io.bpf4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The arguments of one verb: what it declares (options, parameters, sub-verbs, help text) and the
 * parser that hands each value to the verb. Written for bpf4j instead of an argument library because
 * start-up time counts for a command-line tool: picocli cost ~170 ms of every run (its classes are
 * Java 5 bytecode, which the JDK's AOT cache cannot keep, and it reads annotations by reflection).
 *
 * <p>Syntax: options anywhere, as {@code --name value}, {@code --name=value}, {@code -x value},
 * {@code -xVALUE} or {@code -x=VALUE}; {@code --} ends options; {@code -h}/{@code --help} shows the
 * verb's help. An option given twice is an error unless declared {@link #repeatable}.
 */
final class Args {
    /**
     * An option: its names ("-o", "--output"), the label of its value (null for a flag), its help, and
     * whether it may be given more than once (each value then reaches {@code set}).
     */
    record Option(List<String> names, String label, String help, boolean repeatable, Consumer<String> set) {
        boolean takesValue() {
            return label != null;
        }
    }

    /** A positional parameter; {@code rest} takes every remaining word (0 or more). */
    record Parameter(String label, String help, boolean required, boolean rest, Consumer<String> set) {
    }

    final String path;
    private final List<String> description = new ArrayList<>();
    private final List<String> footer = new ArrayList<>();
    final List<Option> options = new ArrayList<>();
    final List<Parameter> parameters = new ArrayList<>();
    final Map<String, Supplier<Verb>> verbs = new LinkedHashMap<>();

    /** @param path the verb's words as typed, "bpf4j prog list" */
    Args(String path) {
        this.path = path;
    }

    Args describe(String... lines) {
        description.addAll(List.of(lines));
        return this;
    }

    Args footer(String... lines) {
        footer.addAll(List.of(lines));
        return this;
    }

    /** A flag: {@code names} is "--json" or "-o, --output" style, comma separated. */
    Args flag(String names, String help, Runnable on) {
        options.add(new Option(split(names), null, help, false, v -> on.run()));
        return this;
    }

    /** An option with one value; given twice it is a usage error, as the second would silently win. */
    Args option(String names, String label, String help, Consumer<String> set) {
        options.add(new Option(split(names), label, help, false, set));
        return this;
    }

    /** An option that may be given again and again ({@code --set a=1 --set b=2}); {@code set} sees each value. */
    Args repeatable(String names, String label, String help, Consumer<String> set) {
        options.add(new Option(split(names), label, help, true, set));
        return this;
    }

    Args parameter(String label, String help, Consumer<String> set) {
        parameters.add(new Parameter(label, help, true, false, set));
        return this;
    }

    Args optionalParameter(String label, String help, Consumer<String> set) {
        parameters.add(new Parameter(label, help, false, false, set));
        return this;
    }

    /** Every word after the other parameters (and everything after {@code --}). */
    Args rest(String label, String help, Consumer<String> each) {
        parameters.add(new Parameter(label, help, false, true, each));
        return this;
    }

    Args verb(String name, Supplier<Verb> verb) {
        verbs.put(name, verb);
        return this;
    }

    List<String> description() {
        return description;
    }

    List<String> footer() {
        return footer;
    }

    private static List<String> split(String names) {
        return List.of(names.split(",\\s*"));
    }

    /** What a parse found: the verb to run, or that its help was asked for. */
    record Parsed(Verb verb, Args args, boolean help) {
    }

    /**
     * Parses {@code words} for {@code verb} (already declared on this), descending into sub-verbs.
     * Global flags ({@code --debug}) are taken out by the caller first.
     */
    Parsed parse(Verb verb, List<String> words) {
        if (!verbs.isEmpty()) {
            if (words.isEmpty() || isHelp(words.getFirst())) {
                return new Parsed(verb, this, true);
            }
            String name = words.getFirst();
            Supplier<Verb> sub = verbs.get(name);
            if (sub == null) {
                throw new UsageException(this, (name.startsWith("-") ? "unknown option '" : "unknown command '") + name + "'"
                        + Suggestions.of(name, verbs.keySet()));
            }
            Verb child = sub.get();
            Args childArgs = new Args(path + " " + name);
            child.declare(childArgs);
            return childArgs.parse(child, words.subList(1, words.size()));
        }
        // Help wins over any error in the rest of the line.
        for (String w : words) {
            if (w.equals("--")) {
                break;
            }
            if (isHelp(w)) {
                return new Parsed(verb, this, true);
            }
        }
        int next = 0;
        boolean optionsEnded = false;
        java.util.Set<Option> given = new java.util.HashSet<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (!optionsEnded && w.equals("--")) {
                optionsEnded = true;
            } else if (!optionsEnded && w.startsWith("-") && w.length() > 1) {
                // --name=value, -xVALUE and -x=VALUE carry their value; otherwise it is the next word.
                String name = w;
                String attached = null;
                int eq = w.indexOf('=');
                if (w.startsWith("--") && eq > 0) {
                    name = w.substring(0, eq);
                    attached = w.substring(eq + 1);
                } else if (!w.startsWith("--") && w.length() > 2) {
                    name = w.substring(0, 2);
                    attached = w.charAt(2) == '=' ? w.substring(3) : w.substring(2);
                }
                Option o = option(attached != null && !w.startsWith("--") && !takesValue(name) ? w : name);
                if (!o.repeatable() && !given.add(o)) {
                    throw new UsageException(this, "option '" + name + "' is given twice; give it once");
                }
                if (!o.takesValue()) {
                    if (attached != null) {
                        throw new UsageException(this, "option '" + name + "' takes no value");
                    }
                    o.set().accept("");
                    continue;
                }
                String value = attached;
                if (value == null) {
                    // The next word is the value, unless it is one of this verb's options: then the value was forgotten.
                    if (i + 1 >= words.size() || isOptionName(words.get(i + 1))) {
                        throw new UsageException(this, "option '" + name + "' needs a value: " + name + " " + o.label());
                    }
                    value = words.get(++i);
                }
                set(name, o.set(), value);
            } else {
                if (next >= parameters.size()) {
                    throw new UsageException(this, "unexpected argument '" + w + "'");
                }
                Parameter p = parameters.get(next);
                set(p.label(), p.set(), w);
                if (!p.rest()) {
                    next++;
                }
            }
        }
        for (int i = next; i < parameters.size(); i++) {
            if (parameters.get(i).required()) {
                throw new UsageException(this, "missing " + parameters.get(i).label());
            }
        }
        return new Parsed(verb, this, false);
    }

    private boolean takesValue(String name) {
        return options.stream().anyMatch(o -> o.names().contains(name) && o.takesValue());
    }

    private boolean isOptionName(String word) {
        return isHelp(word) || word.equals("--") || options.stream().anyMatch(o -> o.names().contains(word));
    }

    private Option option(String name) {
        for (Option o : options) {
            if (o.names().contains(name)) {
                return o;
            }
        }
        List<String> all = new ArrayList<>();
        options.forEach(o -> all.addAll(o.names()));
        throw new UsageException(this, "unknown option '" + name + "'" + Suggestions.of(name, all));
    }

    /** Hands a value on; a value the verb cannot take (not a number, a bad path) is a usage error. */
    private void set(String what, Consumer<String> set, String value) {
        try {
            set.accept(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(this, "invalid value for " + what + ": '" + value + "'");
        }
    }

    static boolean isHelp(String w) {
        return w.equals("-h") || w.equals("--help");
    }
}

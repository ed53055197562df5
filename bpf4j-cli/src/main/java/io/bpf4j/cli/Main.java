package io.bpf4j.cli;

import io.bpf4j.Bpf4jException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** The {@code bpf4j} command: one class per verb, parsed by {@link Args}. */
public final class Main implements Verb {
    /** Exit code for a user error the command reports (bad input, a kernel refusal). */
    static final int EXIT_FAILURE = 1;
    /** Exit code for a command line that cannot be parsed, as most Unix tools use. */
    static final int EXIT_USAGE = 2;

    @Override
    public void declare(Args a) {
        a.describe("Compile, load, attach and run Linux eBPF programs from Java. @FILE stands for the words in FILE "
                        + "(quotes keep spaces; # starts a comment line).")
                .flag("--debug", "Print Java stack traces of errors.", () -> { })
                .flag("-V, --version", "Print the version and exit.", () -> { })
                .verb("demo", DemoCommand::new)
                .verb("run", RunCommand::new)
                .verb("test-run", TestRunCommand::new)
                .verb("prog", ProgCommand::new)
                .verb("object", ObjectCommand::new)
                .verb("doctor", DoctorCommand::new)
                .verb("btf", BtfCommand::new)
                .verb("help", HelpCommand::new);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of main). */
    public static int execute(String... argv) {
        Args top = new Args("bpf4j");
        List<String> words;
        try {
            words = ArgFiles.expand(List.of(argv), top);
        } catch (UsageException e) {
            System.err.println("bpf4j: " + e.getMessage());
            return EXIT_USAGE;
        }
        // --debug counts wherever it is, except after "--" (a command run by 'bpf4j run' may take one).
        int end = words.indexOf("--") < 0 ? words.size() : words.indexOf("--");
        List<String> options = words.subList(0, end);
        boolean debug = options.contains("--debug");
        options.removeIf("--debug"::equals);
        if (!words.isEmpty() && (words.getFirst().equals("--version") || words.getFirst().equals("-V"))) {
            System.out.println(version());
            return 0;
        }
        if (words.equals(List.of(AotTraining.NAME))) {
            // Not a verb for users (not in the help): the launcher's training run for the AOT cache.
            return new AotTraining().call();
        }
        Main main = new Main();
        main.declare(top);
        try {
            Args.Parsed parsed = top.parse(main, words);
            if (parsed.help()) {
                Usage.print(parsed.args(), System.out);
                return 0;
            }
            return parsed.verb().call();
        } catch (UsageException e) {
            System.err.println("bpf4j: " + e.getMessage());
            System.err.println("Try '" + e.args().path + " --help' for usage.");
            return EXIT_USAGE;
        } catch (Exception e) {
            return report(e, debug, System.err);
        }
    }

    /** A failure as one line that says what to do: the message of a bpf4j error, else an internal error. */
    private static int report(Exception e, boolean debug, PrintStream err) {
        if (e instanceof Bpf4jException || e instanceof IOException) {
            err.println("bpf4j: " + e.getMessage());
        } else {
            err.println("bpf4j: internal error: " + e + (debug ? "" : " (run with --debug for the stack trace; please report it)"));
        }
        if (debug) {
            e.printStackTrace(err);
        }
        return EXIT_FAILURE;
    }

    /** The version Maven wrote into the jar. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // the version stays unknown
        }
        return "bpf4j " + p.getProperty("version", "unknown") + " (Java " + Runtime.version() + ")";
    }

    /** {@code bpf4j help [VERB...]}: the help of bpf4j or of a verb, without running anything. */
    static final class HelpCommand implements Verb {
        private final List<String> path = new ArrayList<>();
        private Args own;

        @Override
        public void declare(Args a) {
            own = a;
            a.describe("Show the help of bpf4j or of a command, e.g. bpf4j help prog load.")
                    .rest("COMMAND", "The command (and sub-command) to explain.", path::add);
        }

        @Override
        public Integer call() {
            Args args = new Args("bpf4j");
            new Main().declare(args);
            for (String word : path) {
                java.util.function.Supplier<Verb> sub = args.verbs.get(word);
                if (sub == null) {
                    throw new UsageException(own, "'" + args.path + "' has no command '" + word + "'"
                            + Suggestions.of(word, args.verbs.keySet()));
                }
                Args child = new Args(args.path + " " + word);
                sub.get().declare(child);
                args = child;
            }
            Usage.print(args, System.out);
            return 0;
        }
    }
}

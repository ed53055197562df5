package io.bpf4j.cli;

import io.bpf4j.Bpf4jException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

/** The {@code bpf4j} command: one sub-command class per verb. */
@Command(name = "bpf4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Compile, load, attach and run Linux eBPF programs from Java.",
        subcommands = {DemoCommand.class, RunCommand.class, TestRunCommand.class, ProgCommand.class, ObjectCommand.class, DoctorCommand.class, BtfCommand.class, CommandLine.HelpCommand.class},
        usageHelpAutoWidth = true)
public final class Main implements Runnable {
    /** Exit code for a user error the command reports (bad input, a kernel refusal). */
    static final int EXIT_FAILURE = 1;
    /** Exit code for a command line that cannot be parsed, as picocli and most Unix tools use. */
    static final int EXIT_USAGE = 2;

    @Option(names = "--debug", description = "Print Java stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of main). */
    public static int execute(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::handleError);
        cl.setParameterExceptionHandler(Main::handleUsageError);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    private static int handleUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("bpf4j: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return EXIT_USAGE;
    }

    private static int handleError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean debug = parsed.matchedOptionValue("--debug", false) || hasDebugAnywhere(parsed);
        if (e instanceof Bpf4jException) {
            err.println("bpf4j: " + e.getMessage());
        } else if (e instanceof IOException) {
            err.println("bpf4j: " + e.getMessage());
        } else {
            err.println("bpf4j: internal error: " + e + (debug ? "" : " (run with --debug for the stack trace; please report it)"));
        }
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILURE;
    }

    private static boolean hasDebugAnywhere(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"bpf4j " + p.getProperty("version", "unknown") + " (Java " + Runtime.version() + ")"};
        }
    }
}

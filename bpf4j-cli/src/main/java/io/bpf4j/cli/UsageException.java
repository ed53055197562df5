package io.bpf4j.cli;

/** A command line that cannot be parsed: exit code 2 and a pointer to the verb's help. */
final class UsageException extends RuntimeException {
    private final Args args;

    UsageException(Args args, String message) {
        super(message);
        this.args = args;
    }

    /** The verb whose arguments were wrong, for "Try 'bpf4j VERB --help'". */
    Args args() {
        return args;
    }
}

package io.bpf4j;

/**
 * The root of every failure a user can cause (bad input, a missing kernel feature, a refused load).
 * Its message is written for the user: it names the file, program or map involved, the cause and
 * the fix, so the CLI prints it as it is, without a stack trace.
 */
public class Bpf4jException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Bpf4jException(String message) {
        super(message);
    }

    public Bpf4jException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.bpf4j.load;

/** The kernel's verifier refused a program; the message points at the C source line and quotes the log's end. */
public final class VerifierRejection extends LoadException {
    private static final long serialVersionUID = 1L;
    private final String log;

    VerifierRejection(String message, String log, Throwable cause) {
        super(message, cause);
        this.log = log;
    }

    /** The whole verifier log. */
    public String log() {
        return log;
    }
}

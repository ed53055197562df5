package io.bpf4j.load;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The kernel's verifier refused a program. The message points at the C source line and quotes the
 * log's end; the parts are here for programs that report rejections their own way.
 */
public final class VerifierRejection extends LoadException {
    private static final long serialVersionUID = 1L;
    private final String program;
    private final OptionalInt instruction;
    private final String sourceLine;
    private final String log;

    VerifierRejection(String message, String program, OptionalInt instruction, Optional<String> sourceLine, String log,
                      Throwable cause) {
        super(message, cause);
        this.program = program;
        this.instruction = instruction;
        this.sourceLine = sourceLine.orElse(null);
        this.log = log;
    }

    /** The name of the program refused. */
    public String program() {
        return program;
    }

    /** The index of the instruction the verifier stopped at (in the linked program), when the log names it. */
    public OptionalInt instruction() {
        return instruction;
    }

    /** Where in the C source that instruction comes from ("prog.bpf.c:42: the statement"), when line info says. */
    public Optional<String> sourceLine() {
        return Optional.ofNullable(sourceLine);
    }

    /** The whole verifier log. */
    public String log() {
        return log;
    }
}

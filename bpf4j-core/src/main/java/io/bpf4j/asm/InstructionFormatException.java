package io.bpf4j.asm;

import io.bpf4j.Bpf4jException;

/** Bytes that are not a valid instruction stream (a truncated wide instruction, a length not a multiple of 8). */
public final class InstructionFormatException extends Bpf4jException {
    private static final long serialVersionUID = 1L;

    public InstructionFormatException(String message) {
        super(message);
    }
}

package io.bpf4j.spec;

import io.bpf4j.Bpf4jException;

/** An object file whose contents bpf4j cannot turn into programs and maps; the message says why and what to change. */
public final class SpecException extends Bpf4jException {
    private static final long serialVersionUID = 1L;

    public SpecException(String message) {
        super(message);
    }
}

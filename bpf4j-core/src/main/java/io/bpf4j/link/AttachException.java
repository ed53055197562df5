package io.bpf4j.link;

import io.bpf4j.Bpf4jException;

/** A program could not be attached; the message says why and what to use or do instead. */
public final class AttachException extends Bpf4jException {
    private static final long serialVersionUID = 1L;

    public AttachException(String message) {
        super(message);
    }

    public AttachException(String message, Throwable cause) {
        super(message, cause);
    }
}

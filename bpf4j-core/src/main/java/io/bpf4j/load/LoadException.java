package io.bpf4j.load;

import io.bpf4j.Bpf4jException;

/** Loading an object failed: a map the kernel would not create, a program it would not accept, a bad setting. */
public class LoadException extends Bpf4jException {
    private static final long serialVersionUID = 1L;

    public LoadException(String message) {
        super(message);
    }

    public LoadException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.bpf4j.btf;

import io.bpf4j.Bpf4jException;

/**
 * BTF (or .BTF.ext) bytes that are not well formed: truncated, a type id or string offset out of
 * range, an unknown kind, a reference loop. The message names the byte offset (or type id) and
 * what was expected there.
 */
public final class BtfFormatException extends Bpf4jException {
    private static final long serialVersionUID = 1L;

    public BtfFormatException(String message) {
        super(message);
    }

    public BtfFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    static BtfFormatException at(long offset, String what) {
        return new BtfFormatException("malformed BTF at byte " + offset + ": " + what);
    }
}

package io.bpf4j.elf;

import io.bpf4j.Bpf4jException;

/** A file that is not a well-formed ELF64 object; the message names the byte offset and what was expected. */
public final class ElfFormatException extends Bpf4jException {
    private static final long serialVersionUID = 1L;

    public ElfFormatException(String message) {
        super(message);
    }

    static ElfFormatException at(long offset, String what) {
        return new ElfFormatException("malformed ELF at byte " + offset + ": " + what);
    }
}

package io.bpf4j.btf;

import java.nio.charset.StandardCharsets;

/**
 * A BTF string section. In split BTF, offsets below the base's string section length name base
 * strings and the rest continue into this section (btf.rst, "split BTF").
 */
final class BtfStrings {
    private final byte[] bytes;
    private final int start;
    private final int length;
    private final BtfStrings base;
    private final int baseLength;

    BtfStrings(byte[] bytes, int start, int length, BtfStrings base, boolean mustStartEmpty) {
        this.bytes = bytes;
        this.start = start;
        this.length = length;
        this.base = base;
        this.baseLength = base == null ? 0 : base.totalLength();
        if (mustStartEmpty && length > 0 && bytes[start] != 0) {
            throw BtfFormatException.at(start, "string section must start with an empty string (a NUL byte)");
        }
        if (length > 0 && bytes[start + length - 1] != 0) {
            throw BtfFormatException.at(start + length - 1, "string section does not end with a NUL byte");
        }
    }

    /** Offsets this table and its bases cover: the next split BTF's strings start here. */
    int totalLength() {
        return baseLength + length;
    }

    int localLength() {
        return length;
    }

    int localStart() {
        return start;
    }

    byte[] bytes() {
        return bytes;
    }

    /** The string at {@code offset}; {@code at} and {@code what} name the referring field for the error. */
    String get(int offset, int at, String what) {
        if (offset == 0) {
            return "";
        }
        if (offset < 0 || offset >= baseLength + length) {
            throw BtfFormatException.at(at, what + ": string offset " + Integer.toUnsignedLong(offset)
                    + " is past the string section of " + (baseLength + length) + " bytes");
        }
        if (offset < baseLength) {
            return base.get(offset, at, what);
        }
        int s = start + offset - baseLength;
        int e = s;
        // The section ends in NUL (checked above), so this loop stops inside it.
        while (bytes[e] != 0) {
            e++;
        }
        return new String(bytes, s, e - s, StandardCharsets.UTF_8);
    }
}

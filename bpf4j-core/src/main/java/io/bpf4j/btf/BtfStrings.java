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
    // Names repeat (every "next", "flags", "lock" member shares one offset): decode each offset once.
    private int[] cacheKeys;
    private String[] cacheValues;
    private int cached;

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
        int capacity = Integer.highestOneBit(Math.max(1024, length / 8)) * 2;
        this.cacheKeys = new int[capacity];
        this.cacheValues = new String[capacity];
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

    /** True when {@code offset} is inside this table or its bases. */
    boolean contains(int offset) {
        return offset >= 0 && offset < baseLength + length;
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
        if (cacheKeys == null) {
            return decode(start + offset - baseLength);
        }
        return cached(offset);
    }

    // Only a BTF whose types are decoded on demand keeps its cache after parsing: it decodes under
    // this lock while other threads may read.
    private synchronized String cached(int offset) {
        int mask = cacheKeys.length - 1;
        int slot = (offset * 0x9E3779B1) >>> 7 & mask;
        while (cacheValues[slot] != null) {
            if (cacheKeys[slot] == offset) {
                return cacheValues[slot];
            }
            slot = (slot + 1) & mask;
        }
        String value = decode(start + offset - baseLength);
        cacheKeys[slot] = offset;
        cacheValues[slot] = value;
        if (++cached * 2 > cacheKeys.length) {
            growCache();
        }
        return value;
    }

    /** A hash of the bytes of the string at {@code offset} (one {@link #get} checked is in range), equal to {@link #hash(byte[])} of its UTF-8. */
    int hashAt(int offset) {
        if (offset < baseLength) {
            return base.hashAt(offset);
        }
        int h = 0;
        for (int i = start + offset - baseLength; bytes[i] != 0; i++) {
            h = 31 * h + bytes[i];
        }
        return h;
    }

    static int hash(byte[] utf8) {
        int h = 0;
        for (byte b : utf8) {
            h = 31 * h + b;
        }
        return h;
    }

    /** True when the string at {@code offset} is exactly {@code utf8}: compared as bytes, nothing decoded. */
    boolean equalsAt(int offset, byte[] utf8) {
        if (offset < baseLength) {
            return base.equalsAt(offset, utf8);
        }
        int at = start + offset - baseLength;
        if (length - (at - start) <= utf8.length) {
            return false; // too close to the end to hold the string and its NUL
        }
        for (int i = 0; i < utf8.length; i++) {
            if (bytes[at + i] != utf8[i]) {
                return false;
            }
        }
        return bytes[at + utf8.length] == 0;
    }

    /** True when the string at {@code offset} contains {@code utf8} (non-empty). */
    boolean containsAt(int offset, byte[] utf8) {
        if (offset < baseLength) {
            return base.containsAt(offset, utf8);
        }
        int at = start + offset - baseLength;
        outer:
        for (int i = at; bytes[i] != 0; i++) {
            for (int j = 0; j < utf8.length; j++) {
                if (bytes[i + j] != utf8[j]) {
                    continue outer; // a NUL in the string differs from every byte of a name: no overrun
                }
            }
            return true;
        }
        return false;
    }

    private String decode(int s) {
        int e = s;
        // The section ends in NUL (checked above), so this loop stops inside it.
        while (bytes[e] != 0) {
            e++;
        }
        return new String(bytes, s, e - s, StandardCharsets.UTF_8);
    }

    /**
     * Drops the decoding cache once every type is decoded: later reads then need no lock. (A lazily
     * parsed {@link Btf} keeps it, and reads it under the lock.)
     */
    void freeze() {
        cacheKeys = null;
        cacheValues = null;
    }

    private void growCache() {
        int[] keys = cacheKeys;
        String[] values = cacheValues;
        cacheKeys = new int[keys.length * 2];
        cacheValues = new String[keys.length * 2];
        int mask = cacheKeys.length - 1;
        for (int i = 0; i < keys.length; i++) {
            if (values[i] != null) {
                int slot = (keys[i] * 0x9E3779B1) >>> 7 & mask;
                while (cacheValues[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                cacheKeys[slot] = keys[i];
                cacheValues[slot] = values[i];
            }
        }
    }
}

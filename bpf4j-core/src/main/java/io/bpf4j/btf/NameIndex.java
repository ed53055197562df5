package io.bpf4j.btf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The types of one BTF blob by name, built from the raw name bytes: no {@code String} and no map
 * node per type. On the kernel's 5 MB BTF (~130,000 types) that is what lets a CO-RE lookup start
 * in milliseconds instead of decoding every name first.
 *
 * <p>An open-addressing table of type indexes (index + 1; 0 is empty) with linear probing. Types
 * are inserted in id order, and all types of one name share a home slot, so a probe meets them in
 * id order.
 */
final class NameIndex {
    private final int[] slots;
    private final int[] hashes;
    private final int[] nameOffsets;
    private final BtfStrings strings;

    /** Indexes the types whose name_off fields are {@code nameOffsets} (by type index); 0 means anonymous. */
    NameIndex(int[] nameOffsets, BtfStrings strings) {
        this.nameOffsets = nameOffsets;
        this.strings = strings;
        int capacity = Integer.highestOneBit(Math.max(8, nameOffsets.length)) * 4;
        this.slots = new int[capacity];
        this.hashes = new int[capacity];
        int mask = capacity - 1;
        for (int i = 0; i < nameOffsets.length; i++) {
            int off = nameOffsets[i];
            if (off == 0 || !strings.contains(off)) {
                continue; // anonymous, or an offset the (lazy) decoder will report when the type is asked for
            }
            int h = strings.hashAt(off);
            int slot = spread(h) & mask;
            while (slots[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = i + 1;
            hashes[slot] = h;
        }
    }

    private static int spread(int h) {
        return (h * 0x9E3779B1) >>> 7;
    }

    /** Indexes (not ids) of the types named {@code name}, in order; empty when none is. */
    int[] find(String name) {
        if (name.isEmpty()) {
            return new int[0]; // anonymous types are not "named ''"
        }
        if (name.indexOf('\uFFFD') >= 0) {
            return findDecoded(name);
        }
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        int h = BtfStrings.hash(utf8);
        int mask = slots.length - 1;
        int[] found = new int[0];
        for (int slot = spread(h) & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
            int index = slots[slot] - 1;
            if (hashes[slot] == h && strings.equalsAt(nameOffsets[index], utf8)) {
                found = Arrays.copyOf(found, found.length + 1);
                found[found.length - 1] = index;
            }
        }
        return found;
    }

    // A name that is not valid UTF-8 decodes with U+FFFD, whose bytes are not the name's own: compare
    // decoded names instead (a scan; such names are rare and only ever come from decoding one).
    private int[] findDecoded(String name) {
        return scan(off -> strings.get(off, 0, null).equals(name));
    }

    /** Indexes of the types whose name contains {@code fragment} (non-empty, no NUL), in order: a scan of the name bytes. */
    int[] containing(String fragment) {
        byte[] utf8 = fragment.getBytes(StandardCharsets.UTF_8);
        return scan(off -> strings.containsAt(off, utf8));
    }

    /** Indexes of the named types whose name (given by its string offset) passes {@code test}, in order. */
    private int[] scan(IntPredicate test) {
        int[] found = new int[8];
        int n = 0;
        for (int i = 0; i < nameOffsets.length; i++) {
            int off = nameOffsets[i];
            if (off != 0 && strings.contains(off) && test.test(off)) {
                if (n == found.length) {
                    found = Arrays.copyOf(found, n * 2);
                }
                found[n++] = i;
            }
        }
        return Arrays.copyOf(found, n);
    }
}

package io.bpf4j.btf;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * An unmodifiable list over an array the parser filled and never touches again, so the records
 * can keep it without the defensive copy {@link List#copyOf} would make of every member list.
 */
final class FrozenList<T> extends AbstractList<T> implements RandomAccess {
    private final Object[] items;

    private FrozenList(Object[] items) {
        this.items = items;
    }

    /** Wraps an array that nobody else holds. */
    static <T> List<T> wrap(Object[] items) {
        return new FrozenList<>(items);
    }

    /** The list itself when it is already frozen, else an immutable copy. */
    static <T> List<T> of(List<T> list) {
        return list instanceof FrozenList<T> ? list : List.copyOf(list);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get(int index) {
        return (T) items[index];
    }

    @Override
    public int size() {
        return items.length;
    }
}

package io.bpf4j.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The kernel's symbols from /proc/kallsyms: address of a name and name at an address. Addresses
 * read as 0 unless the process may see them (root, or kernel.kptr_restrict = 0).
 */
public final class KernelSymbols {
    private final Map<Long, String> byAddress;
    private final Map<String, Long> byName;
    private final Set<String> functions;

    private KernelSymbols(Map<Long, String> byAddress, Map<String, Long> byName, Set<String> functions) {
        this.byAddress = byAddress;
        this.byName = byName;
        this.functions = functions;
    }

    /** Reads /proc/kallsyms (a few MB; read once and keep the result). */
    public static KernelSymbols read() {
        return read(Path.of("/proc/kallsyms"));
    }

    public static KernelSymbols read(Path file) {
        Map<Long, String> byAddress = new HashMap<>();
        Map<String, Long> byName = new HashMap<>();
        Set<String> functions = new LinkedHashSet<>();
        forEachSymbol(file, (name, line) -> {
            long address = addressOf(line);
            byAddress.putIfAbsent(address, name);
            byName.putIfAbsent(name, address);
            char type = line.charAt(line.indexOf(' ') + 1);
            if (type == 't' || type == 'T') {
                functions.add(name);
            }
        });
        return new KernelSymbols(byAddress, byName, functions);
    }

    /**
     * Every address /proc/kallsyms lists for each of these names (a static symbol may appear more than
     * once), read in one pass that keeps nothing else: cheaper than {@link #read()} when a loader needs a
     * few addresses (the whole table is 100-200 thousand lines).
     */
    public static Map<String, List<Long>> addressesOf(Set<String> names) {
        return addressesOf(Path.of("/proc/kallsyms"), names);
    }

    public static Map<String, List<Long>> addressesOf(Path file, Set<String> names) {
        Map<String, List<Long>> found = new HashMap<>();
        forEachSymbol(file, (name, line) -> {
            if (names.contains(name)) {
                List<Long> at = found.computeIfAbsent(name, n -> new ArrayList<>());
                long address = addressOf(line);
                if (!at.contains(address)) {
                    at.add(address);
                }
            }
        });
        return found;
    }

    /** Each well-formed line, "ffffffff81000000 T _stext" optionally followed by "\t[module]", with its name. */
    private static void forEachSymbol(Path file, BiConsumer<String, String> action) {
        try (Stream<String> lines = Files.lines(file)) {
            lines.forEach(line -> {
                int a = line.indexOf(' ');
                int b = line.indexOf(' ', a + 1);
                if (a <= 0 || b != a + 2) {
                    return;
                }
                int end = line.indexOf('\t', b + 1);
                action.accept(end < 0 ? line.substring(b + 1) : line.substring(b + 1, end), line);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static long addressOf(String line) {
        return Long.parseUnsignedLong(line, 0, line.indexOf(' '), 16);
    }

    /** The first symbol listed at exactly this address, or null. */
    public String nameAt(long address) {
        return byAddress.get(address);
    }

    /** Names of functions (text symbols, 't' or 'T'), the kernel's and loaded modules', in kallsyms order. */
    public Set<String> functions() {
        return Collections.unmodifiableSet(functions);
    }

    public OptionalLong address(String name) {
        Long a = byName.get(name);
        return a == null ? OptionalLong.empty() : OptionalLong.of(a);
    }
}

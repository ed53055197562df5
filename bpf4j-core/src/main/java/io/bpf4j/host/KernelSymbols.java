package io.bpf4j.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
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
        try (Stream<String> lines = Files.lines(file)) {
            lines.forEach(line -> {
                // "ffffffff81000000 T _stext" optionally followed by "\t[module]".
                int a = line.indexOf(' ');
                int b = line.indexOf(' ', a + 1);
                if (a <= 0 || b < 0) {
                    return;
                }
                int end = line.indexOf('\t', b + 1);
                String name = end < 0 ? line.substring(b + 1) : line.substring(b + 1, end);
                long address = Long.parseUnsignedLong(line, 0, a, 16);
                byAddress.putIfAbsent(address, name);
                byName.putIfAbsent(name, address);
                if (b == a + 2 && (line.charAt(a + 1) == 't' || line.charAt(a + 1) == 'T')) {
                    functions.add(name);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return new KernelSymbols(byAddress, byName, functions);
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

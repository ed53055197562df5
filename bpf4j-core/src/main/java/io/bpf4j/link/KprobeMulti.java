package io.bpf4j.link;

import io.bpf4j.host.KernelSymbols;
import io.bpf4j.load.BpfProgram;
import io.bpf4j.spec.ProgramSpec;
import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.LinkCreateAttr;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * kprobe.multi/PATTERN and kretprobe.multi/PATTERN: one link (the kernel's fprobe, not one kprobe
 * each) on every kernel function whose name matches the glob, e.g. {@code kprobe.multi/vfs_*}.
 */
final class KprobeMulti {
    /** BPF_F_KPROBE_MULTI_RETURN. */
    private static final int RETURN = 1;

    private KprobeMulti() {
    }

    static Link attach(BpfProgram p, ProgramSpec spec, String pattern) {
        boolean ret = spec.sectionName().startsWith("kretprobe");
        if (pattern.isEmpty()) {
            throw new AttachException("program " + p.name() + " (" + spec.section() + ") names no functions; write "
                    + "SEC(\"kprobe.multi/PATTERN\") with a glob such as vfs_*");
        }
        Pattern glob = Globs.compile(pattern);
        String[] symbols = traceable().filter(n -> glob.matcher(n).matches()).distinct().toArray(String[]::new);
        if (symbols.length == 0) {
            throw new AttachException("program " + p.name() + ": no kernel function matches '" + pattern
                    + "'; check the names in /proc/kallsyms");
        }
        AttachType type = spec.def().orElseThrow().attachType();
        try {
            Fd link = Bpf.linkCreate(new LinkCreateAttr(p.fd(), 0, type, 0,
                    new LinkCreateAttr.KprobeMulti(ret ? RETURN : 0, symbols, null, null)));
            return new Link(p, (ret ? "kretprobe.multi " : "kprobe.multi ") + pattern + " (" + Globs.functionCount(symbols.length) + ")",
                    link, List.of());
        } catch (BpfException.NotSupported e) {
            throw new AttachException("program " + p.name() + " (" + spec.section() + "): this kernel cannot attach "
                    + "kprobe.multi programs (" + e.getMessage() + "; it needs CONFIG_FPROBE, Linux 5.18+); use "
                    + "kprobe/FUNCTION for each function, or tracepoint/CATEGORY/NAME where kprobes are missing", e);
        } catch (BpfException.NotFound | BpfException.InvalidArgument e) {
            throw new AttachException("program " + p.name() + ": the kernel refused kprobe.multi on the " + symbols.length
                    + " functions matching '" + pattern + "' (" + e.getMessage() + "); some may not be traceable: "
                    + "narrow the pattern", e);
        }
    }

    /**
     * Functions the kernel can trace: tracefs' available_filter_functions where readable (it is
     * exactly that list), else every text symbol of kallsyms but the compiler's clones (.isra,
     * .cold, ...), which are never traceable by name.
     */
    private static Stream<String> traceable() {
        try {
            return Files.readAllLines(Tracefs.root().resolve("available_filter_functions")).stream().map(l -> l.split("[ \t]", 2)[0]);
        } catch (IOException | RuntimeException e) {
            // tracefs unmounted, or the file unreadable (a locked-down kernel).
            Collection<String> all = KernelSymbols.read().functions();
            return all.stream().filter(n -> n.indexOf('.') < 0);
        }
    }
}

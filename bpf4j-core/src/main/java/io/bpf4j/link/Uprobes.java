package io.bpf4j.link;

import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfSection;
import io.bpf4j.elf.ElfSymbol;
import io.bpf4j.load.BpfProgram;
import io.bpf4j.spec.ProgramSpec;
import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.LinkCreateAttr;
import io.bpf4j.sys.PerfEvent;
import io.bpf4j.sys.PerfEventAttr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * uprobe/uretprobe: {@code SEC("uprobe/PATH:SYMBOL[+OFFSET]")} (or a target given on the command line)
 * attached through the uprobe PMU at the symbol's file offset, found in the binary's .symtab or .dynsym;
 * uprobe.multi/PATH:PATTERN as one link on every function the glob matches.
 */
final class Uprobes {
    /** BPF_F_UPROBE_MULTI_RETURN. */
    private static final int RETURN = 1;

    private Uprobes() {
    }

    /** @param pid the only process it fires in, or {@link Attacher#ALL_PROCESSES} */
    static Link attach(BpfProgram p, ProgramSpec spec, String where, int pid) {
        boolean ret = spec.sectionName().startsWith("uretprobe");
        int colon = where.lastIndexOf(':');
        if (colon <= 0) {
            throw new AttachException("program " + p.name() + ": uprobe target '" + where + "' is not PATH:SYMBOL; e.g. "
                    + "SEC(\"uprobe//usr/lib/x86_64-linux-gnu/libc.so.6:malloc\") or --attach " + p.name() + "=/bin/bash:readline");
        }
        Path binary = Path.of(where.substring(0, colon));
        String symbol = where.substring(colon + 1);
        long extra = 0;
        int plus = symbol.indexOf('+');
        if (plus > 0) {
            extra = Long.decode(symbol.substring(plus + 1));
            symbol = symbol.substring(0, plus);
        }
        long offset = symbol.matches("0x[0-9a-fA-F]+|\\d+") ? Long.decode(symbol) : fileOffset(binary, symbol);
        PerfEventAttr attr = PerfEventAttr.probe(pmuType("program " + p.name()), binary.toString(), offset + extra, ret);
        String description = (ret ? "uretprobe " : "uprobe ") + binary + ":" + symbol;
        return Attacher.perfEventLink(p, openEvent(p, attr, pid, description),
                description + (pid == Attacher.ALL_PROCESSES ? "" : " in process " + pid));
    }

    /**
     * The perf event of a uprobe. For every process, one event on CPU 0 does (a BPF program on a probe
     * fires on every CPU); with a pid the kernel puts the breakpoint into that process's memory only.
     */
    static Fd openEvent(BpfProgram p, PerfEventAttr attr, int pid, String description) {
        if (pid == Attacher.ALL_PROCESSES) {
            return PerfEvent.open(attr, -1, 0, -1, 0);
        }
        try {
            return PerfEvent.open(attr, pid, -1, -1, 0);
        } catch (BpfException e) {
            if (e.errno() != io.bpf4j.sys.Errno.ESRCH) {
                throw e;
            }
            throw new AttachException("program " + p.name() + ": there is no process " + pid + " to put " + description + " in", e);
        }
    }

    /** The uprobe PMU's type number, or why {@code who} cannot attach a uprobe. */
    static int pmuType(String who) {
        Path pmu = Path.of("/sys/bus/event_source/devices/uprobe/type");
        if (!Files.exists(pmu)) {
            throw new AttachException("uprobes are not available: this kernel has no uprobe PMU (CONFIG_UPROBE_EVENTS); "
                    + who + " cannot attach");
        }
        return Attacher.readInt(pmu);
    }

    /** The uprobe PMU's description of where ref_ctr_offset goes in perf_event_attr, e.g. "config:32-63". */
    private static final Path REF_CTR_FORMAT = Path.of("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset");

    /**
     * How far to shift a semaphore's file offset into perf_event_attr.config: the uprobe PMU passes
     * ref_ctr_offset in config bits the PMU's format directory names (32-63 since Linux 4.20, which
     * added it); the kernel then increments the 2-byte counter at that file offset in every process
     * that maps the binary while the uprobe exists, and decrements it when it goes.
     */
    static int refCtrShift(String who) {
        String format;
        try {
            format = Files.readString(REF_CTR_FORMAT).strip();
        } catch (IOException e) {
            throw new AttachException(who + " is guarded by a semaphore, which this kernel cannot raise: the uprobe PMU "
                    + "has no ref_ctr_offset (" + REF_CTR_FORMAT + ", Linux 4.20+)", e);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("config:(\\d+)-63").matcher(format);
        if (!m.matches()) {
            throw new AttachException(who + ": the uprobe PMU places ref_ctr_offset at '" + format + "' in "
                    + REF_CTR_FORMAT + ", not in the upper bits of config bpf4j knows");
        }
        return Integer.parseInt(m.group(1));
    }

    /** The file offset of a function symbol, which is what the uprobe PMU takes. */
    static long fileOffset(Path binary, String symbol) {
        Map<String, Long> found = functions(binary, name -> name.equals(symbol) || name.startsWith(symbol + "@"));
        if (found.isEmpty()) {
            throw new AttachException("symbol " + symbol + " is not a function of " + binary
                    + " (looked in .symtab and .dynsym); check the name with: nm -D " + binary);
        }
        return found.values().iterator().next();
    }

    /**
     * uprobe.multi/PATH:PATTERN: one link with a probe on every function whose name matches the glob
     * PATTERN ({@code *} any run, {@code ?} one character), e.g. {@code uprobe.multi//usr/lib/libc.so.6:str*}.
     */
    static Link attachMulti(BpfProgram p, ProgramSpec spec, String where, int pid) {
        boolean ret = spec.sectionName().startsWith("uretprobe");
        // uprobe.session: one program at entry and, unless it returned non-zero there, at return.
        AttachType type = spec.def().orElseThrow().attachType();
        String kind = type == AttachType.TRACE_UPROBE_SESSION ? "uprobe.session" : ret ? "uretprobe.multi" : "uprobe.multi";
        int colon = where.lastIndexOf(':');
        if (colon <= 0) {
            throw new AttachException("program " + p.name() + ": uprobe.multi target '" + where + "' is not PATH:PATTERN; e.g. "
                    + "SEC(\"uprobe.multi//usr/lib/x86_64-linux-gnu/libc.so.6:str*\")");
        }
        Path binary = Path.of(where.substring(0, colon));
        String pattern = where.substring(colon + 1);
        Pattern glob = Globs.compile(pattern);
        Map<String, Long> found = functions(binary, name -> glob.matcher(name.contains("@") ? name.substring(0, name.indexOf('@')) : name).matches());
        if (found.isEmpty()) {
            throw new AttachException("program " + p.name() + ": no function of " + binary + " matches '" + pattern
                    + "' (looked in .symtab and .dynsym); list them with: nm -D " + binary);
        }
        // Aliases (a versioned .dynsym name and its .symtab twin) share an offset: one probe each.
        long[] offsets = found.values().stream().distinct().mapToLong(Long::longValue).toArray();
        Fd link;
        try {
            link = Bpf.linkCreate(new LinkCreateAttr(p.fd(), 0, type, 0,
                    new LinkCreateAttr.UprobeMulti(binary.toString(), offsets, null, null, ret ? RETURN : 0,
                            pid == Attacher.ALL_PROCESSES ? 0 : pid)));
        } catch (BpfException e) {
            if (e.errno() == io.bpf4j.sys.Errno.ESRCH) {
                throw new AttachException("program " + p.name() + ": there is no process " + pid + " to put " + kind + " "
                        + binary + ":" + pattern + " in", e);
            }
            // A kernel without the link answers EOPNOTSUPP; one that predates the session attach type, EINVAL.
            boolean session = type == AttachType.TRACE_UPROBE_SESSION;
            if (e instanceof BpfException.NotSupported || (session && e instanceof BpfException.InvalidArgument)) {
                throw new AttachException("program " + p.name() + ": this kernel cannot attach " + kind + " programs ("
                        + e.getMessage() + "); they need Linux " + (session ? "6.13" : "6.6") + "+ with CONFIG_UPROBES: use "
                        + "uprobe/PATH:SYMBOL (and uretprobe/PATH:SYMBOL), one function each", e);
            }
            throw new AttachException("program " + p.name() + ": the kernel refused a " + kind + " link on " + offsets.length
                    + " functions of " + binary + " matching " + pattern + " (" + e.getMessage() + "); on a kernel before 6.6 "
                    + "use uprobe/PATH:SYMBOL, one function each", e);
        }
        return new Link(p, kind + " " + binary + ":" + pattern + " (" + Globs.functionCount(offsets.length)
                + (pid == Attacher.ALL_PROCESSES ? "" : ", process " + pid) + ")", link, List.of());
    }

    /** Defined functions of a binary whose names pass {@code wanted}, by name, with their file offsets. */
    private static Map<String, Long> functions(Path binary, Predicate<String> wanted) {
        ElfFile elf;
        try {
            elf = ElfFile.read(binary);
        } catch (IOException e) {
            throw new AttachException("cannot read " + binary + ": " + e.getMessage(), e);
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (ElfSection table : elf.sections()) {
            if (table.type() != ElfSection.SHT_SYMTAB && table.type() != ElfSection.SHT_DYNSYM) {
                continue;
            }
            for (ElfSymbol s : elf.symbols(table)) {
                if (s.type() == ElfSymbol.STT_FUNC && !s.isUndefined() && s.value() != 0 && wanted.test(s.name())) {
                    out.putIfAbsent(s.name(), elf.section(s.sectionIndex()).fileOffsetOf(s.value()));
                }
            }
        }
        return out;
    }
}

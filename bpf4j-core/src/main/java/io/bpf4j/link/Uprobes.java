package io.bpf4j.link;

import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfSection;
import io.bpf4j.elf.ElfSymbol;
import io.bpf4j.load.BpfProgram;
import io.bpf4j.spec.ProgramSpec;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.PerfEvent;
import io.bpf4j.sys.PerfEventAttr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * uprobe/uretprobe: {@code SEC("uprobe/PATH:SYMBOL[+OFFSET]")} (or a target given on the command line)
 * attached through the uprobe PMU at the symbol's file offset, found in the binary's .symtab or .dynsym.
 */
final class Uprobes {
    private Uprobes() {
    }

    static Link attach(BpfProgram p, ProgramSpec spec, String where) {
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
        Fd event = PerfEvent.open(PerfEventAttr.probe(pmuType("program " + p.name()), binary.toString(), offset + extra, ret), -1, 0, -1, 0);
        return Attacher.perfEventLink(p, event, (ret ? "uretprobe " : "uprobe ") + binary + ":" + symbol);
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
        ElfFile elf;
        try {
            elf = ElfFile.read(binary);
        } catch (IOException e) {
            throw new AttachException("cannot read " + binary + " to find " + symbol + ": " + e.getMessage(), e);
        }
        for (ElfSection table : elf.sections()) {
            if (table.type() != ElfSection.SHT_SYMTAB && table.type() != ElfSection.SHT_DYNSYM) {
                continue;
            }
            List<ElfSymbol> syms = elf.symbols(table);
            for (ElfSymbol s : syms) {
                if (s.type() == ElfSymbol.STT_FUNC && !s.isUndefined() && s.value() != 0
                        && (s.name().equals(symbol) || s.name().startsWith(symbol + "@"))) {
                    return elf.section(s.sectionIndex()).fileOffsetOf(s.value());
                }
            }
        }
        throw new AttachException("symbol " + symbol + " is not a function of " + binary
                + " (looked in .symtab and .dynsym); check the name with: nm -D " + binary);
    }
}

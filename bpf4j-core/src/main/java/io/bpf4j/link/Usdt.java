package io.bpf4j.link;

import io.bpf4j.elf.ElfFile;
import io.bpf4j.elf.ElfFormatException;
import io.bpf4j.load.BpfMap;
import io.bpf4j.load.BpfProgram;
import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.KernelFeatures;
import io.bpf4j.sys.LinkCreateAttr;
import io.bpf4j.sys.PerfEvent;
import io.bpf4j.sys.PerfEventAttr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.WeakHashMap;

/**
 * USDT: {@code SEC("usdt/PATH:PROVIDER:NAME")} (or {@code SEC("usdt")} with that target given when
 * attaching) for programs written against libbpf's BPF-side header {@code <bpf/usdt.bpf.h>}. Each
 * call site of the probe gets a uprobe at its file offset (with the semaphore's file offset as the
 * uprobe's ref_ctr_offset, so the kernel raises it while attached) and a BPF link whose cookie is the
 * index of the site's argument spec in the object's {@code __bpf_usdt_specs} map, where
 * {@code bpf_usdt_arg()} reads how to fetch each argument.
 */
final class Usdt {
    static final String SPECS_MAP = "__bpf_usdt_specs";

    /** Spec ids in use, per specs map: several links of one object share it. */
    private static final Map<BpfMap, BitSet> USED_IDS = new WeakHashMap<>();

    private Usdt() {
    }

    /** A parsed target: PATH:PROVIDER:NAME. */
    record Target(Path binary, String provider, String name) {
        static Target parse(BpfProgram p, String where) {
            int last = where.lastIndexOf(':');
            int mid = last > 0 ? where.lastIndexOf(':', last - 1) : -1;
            if (mid <= 0 || last == where.length() - 1 || last == mid + 1) {
                throw new AttachException("program " + p.name() + " (" + p.spec().section() + ") needs a USDT target "
                        + "PATH:PROVIDER:NAME, not '" + where + "': write SEC(\"usdt//usr/bin/myapp:myprovider:myprobe\") or "
                        + "give it with --attach " + p.name() + "=/usr/bin/myapp:myprovider:myprobe");
            }
            // The kernel resolves the path itself: an absolute one does not depend on its idea of the cwd.
            return new Target(Path.of(where.substring(0, mid)).toAbsolutePath(), where.substring(mid + 1, last), where.substring(last + 1));
        }

        @Override
        public String toString() {
            return binary + ":" + provider + ":" + name;
        }
    }

    /** @param pid the only process the probe fires in, or {@link Attacher#ALL_PROCESSES} */
    static Link attach(BpfProgram p, String where, int pid) {
        return attach(p, Target.parse(p, where), 0, pid);
    }

    /** Attaches to every call site of the probe; {@code cookie} is what bpf_usdt_cookie() returns. */
    static Link attach(BpfProgram p, Target target, long cookie, int pid) {
        String who = "program " + p.name() + " (" + p.spec().section() + ")";
        BpfMap specs = p.objectMap(SPECS_MAP).orElseThrow(() -> new AttachException(who + " is a USDT program but its "
                + "object has no " + SPECS_MAP + " map: bpf4j fills the argument specs of libbpf's BPF-side header, so "
                + "write the program with #include <bpf/usdt.bpf.h> (BPF_USDT, bpf_usdt_arg)"));
        if (specs.spec().valueSize() != UsdtArgs.SPEC_SIZE) {
            throw new AttachException(who + ": the " + SPECS_MAP + " map holds " + specs.spec().valueSize() + "-byte values, "
                    + "not the " + UsdtArgs.SPEC_SIZE + "-byte struct __bpf_usdt_spec bpf4j writes; this usdt.bpf.h is a "
                    + "version bpf4j does not know");
        }
        if (!KernelFeatures.bpfCookies()) {
            throw new AttachException(who + ": USDT needs BPF cookies on perf event links (Linux 5.15+), which this kernel "
                    + "lacks; bpf4j passes each call site's argument spec to usdt.bpf.h through the cookie");
        }
        List<UsdtNotes.Probe> sites = sites(target);
        int pmu = Uprobes.pmuType(who);
        List<AutoCloseable> owned = new ArrayList<>();
        List<Fd> links = new ArrayList<>();
        // Where the uprobe PMU takes a semaphore's offset: read once, and only when a call site has one.
        int refCtrShift = sites.stream().anyMatch(site -> site.semaphoreOffset() != 0)
                ? Uprobes.refCtrShift("USDT " + target) : 0;
        SpecIds ids = new SpecIds(specs);
        owned.add(ids);
        try {
            Map<List<UsdtArgs.Arg>, Integer> idOf = new LinkedHashMap<>();
            for (UsdtNotes.Probe site : sites) {
                String at = "USDT " + target.provider() + ":" + target.name() + " at 0x" + Long.toHexString(site.address())
                        + " in " + target.binary();
                List<UsdtArgs.Arg> args = UsdtArgs.parse(site.arguments(), at);
                // Call sites whose arguments sit in the same places share one spec.
                Integer id = idOf.get(args);
                if (id == null) {
                    id = ids.allocate(who);
                    specs.update(intKey(id), UsdtArgs.spec(args, cookie), Bpf.ANY);
                    idOf.put(args, id);
                }
                long config = site.semaphoreOffset() == 0 ? 0 : site.semaphoreOffset() << refCtrShift;
                Fd event = Uprobes.openEvent(p, PerfEventAttr.probe(pmu, target.binary().toString(), site.fileOffset(), false)
                        .withConfig(config), pid, at);
                owned.add(event);
                links.add(link(p, event, id, at));
            }
        } catch (RuntimeException e) {
            links.forEach(Fd::close);
            closeAll(owned);
            throw e;
        }
        // Link closes its links, then the rest in reverse: the events, the spec ids.
        return new Link(p, "usdt " + target + " (" + sites.size() + (sites.size() == 1 ? " call site" : " call sites")
                + (pid == Attacher.ALL_PROCESSES ? ")" : ", process " + pid + ")"), links, owned, null);
    }

    /** The call sites of the target probe, or an error that says what the binary has instead. */
    static List<UsdtNotes.Probe> sites(Target target) {
        Path binary = target.binary();
        if (!Files.isRegularFile(binary)) {
            throw new AttachException("USDT target " + target + ": " + binary + " does not exist or is not a file; give the "
                    + "path of the executable or shared library that has the probe");
        }
        ElfFile elf;
        try {
            elf = ElfFile.read(binary);
        } catch (IOException | ElfFormatException e) {
            throw new AttachException("USDT target " + target + ": cannot read " + binary + " as an ELF file: " + e.getMessage(), e);
        }
        if (elf.machine() != ElfFile.EM_X86_64) {
            throw new AttachException("USDT target " + target + ": bpf4j reads USDT arguments of x86-64 binaries only");
        }
        List<UsdtNotes.Probe> all = UsdtNotes.read(elf).orElseThrow(() -> new AttachException("USDT target " + target
                + ": " + binary + " has no USDT probes (no " + UsdtNotes.SECTION + " section); list a binary's probes with: "
                + "readelf -n " + binary));
        List<UsdtNotes.Probe> sites = all.stream()
                .filter(n -> n.provider().equals(target.provider()) && n.name().equals(target.name())).toList();
        if (sites.isEmpty()) {
            TreeSet<String> known = new TreeSet<>();
            all.forEach(n -> known.add(n.id()));
            throw new AttachException("USDT target " + target + ": " + binary + " has no probe " + target.provider() + ":"
                    + target.name() + (known.isEmpty() ? "; its " + UsdtNotes.SECTION + " section is empty"
                    : "; its probes are: " + String.join(", ", known)));
        }
        return sites;
    }

    private static Fd link(BpfProgram p, Fd event, int specId, String at) {
        try {
            return Bpf.linkCreate(new LinkCreateAttr(p.fd(), event.value(), AttachType.PERF_EVENT, 0,
                    new LinkCreateAttr.PerfEvent(specId)));
        } catch (BpfException e) {
            throw new AttachException("program " + p.name() + ": the kernel refused to link it to the uprobe of " + at
                    + " (" + e.getMessage() + "); USDT programs are SEC(\"usdt...\") kprobe-type programs", e);
        }
    }

    private static byte[] intKey(int id) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(id).array();
    }

    private static void closeAll(List<AutoCloseable> owned) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception ignored) {
                // Releasing the rest matters more than why one failed.
            }
        }
    }

    /** The spec ids one attachment holds in a specs map; closing it frees them for later attachments. */
    private static final class SpecIds implements AutoCloseable {
        private final BpfMap map;
        private final List<Integer> mine = new ArrayList<>();

        SpecIds(BpfMap map) {
            this.map = map;
        }

        int allocate(String who) {
            synchronized (USED_IDS) {
                BitSet used = USED_IDS.computeIfAbsent(map, m -> new BitSet());
                int id = used.nextClearBit(0);
                if (id >= map.spec().maxEntries()) {
                    throw new AttachException(who + ": all " + map.spec().maxEntries() + " USDT argument specs of "
                            + SPECS_MAP + " are in use; define BPF_USDT_MAX_SPEC_CNT higher before including usdt.bpf.h "
                            + "(or resize the map before load)");
                }
                used.set(id);
                mine.add(id);
                return id;
            }
        }

        @Override
        public void close() {
            synchronized (USED_IDS) {
                BitSet used = USED_IDS.get(map);
                if (used != null) {
                    mine.forEach(used::clear);
                }
                mine.clear();
            }
        }
    }
}

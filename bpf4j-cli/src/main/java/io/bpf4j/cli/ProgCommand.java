package io.bpf4j.cli;

import io.bpf4j.Bpf4jException;
import io.bpf4j.host.Mounts;
import io.bpf4j.link.Attacher;
import io.bpf4j.link.Link;
import io.bpf4j.load.BpfObject;
import io.bpf4j.load.BpfProgram;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.ObjectKind;
import io.bpf4j.sys.ProgInfo;
import io.bpf4j.sys.ProgType;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code bpf4j prog}: programs in the kernel, as {@code bpftool prog} shows and manages them. */
final class ProgCommand implements Verb {
    @Override
    public void declare(Args a) {
        a.describe("List, show, load (pinned) and unload programs in the kernel.")
                .verb("list", ListCmd::new)
                .verb("show", Show::new)
                .verb("load", Load::new)
                .verb("unload", Unload::new);
    }

    /** Options shared by list and show. */
    abstract static class Listing implements Verb {
        boolean json;
        boolean stats;

        void declareListing(Args a) {
            a.flag("--json", "One JSON array of programs.", () -> json = true)
                    .flag("--stats", "Turn on the kernel's BPF run-time statistics while listing (run_cnt, run_time_ns).",
                            () -> stats = true);
        }

        void print(List<ProgInfo> infos) {
            PrintStream out = System.out;
            if (json) {
                out.println(Json.write(infos.stream().map(Listing::row).toList()));
                return;
            }
            for (ProgInfo i : infos) {
                Map<String, Object> r = row(i);
                out.printf("%d: %s  name %s  tag %s%n", i.id(), r.get("type"), i.name(), i.tag());
                out.printf("\tloaded_at %s  uid %d%n", r.get("loaded_at"), i.createdByUid());
                out.printf("\txlated %dB  jited %dB  insns %d%s%n", i.xlatedProgLen(), i.jitedProgLen(), i.xlatedProgLen() / 8,
                        i.mapIds().length == 0 ? "" : "  map_ids " + String.join(",", Arrays.stream(i.mapIds()).mapToObj(Integer::toString).toList()));
                if (i.runCnt() > 0 || i.runTimeNs() > 0) {
                    out.printf("\trun_cnt %d  run_time_ns %d%n", i.runCnt(), i.runTimeNs());
                }
            }
        }

        static Map<String, Object> row(ProgInfo i) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", i.id());
            ProgType t = i.progType();
            r.put("type", t == null ? Integer.toString(i.type()) : t.name().toLowerCase(java.util.Locale.ROOT));
            r.put("name", i.name());
            r.put("tag", i.tag());
            r.put("loaded_at", loadedAt(i.loadTimeNs()));
            r.put("uid", i.createdByUid());
            r.put("insns", i.xlatedProgLen() / 8);
            r.put("bytes_xlated", i.xlatedProgLen());
            r.put("bytes_jited", i.jitedProgLen());
            r.put("map_ids", Arrays.stream(i.mapIds()).boxed().toList());
            r.put("run_cnt", i.runCnt());
            r.put("run_time_ns", i.runTimeNs());
            return r;
        }

        /** load_time is nanoseconds since boot: turn it into wall-clock time via /proc/uptime. */
        static String loadedAt(long sinceBootNs) {
            long boot = BOOT_MILLIS;
            if (boot < 0) {
                return sinceBootNs + "ns after boot";
            }
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.ofEpochMilli(boot + sinceBootNs / 1_000_000)
                    .atZone(ZoneId.systemDefault()).withNano(0));
        }

        /** Wall-clock time of boot (now minus /proc/uptime), read once per command; -1 when unknown. */
        private static final long BOOT_MILLIS = bootMillis();

        private static long bootMillis() {
            try {
                double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
                return System.currentTimeMillis() - (long) (uptime * 1000);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        <T> T withStats(Callable<T> body) throws Exception {
            if (!stats) {
                return body.call();
            }
            try (Fd on = Bpf.enableStats()) {
                return body.call();
            }
        }
    }

    static final class ListCmd extends Listing {
        @Override
        public void declare(Args a) {
            a.describe("Every program loaded in the kernel.");
            declareListing(a);
        }

        @Override
        public Integer call() throws Exception {
            List<ProgInfo> infos = withStats(ProgCommand::all);
            print(infos);
            return 0;
        }
    }

    static List<ProgInfo> all() {
        List<ProgInfo> out = new ArrayList<>();
        for (int id : Bpf.ids(ObjectKind.PROG)) {
            try (Fd fd = Bpf.fdById(ObjectKind.PROG, id)) {
                out.add(Bpf.progInfo(fd));
            } catch (BpfException.NotFound gone) {
                // unloaded between listing and opening: not there any more
            }
        }
        return out;
    }

    static final class Show extends Listing {
        String which;

        @Override
        public void declare(Args a) {
            a.describe("One program by id or pinned path (all when none is given).")
                    .optionalParameter("ID|PIN", "A program id or a path on bpffs.", v -> which = v);
            declareListing(a);
        }

        @Override
        public Integer call() throws Exception {
            if (which == null) {
                print(withStats(ProgCommand::all));
                return 0;
            }
            print(withStats(() -> {
                try (Fd fd = which.matches("\\d+") ? Bpf.fdById(ObjectKind.PROG, Integer.parseInt(which)) : Bpf.objGet(Path.of(which), 0)) {
                    return List.of(Bpf.progInfo(fd));
                } catch (BpfException.NotFound e) {
                    throw new Bpf4jException("no program " + which + " (list them with: bpf4j prog list)");
                }
            }));
            return 0;
        }
    }

    static final class Load implements Verb {
        Path file;
        Path pinDir;
        boolean autoattach;
        final List<String> programTargets = new ArrayList<>();
        final LoadOptions loading = new LoadOptions();

        @Override
        public void declare(Args a) {
            a.describe("Load every program of an object and pin it under PINDIR (bpftool prog loadall); --autoattach also "
                            + "attaches and pins the links.")
                    .parameter("OBJ", "A BPF object (.bpf.o) or C source.", v -> file = Path.of(v))
                    .parameter("PINDIR", "A directory on bpffs, e.g. /sys/fs/bpf/myprog (created).", v -> pinDir = Path.of(v))
                    .flag("--autoattach", "Attach programs whose section names say where, and pin their links.", () -> autoattach = true)
                    .repeatable("--attach", "PROG=PROGRAM", "The loaded program whose function PROG replaces (freplace) or traces "
                            + "(fentry, fexit): a pinned path, id:N or the program's name.", programTargets::add);
            loading.declare(a);
        }

        @Override
        public Integer call() throws Exception {
            if (!Mounts.current().onBpffs(pinDir.toAbsolutePath().getParent() == null ? pinDir : pinDir.toAbsolutePath())) {
                throw new Bpf4jException(pinDir + " is not on a bpffs mount; use a path under /sys/fs/bpf (mount it with: mount -t bpf bpf /sys/fs/bpf)");
            }
            if (Files.exists(pinDir)) {
                throw new Bpf4jException(pinDir + " already exists; unload it first (bpf4j prog unload " + pinDir + ") or pick another directory");
            }
            Path build = ObjectInput.isSource(file) ? ObjectInput.tempBuildDir() : null;
            List<Link> links = new ArrayList<>();
            try (BpfObject obj = ObjectInput.open(ObjectInput.object(file, build, System.err))) {
                loading.applySettings(obj);
                RunCommand.parseTargets(programTargets).forEach((prog, ref) -> LoadOptions.applyProgramTarget(obj, prog, ref));
                loading.load(obj::load);
                Files.createDirectories(pinDir);
                try {
                    for (BpfProgram p : obj.programs()) {
                        Bpf.objPin(p.fd(), pinDir.resolve(p.name()));
                        System.out.println("pinned " + p.name() + " at " + pinDir.resolve(p.name()));
                        if (autoattach && (Attacher.autoAttachable(p) || p.targetFunction().isPresent())) {
                            Link l = Attacher.attach(p);
                            links.add(l);
                            List<Path> pins = l.pin(pinDir.resolve(p.name() + "_link"));
                            System.out.println("attached " + p.name() + " to " + l.description() + ", link"
                                    + (pins.size() == 1 ? "" : "s") + " pinned at " + String.join(", ", pins.stream().map(Path::toString).toList()));
                        }
                    }
                    if (autoattach) {
                        registerStructOps(obj, pinDir, links);
                    }
                } catch (RuntimeException e) {
                    removePins(pinDir);
                    throw e;
                }
            } finally {
                links.forEach(Link::close);
                ObjectInput.deleteTree(build);
            }
            return 0;
        }
    }

    static final class Unload implements Verb {
        Path pinDir;

        @Override
        public void declare(Args a) {
            a.describe("Remove the pins under PINDIR, so the kernel frees those programs and links.")
                    .parameter("PINDIR", "A directory made by 'bpf4j prog load' or 'bpf4j run --pin'.", v -> pinDir = Path.of(v));
        }

        @Override
        public Integer call() {
            if (!Files.isDirectory(pinDir)) {
                throw new Bpf4jException(pinDir + " is not a directory of pins");
            }
            int n = removePins(pinDir);
            System.out.println("removed " + n + " pin(s) and " + pinDir);
            return 0;
        }
    }

    /**
     * struct_ops maps are what attaches their programs: one registered with a BPF link is pinned like
     * any link; one registered by a map update cannot outlive this process, so it is not registered.
     */
    private static void registerStructOps(BpfObject obj, Path pinDir, List<Link> links) {
        for (io.bpf4j.load.BpfMap m : obj.maps()) {
            if (m.structOpsValue().isEmpty()) {
                continue;
            }
            if (!m.registersWithLink()) {
                System.out.println("not registered: struct_ops map " + m.name() + " registers by a map update, which "
                        + "lasts only while a process holds it; put it in SEC(\".struct_ops.link\") (Linux 6.4+), or use 'bpf4j run'");
                continue;
            }
            Link l = io.bpf4j.link.StructOps.register(m);
            links.add(l);
            Path at = l.pin(pinDir.resolve(m.name() + "_link")).getFirst();
            System.out.println("registered " + l.description() + ", link pinned at " + at);
        }
    }

    static int removePins(Path dir) {
        int n = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
                n++;
            }
            Files.delete(dir);
        } catch (IOException e) {
            throw new Bpf4jException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
        return n;
    }
}

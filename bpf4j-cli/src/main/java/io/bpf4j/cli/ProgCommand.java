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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
@Command(name = "prog", description = "List, show, load (pinned) and unload programs in the kernel.",
        subcommands = {ProgCommand.ListCmd.class, ProgCommand.Show.class, ProgCommand.Load.class, ProgCommand.Unload.class})
final class ProgCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options shared by list and show. */
    static class Listing {
        @Option(names = "--json", description = "One JSON array of programs.")
        boolean json;

        @Option(names = "--stats", description = "Turn on the kernel's BPF run-time statistics while listing (run_cnt, run_time_ns).")
        boolean stats;

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

    @Command(name = "list", description = "Every program loaded in the kernel.")
    static final class ListCmd extends Listing implements Callable<Integer> {
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

    @Command(name = "show", description = "One program by id or pinned path (all when none is given).")
    static final class Show extends Listing implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "ID|PIN", description = "A program id or a path on bpffs.")
        String which;

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

    @Command(name = "load", description = "Load every program of an object and pin it under PINDIR (bpftool prog loadall); "
            + "--autoattach also attaches and pins the links.")
    static final class Load implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "OBJ", description = "A BPF object (.bpf.o) or C source.")
        Path file;

        @Parameters(index = "1", paramLabel = "PINDIR", description = "A directory on bpffs, e.g. /sys/fs/bpf/myprog (created).")
        Path pinDir;

        @Option(names = "--autoattach", description = "Attach programs whose section names say where, and pin their links.")
        boolean autoattach;

        @Mixin
        LoadOptions loading = new LoadOptions();

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
                loading.load(obj::load);
                Files.createDirectories(pinDir);
                try {
                    for (BpfProgram p : obj.programs()) {
                        Bpf.objPin(p.fd(), pinDir.resolve(p.name()));
                        System.out.println("pinned " + p.name() + " at " + pinDir.resolve(p.name()));
                        if (autoattach && Attacher.autoAttachable(p)) {
                            Link l = Attacher.attach(p);
                            links.add(l);
                            List<Path> pins = l.pin(pinDir.resolve(p.name() + "_link"));
                            System.out.println("attached " + p.name() + " to " + l.description() + ", link"
                                    + (pins.size() == 1 ? "" : "s") + " pinned at " + String.join(", ", pins.stream().map(Path::toString).toList()));
                        }
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

    @Command(name = "unload", description = "Remove the pins under PINDIR, so the kernel frees those programs and links.")
    static final class Unload implements Callable<Integer> {
        @Parameters(paramLabel = "PINDIR", description = "A directory made by 'bpf4j prog load' or 'bpf4j run --pin'.")
        Path pinDir;

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

package io.bpf4j.load;

import io.bpf4j.host.Mounts;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.ProgInfo;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every test program loaded by libbpf (bpftool 7.1's prog loadall) and by bpf4j must give the kernel
 * the same programs: their translated instructions are compared, with map references (which name
 * different map instances) blanked out. Where libbpf refuses an object, bpf4j must refuse it too,
 * except for the few it loads on purpose ({@link #BPF4J_ONLY}).
 */
@Requires({Requirement.ROOT, Requirement.CLANG, Requirement.BPFTOOL})
class LibbpfDifferentialTest {
    /**
     * Objects bpf4j loads and the reference libbpf (1.1) refuses, each for a reason newer libbpf or the
     * kernel's own samples share: a difference asserted both ways, not skipped.
     */
    private static final Map<String, String> BPF4J_ONLY = Map.of(
            "legacy_maps.bpf.c", "the legacy 'maps' section (struct bpf_map_def), which libbpf 1.0 dropped",
            "net_hooks.bpf.c", "tc/ingress and tc/egress sections (tcx), libbpf 1.3+",
            "targets.bpf.c", "sk_skb/verdict, libbpf 1.2+",
            "guest_newer.bpf.c", "netkit/primary, libbpf 1.4+");

    static Stream<String> everyTestProgram() {
        return TestPrograms.all().stream();
    }

    @ParameterizedTest
    @MethodSource("everyTestProgram")
    void sameXlatedInstructionsAsLibbpf(String source) throws Exception {
        Path obj = withoutNoAutoload(TestPrograms.compile(source));
        Path bpffs = Mounts.current().bpffs().orElseThrow(() -> new AssertionError("bpffs is not mounted"));
        Path pins = bpffs.resolve("bpf4j-diff-" + ProcessHandle.current().pid());
        Map<String, byte[]> libbpf = new LinkedHashMap<>();
        Bpftool.Result r = Bpftool.tryRun("prog", "loadall", obj.toString(), pins.toString());
        try {
            if (BPF4J_ONLY.containsKey(source)) {
                assertTrue(r.exitCode() != 0, "libbpf 1.1 was expected to refuse " + source + ": " + BPF4J_ONLY.get(source));
                try (BpfObject o = BpfObject.open(obj).load()) {
                    assertFalse(o.programs().isEmpty(), source);
                }
                return;
            }
            if (r.exitCode() != 0) {
                // Where libbpf refuses, bpf4j must refuse too, with a message of its own.
                try (BpfObject o = BpfObject.open(obj)) {
                    LoadException e = org.junit.jupiter.api.Assertions.assertThrows(LoadException.class, o::load,
                            "libbpf refused " + source + " (" + r.stderr().strip() + ") but bpf4j loaded it");
                    assertFalse(e.getMessage().isBlank());
                }
                return;
            }
            if (io.bpf4j.spec.ObjectReader.read(obj).programs().isEmpty()) {
                // Types only (a pretend kernel's BTF): libbpf loads nothing and succeeds; so must bpf4j.
                try (BpfObject o = BpfObject.open(obj).load()) {
                    assertTrue(o.programs().isEmpty(), source);
                }
                return;
            }
            try (Stream<Path> pinned = Files.list(pins)) {
                for (Path p : pinned.toList()) {
                    try (Fd fd = Bpf.objGet(p, 0)) {
                        ProgInfo info = Bpf.progInfo(fd, true);
                        libbpf.put(info.name(), info.xlatedInsns());
                    }
                }
            }
        } finally {
            // libbpf pins maps marked LIBBPF_PIN_BY_NAME under /sys/fs/bpf: remove what it left.
            for (io.bpf4j.spec.MapSpec m : io.bpf4j.spec.ObjectReader.read(obj).maps()) {
                if (m.pinning() == io.bpf4j.spec.MapSpec.Pinning.BY_NAME) {
                    Files.deleteIfExists(bpffs.resolve(m.name()));
                }
            }
            if (Files.isDirectory(pins)) {
                try (Stream<Path> s = Files.list(pins)) {
                    for (Path p : s.toList()) {
                        Files.delete(p);
                    }
                }
                Files.delete(pins);
            }
        }
        assertFalse(libbpf.isEmpty(), "libbpf loaded programs from " + source);
        Path ownPins = Files.createDirectories(bpffs.resolve("bpf4j-diff-own-" + ProcessHandle.current().pid()));
        try (BpfObject o = BpfObject.open(obj).pinDirectory(ownPins).load()) {
            for (BpfProgram p : o.programs()) {
                ProgInfo info = Bpf.progInfo(p.fd(), true);
                byte[] theirs = libbpf.get(info.name());
                assertTrue(theirs != null, "libbpf loaded " + info.name() + " too; it loaded " + libbpf.keySet());
                assertEquals(normalised(theirs), normalised(info.xlatedInsns()), source + ": program " + info.name());
            }
            assertEquals(new java.util.TreeSet<>(libbpf.keySet()),
                    new java.util.TreeSet<>(o.programs().stream().map(p -> p.info().name()).toList()), "the same programs loaded");
        } finally {
            try (Stream<Path> left = Files.list(ownPins)) {
                for (Path p : left.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(ownPins);
        }
    }

    /**
     * bpftool 7.1 cannot pin programs libbpf did not load ('?' sections), so both loaders get a copy
     * whose '?' sections are renamed without the '?': every program is then loaded by both.
     */
    private static Path withoutNoAutoload(Path obj) throws java.io.IOException {
        byte[] bytes = Files.readAllBytes(obj);
        io.bpf4j.elf.ElfFile elf = io.bpf4j.elf.ElfFile.parse(bytes);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(40);
        boolean changed = false;
        for (io.bpf4j.elf.ElfSection s : elf.sections()) {
            if (s.name().startsWith("?")) {
                int at = (int) (shoff + 64L * s.index());
                b.putInt(at, b.getInt(at) + 1); // sh_name now points past the '?'
                changed = true;
            }
        }
        if (!changed) {
            return obj;
        }
        Path copy = obj.resolveSibling(obj.getFileName().toString().replace(".o", ".all.o"));
        Files.write(copy, bytes);
        return copy;
    }

    /** Hex of the instructions, one per line, with the immediates of 64-bit loads (map pointers, ids) blanked. */
    private static String normalised(byte[] insns) {
        ByteBuffer b = ByteBuffer.wrap(insns.clone()).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i + 8 <= insns.length; i += 8) {
            if ((insns[i] & 0xff) == 0x18 && i + 16 <= insns.length) {
                b.putInt(i + 4, 0);
                b.putInt(i + 12, 0);
                out.append(HexFormat.of().formatHex(b.array(), i, i + 8)).append('\n');
                out.append(HexFormat.of().formatHex(b.array(), i + 8, i + 16)).append('\n');
                i += 8;
                continue;
            }
            out.append(HexFormat.of().formatHex(b.array(), i, i + 8)).append('\n');
        }
        return out.toString();
    }
}

package io.bpf4j.load;

import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.TestRun;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Programs loaded against a function of another loaded program (freplace, fentry/fexit on a BPF
 * program) on this host: finding the function in the target's BTF as bpftool shows it, every error
 * a user can cause, and the load itself. This host refuses BPF trampolines, so the load ends in the
 * explanation; ProgramTargetGuestTest replaces and traces for real on a kernel that allows them.
 */
@Requires({Requirement.ROOT, Requirement.CLANG, Requirement.BPFTOOL})
class TargetFunctionTest {
    private static BpfObject target() throws IOException {
        return BpfObject.open(TestPrograms.compile("freplace_target.bpf.c")).load();
    }

    private static BpfObject replacements() throws IOException {
        return BpfObject.open(TestPrograms.compile("freplace.bpf.c"));
    }

    /** bpftool's line for FUNC {@code name} in the BTF the program was loaded with: id and linkage. */
    private static Matcher bpftoolFunc(Fd program, String name) {
        String dump = Bpftool.run("btf", "dump", "id", Integer.toString(Bpf.progInfo(program).btfId()));
        Matcher m = Pattern.compile("\\[(\\d+)] FUNC '" + name + "' type_id=\\d+ linkage=(\\w+)").matcher(dump);
        assertTrue(m.find(), name + " in bpftool's dump:\n" + dump);
        return m;
    }

    @Test
    void findsTheFunctionInTheTargetsBtfAsBpftoolShowsIt() throws IOException {
        try (BpfObject t = target()) {
            Fd entry = t.program("xdp_entry").fd();
            for (String name : new String[] {"decide", "count_run"}) {
                Matcher expected = bpftoolFunc(entry, name);
                try (TargetFunction f = TargetFunction.find(entry, name)) {
                    assertEquals(Integer.parseInt(expected.group(1)), f.btfId(), name);
                    assertEquals(expected.group(2).equals("global"), f.isGlobal(), name + " is " + expected.group(2));
                    assertEquals(Bpf.progInfo(entry).id(), f.programId());
                    assertEquals("xdp_entry", f.programName());
                }
            }
        }
    }

    @Test
    void aStaticFunctionIsRefusedWithTheFix() throws IOException {
        try (BpfObject t = target(); BpfObject r = replacements()) {
            LoadException e = assertThrows(LoadException.class,
                    () -> r.attachTarget("replace_static", t.program("xdp_entry").fd(), null));
            assertTrue(e.getMessage().contains("cannot replace count_run of program xdp_entry")
                    && e.getMessage().contains("remove 'static' from count_run"), e.getMessage());
        }
    }

    @Test
    void aMissingFunctionListsTheTargetsFunctions() throws IOException {
        try (BpfObject t = target(); BpfObject r = replacements()) {
            LoadException e = assertThrows(LoadException.class,
                    () -> r.attachTarget("replace_missing", t.program("xdp_entry").fd(), null));
            assertTrue(e.getMessage().contains("has no function no_such_function; its functions are: ")
                    && e.getMessage().contains("decide") && e.getMessage().contains("count_run")
                    && e.getMessage().contains("xdp_entry"), e.getMessage());
            LoadException unnamed = assertThrows(LoadException.class,
                    () -> r.attachTarget("replace_unnamed", t.program("xdp_entry").fd(), null));
            assertTrue(unnamed.getMessage().contains("names no function: write freplace/FUNCTION"), unnamed.getMessage());
        }
    }

    @Test
    void onlyProgramsThatCanTargetAProgramTakeOne() throws IOException {
        try (BpfObject t = target(); BpfObject other = BpfObject.open(TestPrograms.compile("freplace_target.bpf.c"))) {
            LoadException e = assertThrows(LoadException.class,
                    () -> other.attachTarget("xdp_entry", t.program("xdp_entry").fd(), "decide"));
            assertTrue(e.getMessage().contains("only freplace, fentry and fexit programs can"), e.getMessage());
        }
    }

    @Test
    void aFreplaceProgramWithoutTargetSaysHowToNameOne() throws IOException {
        try (BpfObject r = replacements().autoload("after_entry", false)) {
            LoadException e = assertThrows(LoadException.class, r::load);
            assertTrue(e.getMessage().contains("--attach drop_instead=PROGRAM (a pinned path, id:N or a loaded program's name)"),
                    e.getMessage());
        }
    }

    /**
     * Loaded against xdp_entry's decide(): on a kernel that allows trampolines the target returns
     * XDP_DROP once attached; on this host the kernel refuses, and the error says why.
     */
    @Test
    void loadsAgainstTheTargetOrExplainsTheRefusal() throws IOException {
        try (BpfObject t = target(); BpfObject r = replacements().autoload("after_entry", false)) {
            BpfProgram entry = t.program("xdp_entry");
            r.attachTarget("drop_instead", entry.fd(), null);
            try {
                r.load();
            } catch (LoadException refused) {
                assertTrue(refused.getMessage().contains("this kernel refuses freplace programs (EPERM"), refused.getMessage());
                return;
            }
            try (var link = io.bpf4j.link.Attacher.attach(r.program("drop_instead"))) {
                assertEquals(1, entry.testRun(TestRun.ofData(new byte[64])).retval(), "XDP_DROP from the replacement");
            }
            assertEquals(2, entry.testRun(TestRun.ofData(new byte[64])).retval(), "XDP_PASS again");
        }
    }

    @Test
    void loadedProgramsAreFoundByPathIdAndName() throws IOException {
        Path dir = Path.of("/sys/fs/bpf/bpf4j-target-function-test");
        try (BpfObject t = target()) {
            Fd entry = t.program("xdp_entry").fd();
            int id = Bpf.progInfo(entry).id();
            Files.createDirectories(dir);
            Bpf.objPin(entry, dir.resolve("entry"));
            Bpf.objPin(t.maps().getFirst().fd(), dir.resolve("map"));
            try (Fd byPath = LoadedPrograms.open(dir.resolve("entry").toString());
                 Fd byId = LoadedPrograms.open("id:" + id);
                 Fd byName = LoadedPrograms.open("xdp_entry")) {
                assertEquals(id, Bpf.progInfo(byPath).id());
                assertEquals(id, Bpf.progInfo(byId).id());
                assertEquals(id, Bpf.progInfo(byName).id());
            }
            LoadException map = assertThrows(LoadException.class, () -> LoadedPrograms.open(dir.resolve("map").toString()));
            assertTrue(map.getMessage().contains("is not a pinned program (it is a pinned bpf-map)"), map.getMessage());
            LoadException directory = assertThrows(LoadException.class, () -> LoadedPrograms.open(dir.toString()));
            assertTrue(directory.getMessage().contains(dir + " is not a pinned BPF object; name the program's pin inside it, e.g. "
                    + dir.resolve("PROG")), directory.getMessage());
            LoadException notAProgram = assertThrows(LoadException.class, () -> TargetFunction.find(t.maps().getFirst().fd(), "decide"));
            assertTrue(notAProgram.getMessage().contains("is a bpf-map, not a program"), notAProgram.getMessage());
            try (BpfObject second = target()) {
                int other = Bpf.progInfo(second.program("xdp_entry").fd()).id();
                LoadException twice = assertThrows(LoadException.class, () -> LoadedPrograms.open("xdp_entry"));
                assertTrue(twice.getMessage().contains("2 loaded programs are named xdp_entry")
                        && twice.getMessage().contains(Integer.toString(id)) && twice.getMessage().contains(Integer.toString(other))
                        && twice.getMessage().contains("give id:N"), twice.getMessage());
            }
        } finally {
            try (Stream<Path> pins = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
                for (Path p : pins.toList()) {
                    Files.delete(p);
                }
            }
            Files.deleteIfExists(dir);
        }
        for (String ref : new String[] {"id:2147483647", "id:x", "bpf4j_no_such_p", "/sys/fs/bpf/bpf4j-no-such-pin"}) {
            LoadException e = assertThrows(LoadException.class, () -> LoadedPrograms.open(ref));
            assertTrue(e.getMessage().contains("give a pinned path (/sys/fs/bpf/...), id:N or the name of a loaded program"),
                    ref + ": " + e.getMessage());
        }
    }

    @Test
    void failedTargetsLeakNoFd() throws IOException {
        try (BpfObject t = target()) {
            Fd entry = t.program("xdp_entry").fd();
            long before = openFds();
            for (int i = 0; i < 50; i++) {
                try (BpfObject r = replacements().autoload("after_entry", false)) {
                    assertThrows(LoadException.class, () -> r.attachTarget("replace_static", entry, null));
                    assertThrows(LoadException.class, () -> r.attachTarget("replace_missing", entry, null));
                    r.attachTarget("drop_instead", entry, null);
                    r.attachTarget("drop_instead", entry, "decide"); // replaces the first: its fd is closed
                }
                assertThrows(LoadException.class, () -> LoadedPrograms.open("id:2147483647"));
                assertThrows(LoadException.class, () -> LoadedPrograms.open("bpf4j_no_such_p"));
                try (Fd byName = LoadedPrograms.open("xdp_entry")) {
                    assertTrue(byName.isOpen());
                }
                try (BpfObject r = replacements().autoload("after_entry", false)) {
                    r.attachTarget("drop_instead", entry, null);
                    r.load(); // a kernel with trampolines loads it; closing releases the same fds
                } catch (LoadException refusedHere) {
                    // this host: the failed load released the target's duplicate with everything else
                }
            }
            assertFalse(openFds() > before, "fds before " + before + ", after " + openFds());
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}

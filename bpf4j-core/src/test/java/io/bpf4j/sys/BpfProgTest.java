package io.bpf4j.sys;

import io.bpf4j.asm.Instruction;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.bpf4j.asm.Opcodes.ADD;
import static io.bpf4j.asm.Opcodes.MUL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Requires({Requirement.ROOT, Requirement.BPFTOOL})
class BpfProgTest {
    /** r0 = 6; r0 *= 7; exit: a socket filter returning 42. */
    static byte[] returns42() {
        return Instruction.encode(Instruction.mov64(0, 6), Instruction.alu64(MUL, 0, 7), Instruction.exit());
    }

    static Fd load42(String name) {
        return Bpf.progLoad(ProgLoadAttr.of(ProgType.SOCKET_FILTER, returns42(), "GPL").withName(name));
    }

    @Test
    void loadsAndTestRunsRawInstructions() {
        try (Fd prog = load42("bpf4j_ret42")) {
            TestRun.Result r = Bpf.progTestRun(prog, TestRun.ofData(new byte[64]).withRepeat(10));
            assertEquals(42, r.retval());
            assertTrue(r.durationNs() >= 0);
            ProgInfo info = Bpf.progInfo(prog, true);
            assertEquals(ProgType.SOCKET_FILTER, info.progType());
            assertEquals("bpf4j_ret42", info.name());
            assertEquals(3, info.xlatedInsns().length / 8);
            assertTrue(info.verifiedInsns() >= 3, "verified " + info.verifiedInsns());
        }
    }

    @Test
    void verifierRejectionCarriesTheLog() {
        // r0 = r2; exit: r2 is never written, which the verifier reports as "R2 !read_ok".
        byte[] bad = Instruction.encode(Instruction.mov64Reg(0, 2), Instruction.exit());
        VerifierException e = assertThrows(VerifierException.class,
                () -> Bpf.progLoad(ProgLoadAttr.of(ProgType.SOCKET_FILTER, bad, "GPL").withName("bpf4j_bad")));
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.log().contains("R2 !read_ok"), e.log());
        assertTrue(e.getMessage().contains("program 'bpf4j_bad'") && e.getMessage().contains("R2 !read_ok"),
                e.getMessage());
    }

    @Test
    @SuppressWarnings("try")
    void tooSmallExplicitLogIsReportedAsSuch() {
        byte[] insns = Instruction.encode(Instruction.mov64(0, 0), Instruction.exit());
        BpfException.LogTooSmall e = assertThrows(BpfException.LogTooSmall.class, () -> Bpf.progLoad(
                ProgLoadAttr.of(ProgType.SOCKET_FILTER, insns, "GPL").withLog(2, 128)));
        assertTrue(e.logTrueSize() > 128, "true size " + e.logTrueSize());
        Bpf.LoadedProgram ok = Bpf.progLoadWithLog(ProgLoadAttr.of(ProgType.SOCKET_FILTER, insns, "GPL")
                .withLog(2, e.logTrueSize()));
        try (Fd fd = ok.fd()) {
            assertTrue(ok.log().contains("(b7) r0 = 0"), ok.log());
        }
    }

    @Test
    void failedLoadsLeakNoFileDescriptors() throws IOException {
        byte[] bad = Instruction.encode(Instruction.mov64Reg(0, 2), Instruction.exit());
        ProgLoadAttr attr = ProgLoadAttr.of(ProgType.SOCKET_FILTER, bad, "GPL");
        long before = openFds();
        for (int i = 0; i < 1000; i++) {
            assertThrows(VerifierException.class, () -> Bpf.progLoad(attr));
        }
        assertEquals(before, openFds());
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void enableStatsCountsRuns() {
        try (Fd prog = load42("bpf4j_stats")) {
            long before;
            try (Fd stats = Bpf.enableStats()) {
                before = Bpf.progInfo(prog).runCnt();
                Bpf.progTestRun(prog, TestRun.ofData(new byte[64]).withRepeat(5));
                ProgInfo after = Bpf.progInfo(prog);
                assertEquals(before + 5, after.runCnt());
                assertTrue(stats.isOpen());
            }
        }
    }

    @Test
    void nextIdFindsTheProgramAndBpftoolAgrees() {
        try (Fd prog = load42("bpf4j_seen")) {
            ProgInfo info = Bpf.progInfo(prog);
            assertTrue(Arrays.stream(Bpf.ids(ObjectKind.PROG)).anyMatch(id -> id == info.id()));
            String json = Bpftool.run("-j", "prog", "show", "id", Integer.toString(info.id()));
            assertEquals(info.name(), field(json, "name"));
            assertEquals(info.tag(), field(json, "tag"));
            try (Fd again = Bpf.fdById(ObjectKind.PROG, info.id())) {
                assertEquals(info.tag(), Bpf.progInfo(again).tag());
            }
        }
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }

    @Test
    void pinsAndGetsFromBpffs() throws Exception {
        Path dir = Path.of("/sys/fs/bpf");
        if (!Files.readString(Path.of("/proc/mounts")).contains(" /sys/fs/bpf bpf ")) {
            Process p = new ProcessBuilder("mount", "-t", "bpf", "bpf", "/sys/fs/bpf").inheritIO().start();
            assertEquals(0, p.waitFor());
        }
        Path pin = dir.resolve("bpf4j_test_pin_" + ProcessHandle.current().pid());
        try (Fd prog = load42("bpf4j_pinned")) {
            Bpf.objPin(prog, pin);
            try {
                assertThrows(BpfException.AlreadyExists.class, () -> Bpf.objPin(prog, pin));
                try (Fd got = Bpf.objGet(pin, 0)) {
                    assertEquals(Bpf.progInfo(prog).id(), Bpf.progInfo(got).id());
                }
                String json = Bpftool.run("-j", "prog", "show", "pinned", pin.toString());
                assertEquals("bpf4j_pinned", field(json, "name"));
            } finally {
                Files.deleteIfExists(pin);
            }
            assertThrows(BpfException.NotFound.class, () -> Bpf.objGet(pin, 0));
        }
    }

    @Test
    void addTwoRegistersSeesTheSum() {
        byte[] insns = Instruction.encode(Instruction.mov64(0, 40), Instruction.mov64(1, 2),
                Instruction.alu64Reg(ADD, 0, 1), Instruction.exit());
        try (Fd prog = Bpf.progLoad(ProgLoadAttr.of(ProgType.SOCKET_FILTER, insns, "GPL"))) {
            assertEquals(42, Bpf.progTestRun(prog, TestRun.ofData(new byte[20])).retval());
        }
    }
}

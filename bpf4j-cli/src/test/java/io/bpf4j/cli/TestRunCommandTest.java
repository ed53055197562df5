package io.bpf4j.cli;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bpf4j test-run as a user runs it (a separate process) on test_run.bpf.c: return values and globals
 * follow from that source and the input the command gives (a 64-byte frame by default, zeroed contexts).
 */
@Requires({Requirement.ROOT, Requirement.CLANG})
class TestRunCommandTest {
    private static Path object() {
        return TestPrograms.compile("test_run.bpf.c");
    }

    @Test
    void aPacketProgramRunsRepeatedlyWithItsGlobalsDecoded() throws Exception {
        CliProcess.Result r = CliProcess.run("test-run", object().toString(), "xdp_twice", "--set", "factor=3",
                "--repeat", "1000", "--data-size", "100", "--json");
        assertEquals(0, r.code(), r.output());
        String json = r.output().substring(r.output().indexOf('{'));
        assertTrue(json.matches("(?s)\\{\\s*\"program\": \"xdp_twice\",\\s*\"retval\": 2,\\s*\"duration_ns\": \\d+,\\s*\"globals\": \\{.*"),
                "the issue's shape, XDP_PASS: " + json);
        Matcher duration = Pattern.compile("\"duration_ns\": (\\d+)").matcher(json);
        assertTrue(duration.find() && Long.parseLong(duration.group(1)) > 0, "the kernel timed the runs: " + json);
        assertTrue(json.contains("\"factor\": 3"), "--set before load: " + json);
        assertTrue(json.contains("\"runs\": 1000"), json);
        assertTrue(json.contains("\"last\": 300"), "100 bytes of frame times 3: " + json);
        assertTrue(json.contains("\"word\": \"seen\""), "a char array as a string: " + json);
        assertTrue(json.replaceAll("\\s", "").contains("\"history\":[1000,997,998,999]"), "runs & 3 slots: " + json);
        assertTrue(json.replaceAll("\\s", "").contains("\"where\":{\"x\":-5,\"y\":300,\"tag\":\"ab\"}"), "a struct: " + json);
    }

    @Test
    void textOutputNamesTheAverage() throws Exception {
        CliProcess.Result r = CliProcess.run("test-run", object().toString(), "xdp_twice", "--repeat", "10");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("retval       2"), r.output());
        assertTrue(r.output().matches("(?s).*duration     \\d+ ns per run \\(average of 10\\).*"), r.output());
        assertTrue(r.output().contains("  word = seen"), r.output());
    }

    @Test
    void rawTracepointAndSyscallProgramsRunOncePerCallOnAZeroedContext() throws Exception {
        CliProcess.Result raw = CliProcess.run("test-run", object().toString(), "raw_args", "--repeat", "3", "--json");
        assertEquals(0, raw.code(), raw.output());
        String rawJson = raw.output().replaceAll("\\s", "");
        assertTrue(rawJson.contains("\"retval\":5,\"duration_ns\":null"), "untimed: " + raw.output());
        assertTrue(rawJson.contains("\"runs\":3") && rawJson.contains("\"raw_arg0\":0"), "3 calls, argument 0 read from the context: "
                + raw.output());

        CliProcess.Result sys = CliProcess.run("test-run", object().toString(), "syscall_sum");
        assertEquals(0, sys.code(), sys.output());
        assertTrue(sys.output().contains("retval       40"), "a zeroed struct call_args: " + sys.output());
        assertTrue(sys.output().contains("duration     not measured: the kernel runs syscall programs once per call"), sys.output());
    }

    /** The packet and context from files, and what the program left in them written back to files. */
    @Test
    void inputsFromFilesAndOutputsToFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        byte[] frame = new byte[80];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) (i * 3);
        }
        java.nio.file.Files.write(dir.resolve("in.bin"), frame);
        CliProcess.Result xdp = CliProcess.run("test-run", object().toString(), "xdp_mark", "--data-in", dir.resolve("in.bin").toString(),
                "--data-out", dir.resolve("out.bin").toString());
        assertEquals(0, xdp.code(), xdp.output());
        assertTrue(xdp.output().contains("retval       3"), "XDP_TX: " + xdp.output());
        byte[] expected = frame.clone();
        expected[0] += 1;
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, java.nio.file.Files.readAllBytes(dir.resolve("out.bin")),
                "the packet as the program left it: first byte plus one, the rest as sent");

        // struct call_args { int a; int b; } = {2, 3}, little-endian as this machine lays it out.
        java.nio.file.Files.write(dir.resolve("args.bin"), new byte[] {2, 0, 0, 0, 3, 0, 0, 0});
        CliProcess.Result sys = CliProcess.run("test-run", object().toString(), "syscall_sum", "--ctx-in", dir.resolve("args.bin").toString(),
                "--ctx-out", dir.resolve("args.out").toString());
        assertEquals(0, sys.code(), sys.output());
        assertTrue(sys.output().contains("retval       45"), "2 + 3 + 40: " + sys.output());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {45, 0, 0, 0, 3, 0, 0, 0},
                java.nio.file.Files.readAllBytes(dir.resolve("args.out")), "a = the sum, written back by the program");

        CliProcess.Result wrong = CliProcess.run("test-run", object().toString(), "syscall_sum", "--data-in", dir.resolve("in.bin").toString());
        assertEquals(1, wrong.code(), wrong.output());
        assertTrue(wrong.output().contains("--data-in and --data-out are for packet programs") && wrong.output().contains("--ctx-in"),
                wrong.output());
        CliProcess.Result missing = CliProcess.run("test-run", object().toString(), "xdp_mark", "--data-in", dir.resolve("nope").toString());
        assertEquals(1, missing.code(), missing.output());
        assertTrue(missing.output().contains("--data-in " + dir.resolve("nope") + ": cannot read it"), missing.output());
    }

    @Test
    void aKindTheKernelCannotRunSaysWhatToDoInstead() throws Exception {
        CliProcess.Result r = CliProcess.run("test-run", object().toString(), "not_runnable");
        assertEquals(1, r.code(), r.output());
        assertTrue(r.output().contains("cannot be run with BPF_PROG_TEST_RUN") && r.output().contains("attach other kinds with 'bpf4j run'"),
                r.output());
        assertFalse(r.output().contains("\tat io.bpf4j"), "no stack trace");
    }
}

package io.bpf4j.cli;

import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.ObjectKind;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bpf4j run as a user runs it: a separate process, stopped every way it can stop, leaving nothing behind. */
@Requires({Requirement.ROOT, Requirement.CLANG})
class RunCommandTest {
    private static final String PROG = "rt_getppid";

    /** How many programs named {@code name} the kernel holds. */
    static long programsNamed(String name) {
        long n = 0;
        for (int id : Bpf.ids(ObjectKind.PROG)) {
            try (Fd fd = Bpf.fdById(ObjectKind.PROG, id)) {
                if (Bpf.progInfo(fd).name().equals(name)) {
                    n++;
                }
            } catch (BpfException.NotFound gone) {
                // unloaded meanwhile
            }
        }
        return n;
    }

    private static void assertNothingLeft() throws InterruptedException {
        // The kernel frees a program when its last fd closes; process exit closes them asynchronously.
        for (int i = 0; i < 50 && programsNamed(PROG) > 0; i++) {
            Thread.sleep(100);
        }
        assertEquals(0, programsNamed(PROG), "no " + PROG + " left in the kernel");
    }

    @Test
    void triggerCommandOutputAndCleanUp() throws Exception {
        Path obj = TestPrograms.compile("run_probe.bpf.c");
        // bash calls getppid(2) at start-up to set $PPID: running it is the trigger.
        CliProcess.Result r = CliProcess.run("run", obj.toString(), "--show-globals", "--", "/bin/bash", "-c", "true");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("attached rt_getppid to tracepoint syscalls/sys_enter_getppid"), r.output());
        assertTrue(r.output().contains("getppid from "), "bpf_printk output streamed: " + r.output());
        assertTrue(r.output().matches("(?s).*hits = [1-9].*"), r.output());
        assertNothingLeft();
    }

    @Test
    void durationStopsIt() throws Exception {
        Path obj = TestPrograms.compile("run_probe.bpf.c");
        long start = System.nanoTime();
        CliProcess.Result r = CliProcess.run("run", obj.toString(), "--duration", "1s", "--no-trace");
        assertEquals(0, r.code(), r.output());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= 1000);
        assertNothingLeft();
    }

    @Test
    void sigintSigtermAndSigkillLeaveNothing() throws Exception {
        Path obj = TestPrograms.compile("run_probe.bpf.c");
        for (String signal : new String[] {"INT", "TERM", "KILL"}) {
            Path out = Files.createTempFile("bpf4j-run", ".out");
            Process p = CliProcess.start(out, "run", obj.toString(), "--no-trace");
            try {
                CliProcess.awaitOutput(out, "Ctrl-C stops", 60);
                assertEquals(1, programsNamed(PROG), "loaded while running");
                new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped by SIG" + signal);
            } finally {
                // A failed check must not leave it running: the next tests count what is loaded.
                p.destroyForcibly().waitFor();
            }
            assertNothingLeft();
            Files.deleteIfExists(out);
        }
    }

    @Test
    void badInputIsAClearErrorWithNothingLeft() throws Exception {
        CliProcess.Result broken = CliProcess.run("run", TestPrograms.sourceDir().resolve("run_broken.bpf.c").toString());
        assertEquals(1, broken.code());
        assertTrue(broken.output().contains("run_broken.bpf.c:7:"), "clang's file:line: " + broken.output());
        assertFalse(broken.output().contains("\tat io.bpf4j"), "no stack trace");

        Path targets = TestPrograms.compile("run_targets.bpf.c");
        CliProcess.Result noTarget = CliProcess.run("run", targets.toString(), "--duration", "1s");
        assertEquals(1, noTarget.code());
        assertTrue(noTarget.output().contains("needs a target") || noTarget.output().contains("does not exist"), noTarget.output());

        CliProcess.Result missingTp = CliProcess.run("run", targets.toString(), "--attach", "rt_xdp_pass=lo", "--duration", "1s");
        assertEquals(1, missingTp.code());
        assertTrue(missingTp.output().contains("tracepoint syscalls/sys_enter_no_such_syscall does not exist"), missingTp.output());
        assertEquals(0, programsNamed("rt_xdp_pass"), "the attached xdp program was detached and unloaded after the failure");

        Path probe = TestPrograms.compile("run_probe.bpf.c");
        CliProcess.Result noCmd = CliProcess.run("run", probe.toString(), "--", "/no/such/command");
        assertEquals(1, noCmd.code());
        assertTrue(noCmd.output().contains("cannot run /no/such/command"), noCmd.output());
        assertNothingLeft();

        CliProcess.Result pidWithoutUprobes = CliProcess.run("run", probe.toString(), "--pid", "1", "--duration", "1s");
        assertEquals(1, pidWithoutUprobes.code());
        assertTrue(pidWithoutUprobes.output().contains("--pid 1: it limits uprobe, uprobe.multi and usdt programs"),
                pidWithoutUprobes.output());
        assertNothingLeft();

        CliProcess.Result missingFile = CliProcess.run("run", "/no/such/file.bpf.o");
        assertEquals(1, missingFile.code());
        assertTrue(missingFile.output().contains("no such file"), missingFile.output());
    }

    /**
     * freplace and fexit programs name the loaded program they attach to with --attach, by pinned path
     * or name; bpf4j opens it before load. This host refuses trampolines, so the run ends in that
     * explanation (a kernel that allows them runs it); either way the target was resolved first.
     */
    @Test
    void programTargetsAreOpenedBeforeLoad() throws Exception {
        Path sources = Path.of("../bpf4j-core/src/test/bpf").toAbsolutePath().normalize();
        Path pins = Path.of("/sys/fs/bpf/bpf4j-run-freplace-test");
        CliProcess.Result pinned = CliProcess.run("prog", "load", sources.resolve("freplace_target.bpf.c").toString(), pins.toString());
        assertEquals(0, pinned.code(), pinned.output());
        try {
            CliProcess.Result r = CliProcess.run("run", sources.resolve("freplace.bpf.c").toString(),
                    "--attach", "drop_instead=" + pins.resolve("xdp_entry"), "--attach", "after_entry=xdp_entry", "--", "true");
            if (r.code() == 0) {
                assertTrue(r.output().contains("attached drop_instead to freplace decide of program xdp_entry"), r.output());
                assertEquals(0, programsNamed("drop_instead"), "nothing of the run left");
            } else {
                // This host: the kernel refuses the load, which it reaches only once the target is open.
                assertEquals(1, r.code(), r.output());
                assertTrue(r.output().contains("this kernel refuses freplace programs (EPERM"), r.output());
            }

            CliProcess.Result notATarget = CliProcess.run("prog", "load", TestPrograms.compile("test_run.bpf.c").toString(),
                    "/sys/fs/bpf/bpf4j-run-freplace-test-3", "--attach", "xdp_twice=eth0");
            assertEquals(1, notATarget.code(), notATarget.output());
            assertTrue(notATarget.output().contains("--attach xdp_twice=eth0: here --attach names the loaded program a freplace, "
                    + "fentry or fexit program attaches to, and xdp_twice is SEC(\"xdp\")"), notATarget.output());

            int targetId;
            try (Fd target = Bpf.objGet(pins.resolve("xdp_entry"), 0)) {
                targetId = Bpf.progInfo(target).id();
            }
            Path replacementPins = Path.of("/sys/fs/bpf/bpf4j-run-freplace-test-2");
            CliProcess.Result load = CliProcess.run("prog", "load", sources.resolve("freplace.bpf.c").toString(),
                    replacementPins.toString(), "--autoattach", "--attach", "drop_instead=xdp_entry", "--attach",
                    "after_entry=id:" + targetId);
            if (load.code() == 0) {
                assertTrue(load.output().contains("attached drop_instead to freplace decide of program xdp_entry"), load.output());
                assertEquals(0, CliProcess.run("prog", "unload", replacementPins.toString()).code());
            } else {
                assertTrue(load.output().contains("this kernel refuses freplace programs (EPERM"), load.output());
                assertFalse(Files.exists(replacementPins), "nothing pinned after the failure");
            }

            CliProcess.Result none = CliProcess.run("run", sources.resolve("freplace.bpf.c").toString(),
                    "--attach", "drop_instead=id:2147483647", "--", "true");
            assertEquals(1, none.code(), none.output());
            assertTrue(none.output().contains("no program has id 2147483647; give a pinned path"), none.output());
            assertFalse(none.output().contains("\tat io.bpf4j"), "no stack trace");
        } finally {
            assertEquals(0, CliProcess.run("prog", "unload", pins.toString()).code());
        }
    }
}

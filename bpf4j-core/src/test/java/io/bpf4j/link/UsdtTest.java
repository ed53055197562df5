package io.bpf4j.link;

import io.bpf4j.load.BpfObject;
import io.bpf4j.sys.ProgType;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import io.bpf4j.testing.UsdtTarget;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * USDT for real: usdt.bpf.c (written against libbpf's usdt.bpf.h) attached by bpf4j to the probes of
 * usdt_target, which then runs; the program's globals hold what it saw.
 */
@Requires({Requirement.ROOT, Requirement.CLANG, Requirement.SDT_HEADER})
class UsdtTest {
    /** What test:args gets: see usdt_target.c (argc is 1, so the register arguments are 4 and -1000). */
    private static final List<Long> ARGS = List.of(-7L, 65000L, -123456L, 0x123456789abcL, -5L, 4L, -1000L, 200L);

    private static String runTarget() throws Exception {
        return UsdtTarget.run(List.of(UsdtTarget.binary().toString())).strip();
    }

    @Test
    void argumentsSemaphoreAndEveryCallSite() throws Exception {
        Path bin = UsdtTarget.binary();
        try (BpfObject obj = BpfObject.open(UsdtTarget.object()).load()) {
            assertTrue(Attacher.autoAttachable(obj.program("on_args")), "usdt/PATH:PROVIDER:NAME attaches by itself");
            assertFalse(Attacher.autoAttachable(obj.program("on_twice")), "plain usdt needs a target");
            assertEquals(ProgType.KPROBE, obj.program("on_args").type(), "USDT programs are uprobes: kprobe-type");
            Link args = Attacher.attach(obj.program("on_args"));
            Link guarded = Attacher.attach(obj.program("on_guarded"));
            Link twice = Attacher.attach(obj.program("on_twice"), Optional.of(bin + ":test:twice"));
            assertEquals("usdt " + bin + ":test:args (1 call site)", args.description());
            assertEquals("usdt " + bin + ":test:twice (2 call sites)", twice.description());
            assertTrue(args.isBpfLink() && guarded.isBpfLink() && twice.isBpfLink());

            assertEquals("semaphore 1", runTarget(), "the kernel raised test:guarded's semaphore while attached");
            assertEquals(ARGS, obj.globalValue("args"));
            assertEquals(8L, obj.globalValue("args_cnt"));
            assertEquals(0L, obj.globalValue("args_errors"));
            assertEquals(1L, obj.globalValue("args_hits"));
            assertEquals(42L, obj.globalValue("guarded_arg"));
            assertEquals(1L, obj.globalValue("guarded_hits"));
            assertEquals(0b110L, obj.globalValue("twice_sites"), "both call sites fired, each with its own argument");
            assertEquals(2L, obj.globalValue("twice_hits"));
            assertEquals(0L, obj.globalValue("twice_cookie"), "bpf_usdt_cookie: none given");

            args.close();
            guarded.close();
            twice.close();
            assertEquals("semaphore 0", runTarget(), "the semaphore drops when the uprobe goes");
            assertEquals(1L, obj.globalValue("args_hits"), "nothing fires after detach");
            assertEquals(1L, obj.globalValue("guarded_hits"));
            assertEquals(2L, obj.globalValue("twice_hits"));
        }
    }

    /** Two attachments of one object share its spec map: each gets its own spec ids, freed on close. */
    @Test
    void attachmentsShareTheSpecMap() throws Exception {
        String twice = UsdtTarget.binary() + ":test:twice";
        try (BpfObject obj = BpfObject.open(UsdtTarget.object()).load()) {
            try (Link first = Attacher.attach(obj.program("on_twice"), Optional.of(twice));
                 Link second = Attacher.attach(obj.program("on_twice"), Optional.of(twice));
                 Link args = Attacher.attach(obj.program("on_args"))) {
                runTarget();
                assertEquals(4L, obj.globalValue("twice_hits"), "each site once per attachment");
                assertEquals(0b110L, obj.globalValue("twice_sites"));
                assertEquals(ARGS, obj.globalValue("args"), "no attachment overwrote another's spec");
            }
            try (Link again = Attacher.attach(obj.program("on_args"))) {
                runTarget();
                assertEquals(2L, obj.globalValue("args_hits"));
                assertEquals(ARGS, obj.globalValue("args"));
            }
        }
    }

    /** With a pid, the probes (and the semaphore) exist in that process only, from before it execs the target. */
    @Test
    void aPidLimitsTheProbesToOneProcess() throws Exception {
        Path bin = UsdtTarget.binary();
        try (BpfObject obj = BpfObject.open(UsdtTarget.object()).load()) {
            // The shell's pid stays the target's when it execs it: attach first, then let it go.
            Process chosen = new ProcessBuilder("sh", "-c", "read go; exec " + bin).redirectErrorStream(true).start();
            int pid = (int) chosen.pid();
            try (Link args = Attacher.attach(obj.program("on_args"), Optional.empty(), pid);
                 Link guarded = Attacher.attach(obj.program("on_guarded"), Optional.empty(), pid)) {
                assertEquals("usdt " + bin + ":test:args (1 call site, process " + pid + ")", args.description());
                assertEquals("semaphore 0", runTarget(), "another process: no probe, no semaphore");
                assertEquals(0L, obj.globalValue("args_hits"));
                chosen.getOutputStream().write('\n');
                chosen.getOutputStream().flush();
                assertEquals("semaphore 1", new String(chosen.getInputStream().readAllBytes()).strip(), "the chosen process");
                assertEquals(0, chosen.waitFor());
                assertEquals(1L, obj.globalValue("args_hits"));
                assertEquals(1L, obj.globalValue("guarded_hits"));
                assertEquals(ARGS, obj.globalValue("args"));
            } finally {
                chosen.destroyForcibly();
            }
        }
    }

    private static String attachError(String program, String target) throws Exception {
        try (BpfObject obj = BpfObject.open(UsdtTarget.object()).load()) {
            return assertThrows(AttachException.class, () -> Attacher.attach(obj.program(program), Optional.of(target))).getMessage();
        }
    }

    @Test
    void missingBinary() throws Exception {
        String m = attachError("on_twice", "/nonexistent/app:test:twice");
        assertTrue(m.contains("/nonexistent/app does not exist"), m);
    }

    @Test
    void binaryWithoutProbes() throws Exception {
        String m = attachError("on_twice", "/usr/bin/true:test:twice");
        assertTrue(m.contains("/usr/bin/true has no USDT probes (no .note.stapsdt section)"), m);
        assertTrue(m.contains("readelf -n /usr/bin/true"), m);
    }

    @Test
    void unknownProbeListsTheProbesThatExist() throws Exception {
        String m = attachError("on_twice", UsdtTarget.binary() + ":test:nope");
        assertTrue(m.contains("has no probe test:nope; its probes are: test:args, test:global, test:guarded, test:twice"), m);
    }

    @Test
    void targetWithoutProviderAndName() throws Exception {
        String m = attachError("on_twice", UsdtTarget.binary() + ":twice");
        assertTrue(m.contains("needs a USDT target PATH:PROVIDER:NAME"), m);
        try (BpfObject obj = BpfObject.open(UsdtTarget.object()).load()) {
            m = assertThrows(AttachException.class, () -> Attacher.attach(obj.program("on_twice"))).getMessage();
            assertTrue(m.contains("--attach on_twice="), m);
        }
    }

    @Test
    void argumentBpf4jCannotParse() throws Exception {
        String m = attachError("on_twice", UsdtTarget.binary() + ":test:global");
        assertTrue(m.contains("test:global"), m);
        assertTrue(m.contains("bpf4j cannot parse the USDT argument '8@counter(%rip)'"), m);
    }

    @Test
    void objectWithoutUsdtHeader() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("usdt_no_header.bpf.c")).load()) {
            String m = assertThrows(AttachException.class,
                    () -> Attacher.attach(obj.program("plain"), Optional.of(UsdtTarget.binary() + ":test:args"))).getMessage();
            assertTrue(m.contains("no __bpf_usdt_specs map"), m);
            assertTrue(m.contains("#include <bpf/usdt.bpf.h>"), m);
        }
    }
}

package io.bpf4j.load;

import io.bpf4j.sys.TestRun;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conntrack kfunc object on this host, whose kernel has nf_conntrack built in (so the kfuncs are
 * in vmlinux's BTF, off 0, no fd_array); the module case runs in {@link ModuleKfuncGuestTest}.
 */
@Requires({Requirement.ROOT, Requirement.CLANG, Requirement.KERNEL_BTF})
class KfuncTargetsTest {
    private static final int XDP_DROP = 1;
    private static final int ENOENT = 2;

    @Test
    void conntrackLookupOfAnUnknownConnectionRunsAndSaysNotFound() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("module_kfunc.bpf.c")).load()) {
            assertEquals(java.util.List.of(), obj.warnings(), "the kernel took the object's BTF");
            TestRun.Result r = obj.program("ct_lookup").testRun(TestRun.ofData(ModuleKfuncGuestCheck.tcpSyn()));
            assertEquals(XDP_DROP, r.retval(), "no connection: the program drops");
            assertEquals(1L, ((Number) obj.globalValue("lookups")).longValue());
            assertEquals((long) -ENOENT, ((Number) obj.globalValue("lookup_error")).longValue(), "the kfunc's opts.error");
        }
    }

    @Test
    void aKfuncNoKernelBtfDefinesIsNamedWithTheModuleHintAndLeaksNoFd() throws Exception {
        Path object = TestPrograms.compile("module_kfunc.bpf.c");
        BpfObject.open(object).load().close(); // the classes a load needs are loaded before fds are counted
        long before = openFds();
        try (BpfObject obj = BpfObject.open(object).autoload("call_missing", true)) {
            LoadException e = assertThrows(LoadException.class, obj::load);
            String m = e.getMessage();
            assertTrue(m.contains("call_missing") && m.contains("bpf4j_no_such_kfunc"), "names program and kfunc: " + m);
            assertTrue(m.contains("module must be loaded"), "says a module may be missing: " + m);
        }
        assertEquals(before, openFds(), "a failed load closes every fd it opened");
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}

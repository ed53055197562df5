package io.bpf4j.load;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Requires({Requirement.ROOT, Requirement.CLANG})
class LoadFailureTest {
    @Test
    void verifierRejectionNamesTheSourceLineAndTheReason() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("rejected.bpf.c"))) {
            VerifierRejection e = assertThrows(VerifierRejection.class, obj::load);
            assertTrue(e.getMessage().contains("program reads_too_far (socket) was rejected by the kernel verifier"), e.getMessage());
            assertTrue(e.getMessage().contains("rejected.bpf.c:19"), "points at the C line: " + e.getMessage());
            assertTrue(e.getMessage().contains("invalid access to map value"), "quotes the kernel's reason: " + e.getMessage());
            assertTrue(e.log().contains("processed") || e.log().length() > e.getMessage().length() / 2, "the whole log is kept");
            assertEquals("reads_too_far", e.program());
            assertTrue(e.sourceLine().orElseThrow().startsWith("rejected.bpf.c:19: "), e.sourceLine().toString());
            assertTrue(e.instruction().isPresent(), "the instruction the verifier stopped at");
            assertTrue(!obj.isLoaded(), "nothing stays loaded");
        }
    }

    /** An unguarded read of a field no kernel has: the error names the field, why, and the line that reads it. */
    @Test
    void aReachablePoisonedCoreAccessNamesTheFieldAndItsLine() throws Exception {
        Path source = TestPrograms.sourceDir().resolve("core_unguarded.bpf.c");
        int line = Files.readAllLines(source).indexOf("    seen_future = BPF_CORE_READ(f, bpf4j_no_such_field);") + 1;
        assertTrue(line > 0);
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("core_unguarded.bpf.c"))) {
            VerifierRejection e = assertThrows(VerifierRejection.class, obj::load);
            assertTrue(e.getMessage().contains("program reads_the_future (tp/syscalls/sys_enter_getpid) was rejected"), e.getMessage());
            assertTrue(e.getMessage().contains("struct task_struct___future") && e.getMessage().contains("bpf4j_no_such_field"),
                    "names the access: " + e.getMessage());
            assertEquals("core_unguarded.bpf.c:" + line + ": seen_future = BPF_CORE_READ(f, bpf4j_no_such_field);",
                    e.sourceLine().orElseThrow());
        }
    }

    @Test
    void thousandFailedLoadsLeakNoDescriptor() throws Exception {
        Path obj = TestPrograms.compile("rejected.bpf.c");
        byte[] bytes = Files.readAllBytes(obj);
        // Warm up: the JDK opens a few descriptors of its own on first use (jars, /proc files).
        for (int i = 0; i < 5; i++) {
            failOnce(bytes);
        }
        long before = openFds();
        for (int i = 0; i < 1000; i++) {
            failOnce(bytes);
        }
        assertEquals(before, openFds(), "descriptors before and after 1000 failed loads");
    }

    private static void failOnce(byte[] bytes) {
        try (BpfObject o = BpfObject.open(bytes, "rejected")) {
            assertThrows(VerifierRejection.class, o::load);
        }
    }

    private static long openFds() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}

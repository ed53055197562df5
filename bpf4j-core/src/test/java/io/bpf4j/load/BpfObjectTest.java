package io.bpf4j.load;

import io.bpf4j.sys.TestRun;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Requires({Requirement.ROOT, Requirement.CLANG, Requirement.BPFTOOL})
class BpfObjectTest {
    /** Maps pinned by name go here, not into /sys/fs/bpf itself, and go away after each test. */
    private final java.nio.file.Path pins = java.nio.file.Path.of("/sys/fs/bpf", "bpf4j-test-" + ProcessHandle.current().pid());

    @org.junit.jupiter.api.BeforeEach
    void pinDirectory() throws Exception {
        java.nio.file.Files.createDirectories(pins);
    }

    @org.junit.jupiter.api.AfterEach
    void removePins() throws Exception {
        try (var s = java.nio.file.Files.list(pins)) {
            for (var p : s.toList()) {
                java.nio.file.Files.delete(p);
            }
        }
        java.nio.file.Files.delete(pins);
    }

    private static byte[] packet() {
        byte[] p = new byte[64];
        p[12] = 0x08; // an IPv4 ethertype, so the skb looks like a real frame
        return p;
    }

    @Test
    void loadsRunsAndSeesMapsAndGlobals() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("minimal.bpf.c")).load()) {
            BpfProgram prog = obj.program("count_packets");
            for (int i = 0; i < 3; i++) {
                TestRun.Result r = prog.testRun(TestRun.ofData(packet()));
                assertEquals(0, r.retval());
            }
            // The kernel's own view, through bpftool: three runs counted in slot 0.
            String dump = Bpftool.run("-j", "map", "dump", "id", Integer.toString(obj.map("counters").info().id()));
            assertTrue(dump.replace(" ", "").contains("\"key\":0,\"value\":3"), dump);
            assertEquals(3L, obj.globalValue("calls"));
            String progShow = Bpftool.run("-j", "prog", "show", "id", Integer.toString(prog.info().id()));
            assertTrue(progShow.contains("\"name\":\"count_packets\""), progShow);
        }
    }

    @Test
    void readOnlyGlobalsAreSetBeforeLoad() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("features.bpf.c")).pinDirectory(pins)) {
            obj.setGlobal("limit", "40");
            obj.load();
            // add_static(1, 2) + limit: second() returns it when the outer map slot 0 is empty.
            TestRun.Result r = obj.program("second").testRun(TestRun.ofData(packet()));
            assertEquals(1 + 2 + 40, r.retval());
            assertEquals(40L, obj.globalValue("limit"));
            assertThrows(LoadException.class, () -> obj.setGlobal("limit", "1"), "frozen after load");
            TestRun.Result first = obj.program("first").testRun(TestRun.ofData(packet()));
            // first(): bpf_loop adds 0+1+2+3 to total; add_global(len) = len + counter + limit, where a
            // socket filter sees the 64-byte frame without its 14-byte Ethernet header.
            assertEquals(6L, obj.globalValue("total"));
            assertEquals(64 - 14 + 7 + 40, first.retval());
        }
    }

    @Test
    void legacyMapsLoad() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("legacy_maps.bpf.c")).load()) {
            obj.program("legacy_user").testRun(TestRun.ofData(packet()));
            assertEquals(1, obj.map("legacy_counts").keys().size());
        }
    }

    @Test
    void aNumaNodeIsPassedOnAsBpftoolShows() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("features.bpf.c")).pinDirectory(pins).load()) {
            assertEquals(0, obj.map("on_node0").spec().numaNode());
            String shown = Bpftool.run("map", "show", "id", Integer.toString(obj.map("on_node0").info().id()));
            assertTrue(shown.contains("flags 0x4"), "BPF_F_NUMA_NODE reached the kernel: " + shown);
        }
    }

    @Test
    void entriesInBatchesMatchBpftool() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("features.bpf.c")).pinDirectory(pins).load()) {
            BpfMap hashed = obj.map("hashed");
            assertTrue(java.nio.file.Files.exists(pins.resolve("hashed")), "pinning = LIBBPF_PIN_BY_NAME pinned it");
            for (long k = 1; k <= 128; k++) {
                byte[] key = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(k).array();
                byte[] value = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) k).putInt(0).putLong(k * 10).array();
                hashed.update(key, value, io.bpf4j.sys.Bpf.ANY);
            }
            java.util.List<BpfMap.Entry> entries = hashed.entries();
            assertEquals(128, entries.size());
            // bpftool -j prints each element's raw key and, with BTF, a "formatted" copy of it.
            String dump = Bpftool.run("-j", "map", "dump", "id", Integer.toString(hashed.info().id()));
            assertEquals(128, dump.split("\"formatted\"").length - 1, "bpftool sees the same 128 elements");
            for (BpfMap.Entry e : entries) {
                long k = java.nio.ByteBuffer.wrap(e.key()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
                assertEquals(k * 10, java.nio.ByteBuffer.wrap(e.value()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(8));
            }
        }
    }

}

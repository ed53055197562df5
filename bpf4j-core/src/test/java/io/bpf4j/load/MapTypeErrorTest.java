package io.bpf4j.load;

import io.bpf4j.sys.MapType;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "This kernel lacks the map type" is said only when it does: on this 6.18 kernel, which has every
 * type, the CGRP_STORAGE object loads, and a map refused for its attributes keeps the attribute
 * message. The kernel that lacks the type is the 6.1 guest of {@link ModuleKfuncGuestTest}.
 */
@Requires({Requirement.ROOT, Requirement.CLANG})
class MapTypeErrorTest {
    @Test
    void aMapTypeThisKernelHasLoads() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("map_type_new.bpf.c")).load()) {
            assertEquals(MapType.CGRP_STORAGE, obj.map("per_cgroup").type());
        }
    }

    /** Also: the map pinned by name before the refused one is unpinned again, as the load found the directory. */
    @Test
    void aMapRefusedForItsAttributesIsNotCalledAMissingType() throws Exception {
        java.nio.file.Path pins = java.nio.file.Path.of("/sys/fs/bpf", "bpf4j-test-maperr-" + ProcessHandle.current().pid());
        java.nio.file.Files.createDirectories(pins);
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("features.bpf.c")).resize("events", 1000).pinDirectory(pins)) {
            LoadException e = assertThrows(LoadException.class, obj::load);
            String m = e.getMessage();
            assertTrue(m.contains("map events (RINGBUF") && m.contains("power of 2"), m);
            assertFalse(m.contains("lacks"), m);
            try (var left = java.nio.file.Files.list(pins)) {
                assertEquals(java.util.List.of(), left.toList(), "the failed load removed the pin it made for map hashed");
            }
        } finally {
            try (var left = java.nio.file.Files.list(pins)) {
                for (java.nio.file.Path f : left.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(pins);
        }
    }

    @Test
    void everyMapTypeHasTheReleaseThatAddedIt() {
        for (MapType t : MapType.values()) {
            assertEquals(t != MapType.UNSPEC, MapTypeHistory.since(t).matches("\\d\\.\\d+"), t.name());
        }
        assertEquals("6.2", MapTypeHistory.since(MapType.CGRP_STORAGE));
        assertEquals("6.9", MapTypeHistory.since(MapType.ARENA));
    }
}

package io.bpf4j.sys;

import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Requires({Requirement.ROOT, Requirement.BPFTOOL})
class BpfMapTest {
    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static long asLong(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** bpftool -j map dump: [{"key":["0x01",...],"value":["0x..",...]},...] read as (u32 key -> u64 value). */
    static Map<Integer, Long> bpftoolDump(int id) {
        String json = Bpftool.run("-j", "map", "dump", "id", Integer.toString(id));
        Map<Integer, Long> out = new HashMap<>();
        Matcher m = Pattern.compile("\"key\":\\[([^]]*)],\"value\":\\[([^]]*)]").matcher(json);
        while (m.find()) {
            out.put((int) bytesOf(m.group(1)), bytesOf(m.group(2)));
        }
        return out;
    }

    private static long bytesOf(String list) {
        String[] parts = list.replace("\"", "").split(",");
        long v = 0;
        for (int i = parts.length - 1; i >= 0; i--) {
            v = (v << 8) | Long.decode(parts[i].trim());
        }
        return v;
    }

    @Test
    void hashMapUpdateLookupDeleteIterateMatchesBpftool() {
        try (Fd map = Bpf.mapCreate(MapCreateAttr.of(MapType.HASH, 4, 8, 64).withName("bpf4j_hash"))) {
            MapInfo info = Bpf.mapInfo(map);
            assertEquals(MapType.HASH, info.mapType());
            assertEquals("bpf4j_hash", info.name());
            assertEquals(64, info.maxEntries());
            for (int k = 1; k <= 10; k++) {
                Bpf.mapUpdate(map, u32(k), u64(k * 1000L), Bpf.ANY);
            }
            assertEquals(3000L, asLong(Bpf.mapLookup(map, u32(3), 8)));
            assertNull(Bpf.mapLookup(map, u32(99), 8));
            assertTrue(Bpf.mapDelete(map, u32(5)));
            assertFalse(Bpf.mapDelete(map, u32(5)));
            BpfException.AlreadyExists e = assertThrows(BpfException.AlreadyExists.class,
                    () -> Bpf.mapUpdate(map, u32(1), u64(1), Bpf.NOEXIST));
            assertEquals(Errno.EEXIST, e.errno());
            assertThrows(BpfException.NotFound.class, () -> Bpf.mapUpdate(map, u32(77), u64(1), Bpf.EXIST));

            Map<Integer, Long> ours = new HashMap<>();
            for (byte[] k = Bpf.mapNextKey(map, null, 4); k != null; k = Bpf.mapNextKey(map, k, 4)) {
                ours.put(ByteBuffer.wrap(k).order(ByteOrder.LITTLE_ENDIAN).getInt(), asLong(Bpf.mapLookup(map, k, 8)));
            }
            assertEquals(9, ours.size());
            assertEquals(bpftoolDump(info.id()), ours);
        }
    }

    @Test
    void batchOperationsMatchBpftool() {
        int n = 100;
        try (Fd map = Bpf.mapCreate(MapCreateAttr.of(MapType.HASH, 4, 8, 256).withName("bpf4j_batch"));
             Arena arena = Arena.ofConfined()) {
            MemorySegment keys = arena.allocate(JAVA_INT, n);
            MemorySegment values = arena.allocate(JAVA_LONG, n);
            for (int i = 0; i < n; i++) {
                keys.setAtIndex(JAVA_INT, i, i + 1);
                values.setAtIndex(JAVA_LONG, i, (i + 1) * 7L);
            }
            assertEquals(n, Bpf.mapUpdateBatch(map, keys, values, n, 0));
            Map<Integer, Long> expected = bpftoolDump(Bpf.mapInfo(map).id());
            assertEquals(n, expected.size());

            Map<Integer, Long> read = new HashMap<>();
            MemorySegment outKeys = arena.allocate(JAVA_INT, 32);
            MemorySegment outValues = arena.allocate(JAVA_LONG, 32);
            MemorySegment in = null;
            MemorySegment out = arena.allocate(8);
            MemorySegment spare = arena.allocate(8);
            while (true) {
                Bpf.BatchResult r = Bpf.mapLookupBatch(map, in, out, outKeys, outValues, 32, 0, false);
                for (int i = 0; i < r.count(); i++) {
                    read.put(outKeys.getAtIndex(JAVA_INT, i), outValues.getAtIndex(JAVA_LONG, i));
                }
                if (r.done()) {
                    break;
                }
                MemorySegment t = spare;
                spare = out;
                out = t;
                in = spare;
            }
            assertEquals(expected, read);

            MemorySegment del = arena.allocate(JAVA_INT, 10);
            for (int i = 0; i < 10; i++) {
                del.setAtIndex(JAVA_INT, i, i + 1);
            }
            assertEquals(10, Bpf.mapDeleteBatch(map, del, 10, 0));
            assertEquals(n - 10, bpftoolDump(Bpf.mapInfo(map).id()).size());
        }
    }

    @Test
    void arrayFreezeRefusesUpdates() {
        try (Fd map = Bpf.mapCreate(MapCreateAttr.of(MapType.ARRAY, 4, 8, 4).withName("bpf4j_frozen"))) {
            Bpf.mapUpdate(map, u32(1), u64(42), Bpf.ANY);
            Bpf.mapFreeze(map);
            assertEquals(42L, asLong(Bpf.mapLookup(map, u32(1), 8)));
            BpfException e = assertThrows(BpfException.class, () -> Bpf.mapUpdate(map, u32(1), u64(43), Bpf.ANY));
            assertEquals(Errno.EPERM, e.errno());
            assertEquals(Map.of(0, 0L, 1, 42L, 2, 0L, 3, 0L), bpftoolDump(Bpf.mapInfo(map).id()));
        }
    }

    @Test
    void mmapOfArrayIsSeenByLookup() {
        MapCreateAttr attr = MapCreateAttr.of(MapType.ARRAY, 4, 8, 512).withName("bpf4j_mmap")
                .withFlags(MapCreateAttr.F_MMAPABLE);
        try (Fd map = Bpf.mapCreate(attr); MappedMemory mem = MappedMemory.ofMap(map, 8L * 512)) {
            mem.segment().setAtIndex(JAVA_LONG, 3, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, asLong(Bpf.mapLookup(map, u32(3), 8)));
            Bpf.mapUpdate(map, u32(7), u64(99), Bpf.ANY);
            assertEquals(99L, mem.segment().getAtIndex(JAVA_LONG, 7));
        }
    }

    @Test
    void closingTwiceIsHarmlessAndUseAfterCloseFails() {
        Fd map = Bpf.mapCreate(MapCreateAttr.of(MapType.ARRAY, 4, 4, 1));
        Fd copy = map.dup();
        map.close();
        map.close();
        assertFalse(map.isOpen());
        assertThrows(IllegalStateException.class, map::value);
        assertEquals(4, Bpf.mapInfo(copy).valueSize());
        copy.close();
    }

    @Test
    void idsAndFdById() {
        try (Fd map = Bpf.mapCreate(MapCreateAttr.of(MapType.ARRAY, 4, 4, 1).withName("bpf4j_ids"))) {
            int id = Bpf.mapInfo(map).id();
            List<Integer> ids = new ArrayList<>();
            for (int i : Bpf.ids(ObjectKind.MAP)) {
                ids.add(i);
            }
            assertTrue(ids.contains(id), ids + " lacks " + id);
            try (Fd again = Bpf.fdById(ObjectKind.MAP, id)) {
                assertEquals("bpf4j_ids", Bpf.mapInfo(again).name());
            }
            assertThrows(BpfException.NotFound.class, () -> Bpf.fdById(ObjectKind.MAP, Integer.MAX_VALUE));
        }
    }

    @Test
    void unknownMapTypeFailsWithTypedException() {
        BpfException e = assertThrows(BpfException.class,
                () -> Bpf.mapCreate(MapCreateAttr.of(MapType.HASH, 0, 8, 1).withName("bad")));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("map 'bad'"), e.getMessage());
        assertArrayEquals(new byte[0], new byte[0]);
    }
}

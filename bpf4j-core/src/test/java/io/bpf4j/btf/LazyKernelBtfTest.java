package io.bpf4j.btf;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Btf#parseKernel} (types decoded on demand, names found in the raw bytes) against the
 * eager, fully checked parse of the same kernel BTF: every type and every name lookup must agree.
 */
class LazyKernelBtfTest {
    private static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");

    @Test
    @Requires(Requirement.KERNEL_BTF)
    void everyTypeDecodedOnDemandEqualsTheEagerParse() throws IOException {
        Btf eager = Btf.read(KERNEL_BTF);
        Btf lazy = Btf.parseKernel(Files.readAllBytes(KERNEL_BTF), null);
        assertEquals(eager.typeCount(), lazy.typeCount());
        assertEquals(eager.pointerSize(), lazy.pointerSize());
        // Backwards, so that no type is decoded in the order a full parse would take.
        for (int id = eager.typeCount() - 1; id >= 0; id--) {
            assertEquals(eager.type(id), lazy.type(id), "type id " + id);
            assertEquals(eager.offsetOf(id), lazy.offsetOf(id), "offset of type id " + id);
        }
        assertEquals(eager.types(), lazy.types());
        assertArrayEquals(eager.encode(), lazy.encode(), "re-encoding a lazily parsed BTF");
    }

    @Test
    @Requires(Requirement.KERNEL_BTF)
    void nameLookupsAgreeWithTheDecodedNames() throws IOException {
        Btf eager = Btf.read(KERNEL_BTF);
        Btf lazy = Btf.parseKernel(Files.readAllBytes(KERNEL_BTF), null);
        Map<String, List<Integer>> expected = new HashMap<>();
        List<Integer> flavoured = new ArrayList<>();
        for (int id = 1; id < eager.typeCount(); id++) {
            String name = eager.type(id).name();
            if (!name.isEmpty()) {
                expected.computeIfAbsent(name, k -> new ArrayList<>()).add(id);
            }
            if (name.contains("___")) {
                flavoured.add(id);
            }
        }
        assertTrue(expected.size() > 10_000, "a kernel BTF names tens of thousands of types: " + expected.size());
        for (Map.Entry<String, List<Integer>> e : expected.entrySet()) {
            int[] want = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            assertArrayEquals(want, lazy.idsNamed(e.getKey()), e.getKey());
            assertArrayEquals(want, eager.idsNamed(e.getKey()), e.getKey());
        }
        assertEquals(0, lazy.idsNamed("").length);
        assertEquals(0, lazy.idsNamed("no_such_type_in_any_kernel").length);
        assertEquals(0, lazy.idsNamed("task_struct\0").length);
        assertEquals(0, lazy.idsNamed("task_struc").length, "a prefix is not a name");
        assertArrayEquals(flavoured.stream().mapToInt(Integer::intValue).toArray(), lazy.idsWhoseNameContains("___"));
    }

    @Test
    @Requires(Requirement.KERNEL_BTF)
    void threadsDecodingTheSameTypesAtOnceSeeTheEagerTypes() throws Exception {
        Btf eager = Btf.read(KERNEL_BTF);
        Btf lazy = Btf.parseKernel(Files.readAllBytes(KERNEL_BTF), null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int stride = t + 1;
                runs.add(pool.submit(() -> {
                    int checked = 0;
                    for (int id = stride; id < eager.typeCount(); id += stride) {
                        assertEquals(eager.type(id), lazy.type(id), "type id " + id);
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> r : runs) {
                assertTrue(r.get() > 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void splitBtfNamesBaseIdsFirstThenItsOwn() {
        List<BtfType> baseTypes = List.of(
                new BtfType.Int("int", 4, BtfType.Int.SIGNED, 0, 32),
                new BtfType.Typedef("pid_t", 1),
                new BtfType.Struct("task", 4, List.of(new BtfType.Member("pid", 2, 0, 0)), false));
        Btf base = Btf.of(baseTypes, null);
        Btf split = Btf.of(List.of(
                new BtfType.Typedef("pid_t", 1),
                new BtfType.Struct("task___v2", 4, List.of(new BtfType.Member("pid", 4, 0, 0)), false)), base);
        assertArrayEquals(new int[] {2, 4}, split.idsNamed("pid_t"));
        assertArrayEquals(new int[] {3}, split.idsNamed("task"));
        assertArrayEquals(new int[] {5}, split.idsNamed("task___v2"));
        assertArrayEquals(new int[] {5}, split.idsWhoseNameContains("___"), "only the split's own types");
        Btf lazySplit = Btf.parseKernel(split.rawBytes(), Btf.parseKernel(base.rawBytes(), null));
        assertArrayEquals(new int[] {2, 4}, lazySplit.idsNamed("pid_t"));
        assertEquals(split.type(5), lazySplit.type(5));
        assertEquals(base.type(3), lazySplit.type(3));
        assertEquals(Arrays.asList(split.types().toArray()), lazySplit.types());
    }

    @Test
    void aTypeThatRefersToAMissingIdIsRefusedWhenDecoded() {
        Btf good = Btf.of(List.of(new BtfType.Int("int", 4, BtfType.Int.SIGNED, 0, 32), new BtfType.Typedef("pid_t", 1)), null);
        byte[] raw = good.rawBytes();
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putInt(good.offsetOf(2) + 8, 999); // pid_t -> type 999
        Btf lazy = Btf.parseKernel(raw, null);
        assertEquals("int", lazy.type(1).name());
        BtfFormatException e = assertThrows(BtfFormatException.class, () -> lazy.type(2));
        assertTrue(e.getMessage().contains("type id 2 refers to type id 999"), e.getMessage());
        assertThrows(BtfFormatException.class, () -> Btf.parse(raw), "the eager parse refuses it up front");
    }

    @Test
    void splitBtfOnABaseThatWasCheckedInFullIsCheckedInFull() {
        Btf base = Btf.of(List.of(new BtfType.Int("int", 4, BtfType.Int.SIGNED, 0, 32)), null);
        // A typedef that names itself: a loop no C declaration can express.
        Btf split = Btf.of(List.of(new BtfType.Typedef("loop_t", 1)), base);
        byte[] raw = split.rawBytes();
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putInt(split.offsetOf(2) + 8, 2);
        assertThrows(BtfFormatException.class, () -> Btf.parseKernel(raw, base), "a base from a file, not the kernel");
        Btf lazyBase = Btf.parseKernel(base.rawBytes(), null);
        assertEquals("loop_t", Btf.parseKernel(raw, lazyBase).type(2).name(), "on the kernel's own base, decoded on demand");
    }

    @Test
    void aNameThatIsNotUtf8IsFoundByItsDecodedText() {
        Btf btf = Btf.of(List.of(new BtfType.Int("int", 4, BtfType.Int.SIGNED, 0, 32), new BtfType.Typedef("abc_t", 1)), null);
        byte[] raw = btf.rawBytes();
        // Find "abc_t" in the string section and make its first byte 0xff (no UTF-8 sequence starts so).
        int at = indexOf(raw, "abc_t\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        raw[at] = (byte) 0xff;
        for (Btf b : List.of(Btf.parse(raw), Btf.parseKernel(raw, null))) {
            String name = b.type(2).name();
            assertTrue(name.startsWith("\uFFFD"), name);
            assertArrayEquals(new int[] {2}, b.idsNamed(name));
            assertEquals(2, b.findId(name).orElseThrow());
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}

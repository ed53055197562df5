package io.bpf4j.load;

import io.bpf4j.btf.BtfKind;
import io.bpf4j.spec.ObjectBtf;
import io.bpf4j.spec.ObjectReader;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an older kernel would get: the object's BTF without FLOAT, DECL_TAG, TYPE_TAG and ENUM64, still
 * valid BTF. Forced on this 6.18 kernel, which has them all: no pre-6.0 kernel is at hand (the QEMU
 * guest's 6.1 has ENUM64 too), so what a kernel without them would do is not shown here.
 */
@Requires({Requirement.ROOT, Requirement.CLANG, Requirement.BPFTOOL})
class BtfSanitizerTest {
    @Test
    void newerKindsBecomeOlderOnesAndTheKernelTakesTheResult(@TempDir Path dir) throws Exception {
        ObjectBtf objectBtf = ObjectReader.read(TestPrograms.compile("btf_kinds.bpf.c")).btf().orElseThrow();
        Set<BtfKind> missing = EnumSet.of(BtfKind.FLOAT, BtfKind.DECL_TAG, BtfKind.TYPE_TAG);

        Path plain = dir.resolve("plain.btf");
        Files.write(plain, new ObjectBtfUpload(objectBtf, EnumSet.noneOf(BtfKind.class)).bytes());
        String before = Bpftool.run("btf", "dump", "file", plain.toString());
        for (String kind : new String[] {"] FLOAT ", "] DECL_TAG ", "] TYPE_TAG "}) {
            assertTrue(before.contains(kind), "the test object has" + kind);
        }

        byte[] sanitized = new ObjectBtfUpload(objectBtf, missing).bytes();
        Path out = dir.resolve("sanitized.btf");
        Files.write(out, sanitized);
        String after = Bpftool.run("btf", "dump", "file", out.toString());
        for (String kind : new String[] {"] FLOAT ", "] DECL_TAG ", "] TYPE_TAG "}) {
            assertFalse(after.contains(kind), "no" + kind + "left:\n" + after);
        }
        assertEquals(before.lines().filter(l -> l.startsWith("[")).count(), after.lines().filter(l -> l.startsWith("[")).count(),
                "every type keeps its id");
        try (Fd fd = Bpf.btfLoad(sanitized)) {
            assertTrue(fd.isOpen(), "the kernel accepts the sanitised BTF");
        }
    }

    /**
     * ENUM64 becomes a UNION of the same name and size whose members are the enumerators, typed by an
     * 8-byte INT at offset 0; bpftool sees every other type unchanged. The kernel takes that BTF, and
     * the object using the enum as a map value, a .data variable and a subprogram's argument loads
     * with it and runs (the values the enum names still flow, the BTF just no longer lists them).
     */
    @Test
    void enum64BecomesAUnionOfTheSameSizeAndTheProgramUsingItStillLoads(@TempDir Path dir) throws Exception {
        Path object = TestPrograms.compile("enum64.bpf.c");
        ObjectBtf objectBtf = ObjectReader.read(object).btf().orElseThrow();
        String before = bpftoolDump(dir, "plain.btf", new ObjectBtfUpload(objectBtf, EnumSet.noneOf(BtfKind.class)).bytes());
        byte[] sanitized = new ObjectBtfUpload(objectBtf, EnumSet.of(BtfKind.ENUM64)).bytes();
        String after = bpftoolDump(dir, "sanitized.btf", sanitized);

        java.util.regex.Matcher enum64 = java.util.regex.Pattern.compile("(?m)^\\[(\\d+)] ENUM64 'wide' encoding=UNSIGNED size=8 vlen=2$")
                .matcher(before);
        assertTrue(enum64.find(), "the test object has ENUM64 wide:\n" + before);
        String id = enum64.group(1);
        List<String> b = before.lines().toList();
        List<String> a = after.lines().toList();
        assertEquals(b.size(), a.size(), "same types, same member lines");
        List<String> changed = new java.util.ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            if (!b.get(i).equals(a.get(i))) {
                changed.add(b.get(i).strip() + " => " + a.get(i).strip());
            }
        }
        java.util.regex.Matcher member = java.util.regex.Pattern.compile("'WIDE_LOW' type_id=(\\d+) bits_offset=0").matcher(after);
        assertTrue(member.find(), after);
        String intType = member.group(1);
        assertTrue(after.contains("[" + intType + "] INT 'unsigned long long' size=8 bits_offset=0 nr_bits=64 encoding=(none)"),
                "the members are typed by the object's 8-byte int:\n" + after);
        assertEquals(List.of(
                "[" + id + "] ENUM64 'wide' encoding=UNSIGNED size=8 vlen=2 => [" + id + "] UNION 'wide' size=8 vlen=2",
                "'WIDE_LOW' val=1ULL => 'WIDE_LOW' type_id=" + intType + " bits_offset=0",
                "'WIDE_HIGH' val=4294967296ULL => 'WIDE_HIGH' type_id=" + intType + " bits_offset=0"), changed,
                "only the ENUM64 changed, in place");
        assertFalse(after.contains("ENUM64"));

        try (BpfObject obj = BpfObject.open(object).rewriteBtfKinds(EnumSet.of(BtfKind.ENUM64)).load()) {
            assertEquals(List.of(), obj.warnings(), "the kernel took the sanitised BTF");
            var info = obj.map("wide_by_key").info();
            assertTrue(info.btfId() != 0, "the map is typed by the uploaded BTF");
            assertEquals(Integer.parseInt(id), info.btfValueTypeId(), "its value type is the rewritten enum");
            // The kernel holds exactly the bytes uploaded: bpftool reads them back as the same types.
            assertEquals(after, Bpftool.run("btf", "dump", "id", Integer.toString(info.btfId())));

            obj.program("use_enum64").testRun(io.bpf4j.sys.TestRun.ofData(new byte[64]));
            assertEquals("WIDE_HIGH", obj.globalValue("last_seen"), "flip(WIDE_LOW) ran (decoded by the object's own BTF)");
            byte[] value = obj.map("wide_by_key").lookup(new byte[4]).orElseThrow();
            assertEquals(0x1_0000_0000L, java.nio.ByteBuffer.wrap(value).order(java.nio.ByteOrder.nativeOrder()).getLong());
        }
    }

    private static String bpftoolDump(Path dir, String name, byte[] btf) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, btf);
        return Bpftool.run("btf", "dump", "file", file.toString());
    }
}

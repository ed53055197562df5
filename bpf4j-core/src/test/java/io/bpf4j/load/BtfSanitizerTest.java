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
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an older kernel would get: the object's BTF without FLOAT, DECL_TAG and TYPE_TAG, still valid BTF. */
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
}

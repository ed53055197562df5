package io.bpf4j.sys;

import io.bpf4j.elf.ElfFile;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Requires({Requirement.ROOT, Requirement.BPFTOOL})
class BtfLoadTest {
    private static final int BTF_KIND_INT = 1;

    /**
     * A BTF blob (linux/btf.h, Documentation/bpf/btf.rst) with one type: {@code [1] INT 'int'
     * size=4 bits=32 signed}; or, with {@code badSize}, an INT whose size is 3 which the kernel rejects.
     */
    static byte[] intBlob(int size) {
        byte[] strings = "\0int\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer types = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        types.putInt(1); // name_off: "int"
        types.putInt(BTF_KIND_INT << 24); // info: kind INT, vlen 0
        types.putInt(size);
        types.putInt((1 << 24) | 32); // BTF_INT_SIGNED, offset 0, 32 bits
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24);
        header.putInt(0).putInt(16).putInt(16).putInt(strings.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.array());
        out.writeBytes(types.array());
        out.writeBytes(strings);
        return out.toByteArray();
    }

    @Test
    void loadsAHandBuiltBlobAndReadsItBack() {
        byte[] blob = intBlob(4);
        try (Fd btf = Bpf.btfLoad(blob)) {
            BtfInfo info = Bpf.btfInfo(btf);
            assertFalse(info.kernelBtf());
            assertEquals(blob.length, info.size());
            assertArrayEquals(blob, Bpf.btfData(btf));
            String dump = Bpftool.run("btf", "dump", "id", Integer.toString(info.id()));
            assertEquals("[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED", dump.strip());
            // A map can be described by it: key and value both the INT.
            try (Fd map = Bpf.mapCreate(MapCreateAttr.of(MapType.HASH, 4, 4, 8).withName("bpf4j_btf")
                    .withBtf(btf.value(), 1, 1))) {
                MapInfo m = Bpf.mapInfo(map);
                assertEquals(info.id(), m.btfId());
                assertEquals(1, m.btfKeyTypeId());
            }
        }
    }

    @Test
    void rejectedBlobCarriesTheKernelLog() {
        VerifierException e = assertThrows(VerifierException.class, () -> Bpf.btfLoad(intBlob(3)));
        assertEquals("BPF_BTF_LOAD", e.command());
        assertTrue(e.log().contains("[1] INT int"), e.log());
        assertTrue(e.getMessage().contains("the kernel rejected the BTF"), e.getMessage());
    }

    @Test
    @Requires({Requirement.ROOT, Requirement.CLANG, Requirement.BPFTOOL})
    void loadsTheBtfSectionOfAClangObject() throws Exception {
        java.nio.file.Path obj = TestPrograms.compile("arith.bpf.c");
        ElfFile elf = ElfFile.read(obj);
        byte[] blob = elf.contents(elf.section(".BTF").orElseThrow());
        try (Fd btf = Bpf.btfLoad(blob)) {
            BtfInfo info = Bpf.btfInfo(btf);
            String ours = Bpftool.run("btf", "dump", "id", Integer.toString(info.id()));
            String file = Bpftool.run("btf", "dump", "file", obj.toString());
            assertEquals(file.strip(), ours.strip());
            assertTrue(ours.contains("FUNC 'arith'"), ours);
        }
    }

    @Test
    void vmlinuxBtfIsListedAsKernelBtf() {
        boolean found = false;
        for (int id : Bpf.ids(ObjectKind.BTF)) {
            try (Fd fd = Bpf.fdById(ObjectKind.BTF, id)) {
                BtfInfo info = Bpf.btfInfo(fd);
                if (info.name().equals("vmlinux")) {
                    assertTrue(info.kernelBtf());
                    found = true;
                    break;
                }
            } catch (BpfException.NotFound gone) {
                // Freed between listing and opening: fine.
            }
        }
        assertTrue(found, "vmlinux BTF among the BTF objects");
    }
}

package io.bpf4j.spec;

import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.MapType;
import io.bpf4j.sys.ProgType;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The expectations come from the C sources in src/test/bpf (what the programmer declared) and from llvm-objdump. */
@Requires(Requirement.CLANG)
class ObjectReaderTest {
    @Test
    void programsSectionsAndSubprograms() throws Exception {
        ObjectSpec spec = ObjectReader.read(TestPrograms.compile("features.bpf.c"));
        assertEquals("features", spec.name());
        assertEquals("Dual BSD/GPL", spec.license());
        Map<String, ProgramSpec> progs = spec.programs().stream().collect(Collectors.toMap(ProgramSpec::name, p -> p));
        assertEquals(java.util.Set.of("first", "second", "optional_probe", "pass_all"), progs.keySet());
        assertEquals("socket", progs.get("first").section());
        assertEquals("socket", progs.get("second").section(), "two programs share one section");
        assertEquals(ProgType.SOCKET_FILTER, progs.get("first").def().orElseThrow().programType());
        assertFalse(progs.get("optional_probe").autoload(), "'?' sections are not autoloaded");
        assertEquals("syscalls/sys_enter_getpid", progs.get("optional_probe").attachTarget());
        assertEquals(ProgType.TRACEPOINT, progs.get("optional_probe").def().orElseThrow().programType());
        assertEquals(AttachType.XDP, progs.get("pass_all").def().orElseThrow().attachType());

        List<String> textFunctions = spec.functions().stream().filter(f -> f.section().equals(".text")).map(FunctionSpec::name).sorted().toList();
        assertEquals(List.of("add_global", "add_static", "loop_step"), textFunctions);

        // Every relocation llvm-objdump reports in a program section is classified; the targets agree.
        List<Relocation> firstRelocs = progs.get("first").code().relocations();
        assertTrue(firstRelocs.stream().anyMatch(r -> r.target() instanceof Relocation.FunctionAddress), "bpf_loop callback");
        assertTrue(firstRelocs.stream().anyMatch(r -> r.target() instanceof Relocation.CallReference), "call to add_global");
        long objdumpRelocs = objdumpRelocations(TestPrograms.compile("features.bpf.c"), "socket");
        long ours = spec.functions().stream().filter(f -> f.section().equals("socket")).mapToLong(f -> f.relocations().size()).sum();
        assertEquals(objdumpRelocs, ours);
    }

    @Test
    void mapsAsDeclared() throws Exception {
        ObjectSpec spec = ObjectReader.read(TestPrograms.compile("features.bpf.c"));
        MapSpec hashed = spec.map("hashed").orElseThrow();
        assertEquals(MapType.HASH, hashed.type());
        assertEquals(8, hashed.keySize());
        assertEquals(16, hashed.valueSize(), "struct { u32; u64 } is 16 bytes");
        assertEquals(128, hashed.maxEntries());
        assertEquals(1, hashed.flags(), "BPF_F_NO_PREALLOC");
        assertEquals(MapSpec.Pinning.BY_NAME, hashed.pinning());
        assertTrue(hashed.btfKeyTypeId() > 0 && hashed.btfValueTypeId() > 0);

        MapSpec events = spec.map("events").orElseThrow();
        assertEquals(MapType.RINGBUF, events.type());
        assertEquals(4096, events.maxEntries());

        MapSpec outer = spec.map("outer").orElseThrow();
        assertEquals(MapType.ARRAY_OF_MAPS, outer.type());
        assertEquals(4, outer.valueSize());
        MapSpec inner = outer.innerMap().orElseThrow();
        assertEquals(MapType.ARRAY, inner.type());
        assertEquals(List.of(new MapSpec.Slot(1, "inner_a"), new MapSpec.Slot(3, "inner_b")), outer.initialSlots());
    }

    @Test
    void globalDataSections() throws Exception {
        ObjectSpec spec = ObjectReader.read(TestPrograms.compile("features.bpf.c"));
        MapSpec data = spec.map(".data").orElseThrow();
        assertEquals(MapSpec.Kind.DATA, data.kind());
        assertEquals(7, java.nio.ByteBuffer.wrap(data.initialData()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0));
        assertTrue(spec.map(".rodata").orElseThrow().readOnly());
        assertFalse(data.readOnly());
        MapSpec bss = spec.map(".bss").orElseThrow();
        assertArrayEquals(new byte[bss.valueSize()], bss.initialData(), ".bss starts zeroed");
        MapSpec notes = spec.map(".data.notes").orElseThrow();
        assertEquals("hello", ObjectReader.cString(notes.initialData()));
        assertTrue(spec.map(".rodata.tuning").orElseThrow().readOnly());
        for (MapSpec m : spec.maps()) {
            if (m.kind() == MapSpec.Kind.DATA) {
                assertTrue(m.btfValueTypeId() > 0, m.name() + " has its DATASEC");
                assertEquals(MapSpec.F_MMAPABLE, m.flags() & MapSpec.F_MMAPABLE);
            }
        }
    }

    @Test
    void legacyMapsSection() throws Exception {
        ObjectSpec spec = ObjectReader.read(TestPrograms.compile("legacy_maps.bpf.c"));
        MapSpec m = spec.map("legacy_counts").orElseThrow();
        assertEquals(MapSpec.Kind.LEGACY, m.kind());
        assertEquals(MapType.HASH, m.type());
        assertEquals(4, m.keySize());
        assertEquals(8, m.valueSize());
        assertEquals(64, m.maxEntries());
        assertEquals(0x060100, spec.kernelVersion(), "the 'version' section");
    }

    @Test
    void notBpfOrNotElfIsAClearError(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path text = dir.resolve("x.o");
        Files.writeString(text, "not an object");
        assertThrows(io.bpf4j.elf.ElfFormatException.class, () -> ObjectReader.read(text));
        SpecException e = assertThrows(SpecException.class, () -> ObjectReader.read(Path.of("/bin/true")));
        assertTrue(e.getMessage().contains("clang -target bpf"), e.getMessage());
        SpecException missing = assertThrows(SpecException.class, () -> ObjectReader.read(dir.resolve("nope.o")));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    }

    private static long objdumpRelocations(Path obj, String section) throws Exception {
        Process p = new ProcessBuilder("llvm-objdump-19", "-r", obj.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        // Count the records of the block "RELOCATION RECORDS FOR [section]:", up to the blank line.
        String header = "RELOCATION RECORDS FOR [" + section + "]:";
        int start = out.indexOf(header);
        assertTrue(start >= 0, out);
        String block = out.substring(start + header.length()).split("\\n\\s*\\n", 2)[0];
        return block.lines().filter(l -> l.contains("R_BPF_")).count();
    }
}

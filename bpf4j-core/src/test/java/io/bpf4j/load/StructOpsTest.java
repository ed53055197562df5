package io.bpf4j.load;

import io.bpf4j.spec.MapSpec;
import io.bpf4j.spec.ObjectReader;
import io.bpf4j.spec.ObjectSpec;
import io.bpf4j.spec.StructOpsSpec;
import io.bpf4j.sys.MapType;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * struct_ops on this host: reading the maps of struct_ops_cc.bpf.o from the ELF (which program each
 * function pointer names, the data members' initial values), and the load this kernel refuses (no BPF
 * trampolines) with the error that says so, without leaking a descriptor. StructOpsGuestTest loads and
 * registers the same object for real on Debian's 6.1.
 */
@Requires(Requirement.CLANG)
class StructOpsTest {
    private static ObjectSpec spec() throws Exception {
        return ObjectReader.read(TestPrograms.compile("struct_ops_cc.bpf.c"));
    }

    private static Map<String, Optional<String>> functionMembers(StructOpsSpec s) {
        return s.members().stream().filter(StructOpsSpec.Member::functionPointer)
                .filter(m -> m.program().isPresent())
                .collect(Collectors.toMap(StructOpsSpec.Member::name, StructOpsSpec.Member::program));
    }

    private static String name(StructOpsSpec s) {
        byte[] b = s.members().stream().filter(m -> m.name().equals("name")).findFirst().orElseThrow().initial();
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.US_ASCII);
    }

    @Test
    void theLinkMapsMembersNameItsProgramsAndItsDataItsInitialValues() throws Exception {
        StructOpsSpec s = spec().structOps("cc_link").orElseThrow();
        assertEquals(".struct_ops.link", s.section());
        assertTrue(s.usesLink());
        assertEquals("tcp_congestion_ops", s.structName());
        assertEquals(Map.of("init", Optional.of("bpf4j_init"), "ssthresh", Optional.of("bpf4j_ssthresh"),
                "undo_cwnd", Optional.of("bpf4j_undo_cwnd"), "cong_avoid", Optional.of("bpf4j_cong_avoid")), functionMembers(s));
        assertEquals("bpf4j_cc", name(s));
        StructOpsSpec.Member nameMember = s.members().stream().filter(m -> m.name().equals("name")).findFirst().orElseThrow();
        assertEquals(16, nameMember.size(), "char name[TCP_CA_NAME_MAX]");
        assertTrue(nameMember.isSet());
        StructOpsSpec.Member flags = s.members().stream().filter(m -> m.name().equals("flags")).findFirst().orElseThrow();
        assertFalse(flags.functionPointer());
        assertFalse(flags.isSet(), "flags = 0 is not set: a kernel without the member would not mind");
        assertTrue(s.members().stream().filter(m -> m.name().equals("cong_control")).findFirst().orElseThrow().program().isEmpty());
        assertEquals(Optional.of("cong_avoid"), s.memberFor("bpf4j_cong_avoid").map(StructOpsSpec.Member::name));
    }

    @Test
    void thePlainMapSharesTheProgramsAndHasItsOwnName() throws Exception {
        StructOpsSpec s = spec().structOps("cc_plain").orElseThrow();
        assertEquals(".struct_ops", s.section());
        assertFalse(s.usesLink());
        assertEquals(Map.of("ssthresh", Optional.of("bpf4j_ssthresh"), "undo_cwnd", Optional.of("bpf4j_undo_cwnd"),
                "cong_avoid", Optional.of("bpf4j_cong_avoid")), functionMembers(s));
        assertEquals("bpf4j_cc2", name(s));
    }

    @Test
    void bothAreStructOpsMapsOfOneEntryTheLinkOneWithBpfFLink() throws Exception {
        MapSpec link = spec().map("cc_link").orElseThrow();
        MapSpec plain = spec().map("cc_plain").orElseThrow();
        for (MapSpec m : new MapSpec[] {link, plain}) {
            assertEquals(MapType.STRUCT_OPS, m.type());
            assertEquals(MapSpec.Kind.STRUCT_OPS, m.kind());
            assertEquals(4, m.keySize());
            assertEquals(1, m.maxEntries());
        }
        assertEquals(MapSpec.F_LINK, link.flags());
        assertEquals(0, plain.flags());
    }

    /** This kernel refuses trampolines: the first struct_ops map fails, and nothing stays open. */
    @Test
    @Requires({Requirement.ROOT, Requirement.KERNEL_BTF, Requirement.CLANG})
    void loadingIsRefusedHereWithTheTrampolineErrorAndNoDescriptorLeaks() throws Exception {
        Path obj = TestPrograms.compile("struct_ops_cc.bpf.c");
        KernelBtf.vmlinux(); // parsed once, outside the count
        long before = openFds();
        LoadException e = assertThrows(LoadException.class, () -> {
            try (BpfObject o = BpfObject.open(obj)) {
                o.load();
            }
        });
        // 6.18 here answers EINVAL to the map (before any program): bpf4j's fentry probe tells why.
        assertTrue(e.getMessage().contains("struct_ops map cc_plain") && e.getMessage().contains("refuses BPF trampolines"),
                e.getMessage());
        assertEquals(before, openFds(), "descriptors before and after the failed load");
    }

    @Test
    @Requires({Requirement.ROOT, Requirement.KERNEL_BTF, Requirement.CLANG})
    void aStructOpsProgramNoMapReferencesIsAnErrorSayingSo() throws Exception {
        LoadException e = assertThrows(LoadException.class, () -> {
            try (BpfObject o = BpfObject.open(TestPrograms.compile("struct_ops_cc.bpf.c"))) {
                for (String p : new String[] {"bpf4j_init", "bpf4j_ssthresh", "bpf4j_undo_cwnd", "bpf4j_cong_avoid"}) {
                    o.autoload(p, false);
                }
                o.autoload("bpf4j_orphan", true).load();
            }
        });
        assertTrue(e.getMessage().contains("bpf4j_orphan") && e.getMessage().contains("not referenced by any struct_ops map"),
                e.getMessage());
    }

    private static long openFds() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}

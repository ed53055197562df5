package io.bpf4j.load;

import io.bpf4j.btf.KernelBtf;
import io.bpf4j.link.AttachException;
import io.bpf4j.link.Attacher;
import io.bpf4j.link.Link;
import io.bpf4j.link.StructOps;
import io.bpf4j.spec.MapSpec;
import io.bpf4j.spec.ObjectReader;
import io.bpf4j.spec.ObjectSpec;
import io.bpf4j.spec.StructOpsSpec;
import io.bpf4j.sys.MapType;
import io.bpf4j.testing.LoopbackTcp;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
 * function pointer names, the data members' initial values), then loading and registering them for
 * real (this 6.18 refuses fentry but takes struct_ops). StructOpsGuestTest does the same on Debian's
 * 6.1, which has no struct_ops links.
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

    private static String available() throws Exception {
        return Files.readString(Path.of("/proc/sys/net/ipv4/tcp_available_congestion_control")).strip();
    }

    private static List<String> availableList() throws Exception {
        return Arrays.asList(available().split(" "));
    }

    /**
     * This host refuses fentry (EPERM) but takes struct_ops: bpf4j_cc registers through a BPF link (6.4+),
     * one loopback connection switched to it with setsockopt(TCP_CONGESTION) (the host's default stays
     * untouched: other work shares this machine) runs its operations, and closing the link removes it.
     */
    @Test
    @Requires({Requirement.ROOT, Requirement.KERNEL_BTF, Requirement.CLANG})
    void theLinkMapRegistersWithABpfLinkAndCarriesAConnection() throws Exception {
        KernelBtf.vmlinux(); // parsed once, outside the count
        long before = openFds();
        String listBefore = available();
        try (BpfObject o = BpfObject.open(TestPrograms.compile("struct_ops_cc.bpf.c"))) {
            o.load();
            assertTrue(o.warnings().isEmpty(), o.warnings().toString());
            assertTrue(o.map("cc_link").registersWithLink());
            assertTrue(Attacher.whyNotAttachable(o.program("bpf4j_cong_avoid")).isPresent(), "map not registered yet");
            try (Link link = Attacher.attach(o.map("cc_link"))) {
                assertTrue(link.isBpfLink());
                assertTrue(availableList().contains("bpf4j_cc"), available());
                assertTrue(Attacher.whyNotAttachable(o.program("bpf4j_cong_avoid")).isEmpty());
                try (LoopbackTcp tcp = LoopbackTcp.open()) {
                    LoopbackTcp.congestionControl(tcp.client, "bpf4j_cc");
                    tcp.roundTrips(64, 16 * 1024);
                }
                assertEquals(1L, ((Number) o.globalValue("init_calls")).longValue(), "the client socket switched once");
                assertTrue(((Number) o.globalValue("cong_avoid_calls")).longValue() > 0, "cong_avoid ran on the ACKs");
            }
            assertFalse(availableList().contains("bpf4j_cc"), available());
            assertTrue(Attacher.whyNotAttachable(o.program("bpf4j_cong_avoid")).isPresent(), "unregistered again");
        }
        assertEquals(listBefore, available());
        assertEquals(before, openFds(), "descriptors before and after");
    }

    /** The plain map: a map update registers, its Link unregisters, once per map; one left registered goes with the object. */
    @Test
    @Requires({Requirement.ROOT, Requirement.KERNEL_BTF, Requirement.CLANG})
    void thePlainMapRegistersByUpdateAndClosingTheObjectUnregistersIt() throws Exception {
        String listBefore = available();
        try (BpfObject o = BpfObject.open(TestPrograms.compile("struct_ops_cc.bpf.c"))) {
            o.load();
            assertFalse(o.map("cc_plain").registersWithLink());
            try (Link l = StructOps.register(o.map("cc_plain"))) {
                assertFalse(l.isBpfLink());
                assertTrue(availableList().contains("bpf4j_cc2"), available());
                AttachException twice = assertThrows(AttachException.class,
                        () -> StructOps.register(o.map("cc_plain")));
                assertTrue(twice.getMessage().contains("already registered"), twice.getMessage());
            }
            assertFalse(availableList().contains("bpf4j_cc2"), available());
            AttachException again = assertThrows(AttachException.class,
                    () -> StructOps.register(o.map("cc_plain")));
            assertTrue(again.getMessage().contains("load the object again"), again.getMessage());
        }
        try (BpfObject o = BpfObject.open(TestPrograms.compile("struct_ops_cc.bpf.c"))) {
            o.load();
            StructOps.register(o.map("cc_plain"));
            assertTrue(availableList().contains("bpf4j_cc2"));
        }
        assertEquals(listBefore, available(), "closing the object unregistered the map left registered");
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

    @Test
    @Requires({Requirement.KERNEL_BTF, Requirement.CLANG})
    void aStructTheKernelCannotRegisterIsNamedWithTheTypesItCan() throws Exception {
        StructOpsSpec s = spec().structOps("cc_link").orElseThrow();
        StructOpsSpec missing = new StructOpsSpec(s.mapName(), s.section(), "bpf4j_no_such_ops", s.size(), s.members());
        LoadException e = assertThrows(LoadException.class, () -> StructOpsLayout.of(missing, KernelBtf.vmlinux()));
        assertTrue(e.getMessage().contains("has no struct bpf4j_no_such_ops") && e.getMessage().contains("tcp_congestion_ops"),
                e.getMessage());
    }

    /** Members are matched by name: one the object sets and the kernel lacks is an error; unset ones are not. */
    @Test
    @Requires({Requirement.KERNEL_BTF, Requirement.CLANG})
    void aSetMemberTheKernelStructLacksIsNamed() throws Exception {
        StructOpsSpec s = spec().structOps("cc_link").orElseThrow();
        List<StructOpsSpec.Member> members = new java.util.ArrayList<>(s.members());
        members.add(new StructOpsSpec.Member("bpf4j_unset", s.size(), 4, false, Optional.empty(), new byte[4]));
        StructOpsLayout.of(new StructOpsSpec(s.mapName(), s.section(), s.structName(), s.size() + 8, members), KernelBtf.vmlinux());
        members.add(new StructOpsSpec.Member("bpf4j_extra", s.size() + 4, 4, false, Optional.empty(), new byte[] {1, 0, 0, 0}));
        StructOpsSpec extra = new StructOpsSpec(s.mapName(), s.section(), s.structName(), s.size() + 8, members);
        LoadException e = assertThrows(LoadException.class, () -> StructOpsLayout.of(extra, KernelBtf.vmlinux()));
        assertTrue(e.getMessage().contains("sets member 'bpf4j_extra'") && e.getMessage().contains("lacks"), e.getMessage());
    }

    /** One program set as two members: the kernel would take it for the first only, so bpf4j says so. */
    @Test
    @Requires({Requirement.KERNEL_BTF, Requirement.CLANG})
    void oneProgramAsTwoMembersIsNamed() throws Exception {
        StructOpsSpec s = spec().structOps("cc_link").orElseThrow();
        List<StructOpsSpec.Member> members = s.members().stream().map(m -> m.name().equals("undo_cwnd")
                ? new StructOpsSpec.Member(m.name(), m.offset(), m.size(), true, Optional.of("bpf4j_ssthresh"), m.initial())
                : m).toList();
        StructOpsSpec twice = new StructOpsSpec(s.mapName(), s.section(), s.structName(), s.size(), members);
        LoadException e = assertThrows(LoadException.class, () -> StructOpsLayout.of(twice, KernelBtf.vmlinux()));
        assertTrue(e.getMessage().contains("sets program bpf4j_ssthresh as both member 'ssthresh' and member 'undo_cwnd'"),
                e.getMessage());
    }

    private static long openFds() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}

package io.bpf4j.sys;

import io.bpf4j.asm.Instruction;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PROG_ATTACH/PROG_DETACH on a cgroup and a tcx link on the loopback device, as bpftool sees them. */
@Requires({Requirement.ROOT, Requirement.BPFTOOL})
class AttachTest {
    private static final byte[] RETURN_ONE = Instruction.encode(Instruction.mov64(0, 1), Instruction.exit());

    static Path cgroupRoot() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
            String[] f = line.split(" ");
            if (f[2].equals("cgroup2")) {
                return Path.of(f[1]);
            }
        }
        throw new AssertionError("no cgroup2 mount");
    }

    @Test
    void progAttachToACgroupAndDetach() throws Exception {
        Path cgroup = cgroupRoot().resolve("bpf4j_attach_test_" + ProcessHandle.current().pid());
        Files.createDirectories(cgroup);
        try (Fd prog = Bpf.progLoad(ProgLoadAttr.of(ProgType.CGROUP_SKB, RETURN_ONE, "GPL")
                .withExpectedAttachType(AttachType.CGROUP_INET_INGRESS).withName("bpf4j_cgskb"));
             Fd dir = Os.open(cgroup, Os.O_RDONLY | Os.O_DIRECTORY)) {
            Bpf.progAttach(dir.value(), prog, AttachType.CGROUP_INET_INGRESS, 0);
            String shown = Bpftool.run("-j", "cgroup", "show", cgroup.toString());
            assertTrue(shown.contains("\"id\":" + Bpf.progInfo(prog).id()), shown);
            assertTrue(shown.contains("\"attach_type\":\"cgroup_inet_ingress\""), shown);
            Bpf.progDetach(dir.value(), prog, AttachType.CGROUP_INET_INGRESS);
            assertFalse(Bpftool.run("-j", "cgroup", "show", cgroup.toString()).contains("bpf4j_cgskb"));
            // Detaching again: the kernel has nothing attached there any more.
            BpfException e = org.junit.jupiter.api.Assertions.assertThrows(BpfException.class,
                    () -> Bpf.progDetach(dir.value(), prog, AttachType.CGROUP_INET_INGRESS));
            assertEquals(Errno.ENOENT, e.errno());
        } finally {
            Files.deleteIfExists(cgroup);
        }
    }

    @Test
    void tcxLinkOnLoopback() throws Exception {
        int lo = Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/ifindex")).strip());
        try (Fd prog = Bpf.progLoad(ProgLoadAttr.of(ProgType.SCHED_CLS, Instruction.encode(
                     Instruction.mov64(0, -1), Instruction.exit()), "GPL") // TCX_NEXT
                     .withExpectedAttachType(AttachType.TCX_INGRESS).withName("bpf4j_tcx"));
             Fd link = Bpf.linkCreate(new LinkCreateAttr(prog, lo, AttachType.TCX_INGRESS, 0,
                     new LinkCreateAttr.Tcx(0, 0)))) {
            LinkInfo info = Bpf.linkInfo(link);
            assertEquals(LinkType.TCX, info.linkType());
            String shown = Bpftool.run("-j", "link", "show", "id", Integer.toString(info.id()));
            assertTrue(shown.contains("\"prog_id\":" + Bpf.progInfo(prog).id()), shown);
            assertEquals(lo, ByteOrderView.u32(((LinkInfo.Other) info.target()).raw(), 0), "ifindex");
            Bpf.linkDetach(link);
            assertEquals(0, ByteOrderView.u32(((LinkInfo.Other) Bpf.linkInfo(link).target()).raw(), 0),
                    "ifindex after detach");
        }
    }

    /** Reads the tcx ifindex (first u32 of the per-type union) from the raw link info tail. */
    static final class ByteOrderView {
        static int u32(byte[] b, int at) {
            return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(at);
        }
    }
}

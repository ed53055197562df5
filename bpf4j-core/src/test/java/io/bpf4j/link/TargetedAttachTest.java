package io.bpf4j.link;

import io.bpf4j.host.Mounts;
import io.bpf4j.load.BpfObject;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.Shell;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Targeted kinds on targets the test makes and removes: a veth pair (xdp on one end, tc egress on the
 * other) and a cgroup (cgroup_skb egress of a child process put into it). Traffic is IPv6
 * link-local multicast on the pair only.
 */
@Requires({Requirement.ROOT, Requirement.CLANG})
class TargetedAttachTest {
    private static final String A = "bpf4jt0";
    private static final String B = "bpf4jt1";

    @BeforeAll
    static void vethPair() throws Exception {
        // Duplicate address detection off, so the link-local addresses are usable at once.
        Shell.run("ip link del " + A + " 2>/dev/null; ip link add " + A + " type veth peer name " + B
                + " && for i in " + A + " " + B + "; do echo 0 > /proc/sys/net/ipv6/conf/$i/accept_dad; done"
                + " && ip link set " + A + " up && ip link set " + B + " up");
        for (int i = 0; i < 100 && linkLocal(A).isEmpty(); i++) {
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void removePair() throws Exception {
        Shell.run("ip link del " + A + " 2>/dev/null || true");
    }

    @Test
    void xdpAndTcCountPacketsOnTheirInterfaces() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("targets.bpf.c")).autoload("count_cgroup", false)
                .autoload("count_socket", false).load();
             Link xdp = Attacher.attach(obj.program("count_xdp"), Optional.of(B));
             Link tc = Attacher.attach(obj.program("count_tc"), Optional.of(A))) {
            assertEquals("xdp on " + B, xdp.description());
            send(5);
            long sentByTc = ((Number) obj.globalValue("tc_packets")).longValue();
            long seenByXdp = ((Number) obj.globalValue("xdp_packets")).longValue();
            assertTrue(sentByTc >= 5, "tc egress on " + A + " saw the 5 datagrams: " + sentByTc);
            assertTrue(seenByXdp >= 5, "xdp on " + B + " saw them arrive: " + seenByXdp);
        }
    }

    @Test
    void xdpInGenericModeAndASocketFilterSeeTheSameFrames() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("targets.bpf.c")).autoload("count_cgroup", false).load();
             Link xdp = Attacher.attach(obj.program("count_xdp"), Optional.of(B + ":skb"));
             Link sock = Attacher.attach(obj.program("count_socket"), Optional.of(B))) {
            assertEquals("xdp on " + B + " (skb mode)", xdp.description());
            assertTrue(!sock.isBpfLink(), "a socket filter lives on its socket, not a BPF link");
            send(4);
            assertTrue(((Number) obj.globalValue("xdp_packets")).longValue() >= 4);
            assertTrue(((Number) obj.globalValue("socket_packets")).longValue() >= 4, "the packet socket on " + B + " saw them");
            AttachException mode = assertThrows(AttachException.class, () -> Attacher.attach(obj.program("count_xdp"), Optional.of(B + ":turbo")));
            assertTrue(mode.getMessage().contains("skb (generic)"), mode.getMessage());
        }
    }

    @Test
    void cgroupSkbCountsEgressOfItsCgroup() throws Exception {
        Path root = Mounts.current().cgroup2().orElseThrow(() -> new AssertionError("cgroup v2 is not mounted"));
        Path cg = root.resolve("bpf4j-test-" + ProcessHandle.current().pid());
        Files.createDirectories(cg);
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("targets.bpf.c"))
                .autoload("count_xdp", false).autoload("count_tc", false).autoload("count_socket", false).load();
             Link link = Attacher.attach(obj.program("count_cgroup"), Optional.of(cg.toString()))) {
            // A child shell joins the cgroup, then sends three datagrams through bash's /dev/udp.
            Shell.run("bash -c 'echo $$ > " + cg.resolve("cgroup.procs") + " && for i in 1 2 3; do echo x > /dev/udp/ff02::1%" + A + "/9; done'");
            assertTrue(((Number) obj.globalValue("cgroup_packets")).longValue() >= 3, "egress of the cgroup counted");
        } finally {
            Files.deleteIfExists(cg);
        }
    }

    @Test
    void targetsThatDoNotExistAreClearErrors() throws Exception {
        try (BpfObject obj = BpfObject.open(TestPrograms.compile("targets.bpf.c")).load()) {
            AttachException noIf = assertThrows(AttachException.class, () -> Attacher.attach(obj.program("count_xdp"), Optional.of("nosuchif0")));
            assertTrue(noIf.getMessage().contains("no network interface 'nosuchif0'"), noIf.getMessage());
            AttachException none = assertThrows(AttachException.class, () -> Attacher.attach(obj.program("count_xdp")));
            assertTrue(none.getMessage().contains("needs a target"), none.getMessage());
            AttachException noCg = assertThrows(AttachException.class, () -> Attacher.attach(obj.program("count_cgroup"), Optional.of("/no/such/cgroup")));
            assertTrue(noCg.getMessage().contains("not a directory"), noCg.getMessage());
        }
    }

    /** Datagrams to all-nodes link-local multicast, out of A: they stay on the pair. */
    private static void send(int n) throws Exception {
        NetworkInterface nif = NetworkInterface.getByName(A);
        InetAddress group = Inet6Address.getByAddress(null, InetAddress.getByName("ff02::1").getAddress(), nif);
        try (DatagramSocket s = new DatagramSocket()) {
            for (int i = 0; i < n; i++) {
                s.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, group, 9));
            }
        }
        Thread.sleep(200);
    }

    private static Optional<InetAddress> linkLocal(String name) throws IOException {
        NetworkInterface nif = NetworkInterface.getByName(name);
        return nif == null ? Optional.empty() : nif.inetAddresses().filter(InetAddress::isLinkLocalAddress).findFirst();
    }
}

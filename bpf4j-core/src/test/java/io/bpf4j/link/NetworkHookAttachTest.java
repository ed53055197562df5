package io.bpf4j.link;

import io.bpf4j.load.BpfObject;
import io.bpf4j.sys.Bpf;
import io.bpf4j.testing.LoopbackTcp;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.Shell;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kinds whose target is neither an interface nor a cgroup: a sockmap (sk_msg, sk_skb, fed with a
 * loopback TCP pair), a network namespace the test creates (flow_dissector, sk_lookup) and a
 * netfilter hook. Each program counts; the test makes known traffic and checks the count, and that
 * nothing is counted once the link is closed.
 */
@Requires({Requirement.ROOT, Requirement.CLANG})
class NetworkHookAttachTest {
    private static final String NS = "bpf4jtest" + ProcessHandle.current().pid();
    private static final int PORT = 4242;

    @BeforeAll
    static void namespace() throws Exception {
        Shell.run("ip netns add " + NS + " && ip netns exec " + NS + " ip link set lo up");
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        Shell.run("ip netns del " + NS + " 2>/dev/null || true");
    }

    private static BpfObject load(String... programs) throws Exception {
        BpfObject obj = BpfObject.open(TestPrograms.compile("net_hooks.bpf.c")).setGlobal("lookup_port", String.valueOf(PORT));
        for (String name : new String[] {"count_msg", "count_skb", "count_dissect", "count_lookup", "count_nf"}) {
            obj.autoload(name, java.util.Arrays.asList(programs).contains(name));
        }
        return obj.load();
    }

    @Test
    void skMsgAndSkSkbRunForTheSocketsOfTheirSockmap() throws Exception {
        try (BpfObject obj = load("count_msg", "count_skb");
             LoopbackTcp tcp = LoopbackTcp.open()) {
            try (Link msg = Attacher.attach(obj.program("count_msg"), Optional.of("sock_map"));
                 Link skb = Attacher.attach(obj.program("count_skb"), Optional.of("sock_map"))) {
                assertEquals("sk_msg on map sock_map", msg.description());
                obj.map("sock_map").update(new byte[4], LoopbackTcp.mapValue(tcp.client), 0);
                obj.map("sock_map").update(new byte[] {1, 0, 0, 0}, LoopbackTcp.mapValue(tcp.server), 0);
                for (String word : new String[] {"one", "three", "seven"}) {
                    LoopbackTcp.send(tcp.client, word.getBytes(StandardCharsets.US_ASCII));
                }
                assertEquals(3L, obj.globalValue("msg_count"), "one sk_msg run per send from the client in the map");
                assertEquals(13L, obj.globalValue("msg_bytes"));
                byte[] got = new byte[0];
                while (got.length < 13) {
                    byte[] more = LoopbackTcp.receive(tcp.server, 64);
                    got = java.util.Arrays.copyOf(got, got.length + more.length);
                    System.arraycopy(more, 0, got, got.length - more.length, more.length);
                }
                assertArrayEquals("onethreeseven".getBytes(StandardCharsets.US_ASCII), got, "SK_PASS delivered the data");
                long skbs = (Long) obj.globalValue("skb_count");
                assertTrue(skbs >= 1 && skbs <= 3, "the server in the map saw the data as 1-3 skbs: " + skbs);
                assertEquals(13L, obj.globalValue("skb_bytes"));
            }
            // The kernel copies a map's programs into a socket when it joins the map, so after the link
            // closed a socket that joins is not served (the ones already in keep theirs until removed).
            try (LoopbackTcp later = LoopbackTcp.open()) {
                obj.map("sock_map").update(new byte[] {2, 0, 0, 0}, LoopbackTcp.mapValue(later.client), 0);
                LoopbackTcp.send(later.client, "after".getBytes(StandardCharsets.US_ASCII));
                assertEquals(3L, obj.globalValue("msg_count"), "no sk_msg run for a socket that joined after the link closed");
            }
        }
    }

    @Test
    void sockmapTargetsThatAreWrongAreClearErrors() throws Exception {
        try (BpfObject obj = load("count_msg")) {
            var prog = obj.program("count_msg");
            AttachException none = assertThrows(AttachException.class, () -> Attacher.attach(prog));
            assertTrue(none.getMessage().contains("--attach count_msg=sock_map"), none.getMessage());
            AttachException array = assertThrows(AttachException.class, () -> Attacher.attach(prog, Optional.of("not_a_sockmap")));
            assertTrue(array.getMessage().contains("is of type ARRAY") && array.getMessage().contains("SOCKMAP or BPF_MAP_TYPE_SOCKHASH"),
                    array.getMessage());
            AttachException unknown = assertThrows(AttachException.class, () -> Attacher.attach(prog, Optional.of("no_such_map")));
            assertTrue(unknown.getMessage().contains("neither a map of its object"), unknown.getMessage());
        }
    }

    @Test
    void skLookupAndFlowDissectorServeTheirNetworkNamespace() throws Exception {
        try (BpfObject obj = load("count_lookup", "count_dissect")) {
            try (Link lookup = Attacher.attach(obj.program("count_lookup"), Optional.of(NS));
                 Link dissect = Attacher.attach(obj.program("count_dissect"), Optional.of("/run/netns/" + NS))) {
                assertEquals("sk_lookup on network namespace " + NS, lookup.description());
                assertTrue(lookup.isBpfLink() && dissect.isBpfLink());
                udpInNamespace(3);
                assertEquals(3L, obj.globalValue("lookups"), "one socket lookup per datagram to port " + PORT);
                assertTrue((Long) obj.globalValue("dissected") >= 3, "RPS on the namespace's lo dissected each packet: "
                        + obj.globalValue("dissected"));
                // Traffic outside the namespace is none of their business.
                udpOnHost(3);
                assertEquals(3L, obj.globalValue("lookups"), "the host's own namespace is not served");
            }
            udpInNamespace(2);
            assertEquals(3L, obj.globalValue("lookups"), "nothing after the links closed");
            AttachException missing = assertThrows(AttachException.class,
                    () -> Attacher.attach(obj.program("count_lookup"), Optional.of("no-such-ns")));
            assertTrue(missing.getMessage().contains("ip netns list"), missing.getMessage());
        }
    }

    @Test
    void netfilterCountsTheHookItIsOn() throws Exception {
        try (BpfObject obj = load("count_nf")) {
            long before;
            try (Link nf = Attacher.attach(obj.program("count_nf"), Optional.of("ipv4:output:-7"))) {
                assertEquals("netfilter ipv4:output:-7", nf.description());
                assertEquals("NETFILTER", Bpf.linkInfo(nf.fd()).linkType().name());
                udpOnHost(4);
                before = (Long) obj.globalValue("nf_packets");
                assertTrue(before >= 4, "the 4 datagrams left through ipv4 output: " + before);
            }
            udpOnHost(4);
            assertEquals(before, obj.globalValue("nf_packets"), "nothing after the link closed");
            for (String bad : new String[] {"ipv5:input", "ipv4:sideways", "ipv4:input:soon"}) {
                AttachException e = assertThrows(AttachException.class, () -> Attacher.attach(obj.program("count_nf"), Optional.of(bad)));
                assertTrue(e.getMessage().contains("FAMILY:HOOK"), e.getMessage());
            }
            assertFalse(Attacher.autoAttachable(obj.program("count_nf")), "a netfilter program waits for its hook to be named");
        }
    }

    /** {@code n} datagrams to 127.0.0.1:PORT from inside the namespace, whose lo has RPS on (so each is dissected). */
    private static void udpInNamespace(int n) throws Exception {
        Shell.run("ip netns exec " + NS + " sh -c 'echo 1 > /sys/class/net/lo/queues/rx-0/rps_cpus' && ip netns exec " + NS
                + " bash -c 'for i in $(seq " + n + "); do echo x > /dev/udp/127.0.0.1/" + PORT + "; done 2>/dev/null; true'");
    }

    /** {@code n} datagrams to 127.0.0.1:PORT in the host's namespace (bash's /dev/udp: dash has none). */
    private static void udpOnHost(int n) throws Exception {
        Shell.run("bash -c 'for i in $(seq " + n + "); do echo x > /dev/udp/127.0.0.1/" + PORT + "; done 2>/dev/null; true'");
    }
}

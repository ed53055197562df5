package io.bpf4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * An AF_PACKET socket bound to one interface with a socket-filter program attached (SO_ATTACH_BPF):
 * the program sees every frame of the interface, as tcpdump's filter does. Closing the socket detaches it.
 */
public final class PacketSocket {
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** ETH_P_ALL, in network byte order as socket(2) and sockaddr_ll want it. */
    private static final short ETH_P_ALL_BE = (short) 0x0300;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_BPF = 50;
    /** struct sockaddr_ll: family(2) protocol(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8). */
    private static final int SOCKADDR_LL_SIZE = 20;

    private PacketSocket() {
    }

    /** Opens the socket on {@code ifindex} and attaches {@code prog}; the returned fd owns both. */
    public static Fd attach(Fd prog, int ifindex) {
        Native.Scratch s = Native.scratch();
        int fd = Native.socket(s, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, Short.toUnsignedInt(ETH_P_ALL_BE));
        if (fd < 0) {
            throw Failures.of("socket", s.errno(), "AF_PACKET socket");
        }
        Fd sock = Fd.adopt(fd, "socket");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SOCKADDR_LL_SIZE, 4);
            addr.set(JAVA_SHORT, 0, (short) AF_PACKET);
            addr.set(JAVA_SHORT, 2, ETH_P_ALL_BE);
            addr.set(JAVA_INT, 4, ifindex);
            if (Native.bind(s, fd, addr, SOCKADDR_LL_SIZE) < 0) {
                throw Failures.of("bind", s.errno(), "AF_PACKET socket to ifindex " + ifindex);
            }
            MemorySegment value = arena.allocateFrom(JAVA_INT, prog.value());
            if (Native.setsockopt(s, fd, SOL_SOCKET, SO_ATTACH_BPF, value, 4) < 0) {
                throw Failures.of("setsockopt(SO_ATTACH_BPF)", s.errno(), prog.toString());
            }
            return sock;
        } catch (RuntimeException e) {
            sock.close();
            throw e;
        }
    }
}

package io.bpf4j.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Creates a network device (a netkit pair) with one RTM_NEWLINK request over rtnetlink, for tests in a guest whose
 * tools (busybox ip, iproute2 6.1) do not know netkit. Layouts from linux/netlink.h, rtnetlink.h
 * and if_link.h.
 */
public final class Rtnetlink {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_ROUTE = 0;
    private static final short RTM_NEWLINK = 16;
    private static final short NLMSG_ERROR = 2;
    /** NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE. */
    private static final short CREATE_FLAGS = 0x1 | 0x4 | 0x200 | 0x400;
    private static final short IFLA_IFNAME = 3;
    private static final short IFLA_LINKINFO = 18;
    private static final short IFLA_INFO_KIND = 1;
    private static final int NLMSG_HEADER = 16;
    private static final int IFINFOMSG = 16;

    private Rtnetlink() {
    }

    /**
     * {@code ip link add NAME type KIND} with no further options: for netkit the primary device is
     * NAME and the kernel names the peer (netkitN). Returns 0 or the negative errno the kernel answered.
     */
    public static int addLink(String name, String kind) {
        ByteBuffer attrs = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        putString(attrs, IFLA_IFNAME, name);
        int linkInfo = attrs.position();
        attrs.putShort((short) 0).putShort(IFLA_LINKINFO); // length patched below
        putString(attrs, IFLA_INFO_KIND, kind);
        attrs.putShort(linkInfo, (short) (attrs.position() - linkInfo));
        int length = NLMSG_HEADER + IFINFOMSG + attrs.position();
        ByteBuffer msg = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        msg.putInt(length).putShort(RTM_NEWLINK).putShort(CREATE_FLAGS).putInt(1).putInt(0);
        msg.put(new byte[IFINFOMSG]); // family, type, index, flags, change: all 0
        msg.put(attrs.array(), 0, attrs.position());
        return request(msg.array());
    }

    private static void putString(ByteBuffer b, short type, String value) {
        byte[] s = value.getBytes(StandardCharsets.US_ASCII);
        int len = 4 + s.length + 1;
        b.putShort((short) len).putShort(type).put(s).put((byte) 0);
        while (b.position() % 4 != 0) {
            b.put((byte) 0); // attributes are 4-byte aligned
        }
    }

    /** Sends one request and returns the error field of the kernel's NLMSG_ERROR answer (0 = done). */
    private static int request(byte[] message) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) Libc.SOCKET.invokeExact(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
            if (fd < 0) {
                throw new AssertionError("socket(AF_NETLINK) failed");
            }
            try {
                long sent = (long) Libc.SEND.invokeExact(fd, arena.allocateFrom(JAVA_BYTE, message), (long) message.length, 0);
                if (sent != message.length) {
                    throw new AssertionError("send to rtnetlink returned " + sent);
                }
                MemorySegment buf = arena.allocate(4096);
                long got = (long) Libc.RECV.invokeExact(fd, buf, 4096L, 0);
                ByteBuffer answer = ByteBuffer.wrap(buf.asSlice(0, got).toArray(JAVA_BYTE)).order(ByteOrder.nativeOrder());
                if (got < NLMSG_HEADER + 4 || answer.getShort(4) != NLMSG_ERROR) {
                    throw new AssertionError("rtnetlink answered no NLMSG_ERROR (" + got + " bytes)");
                }
                return answer.getInt(NLMSG_HEADER);
            } finally {
                int ignored = (int) Libc.CLOSE.invokeExact(fd);
            }
        } catch (Throwable t) {
            throw t instanceof AssertionError a ? a : new AssertionError("rtnetlink request failed", t);
        }
    }

}

package io.bpf4j.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A connected TCP pair on 127.0.0.1 made with libc calls, because a sockmap takes socket file
 * descriptors and Java's socket classes do not expose theirs.
 */
public final class LoopbackTcp implements AutoCloseable {
    private static final MethodHandle BIND = Libc.function("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = Libc.function("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = Libc.function("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CONNECT = Libc.function("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ACCEPT = Libc.function("accept", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT = Libc.function("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_CONGESTION = 13;
    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;
    private static final int SOCKADDR_IN = 16;

    /** The connecting side and the accepted side. */
    public final int client;
    public final int server;
    private final int listener;

    private LoopbackTcp(int listener, int client, int server) {
        this.listener = listener;
        this.client = client;
        this.server = server;
    }

    public static LoopbackTcp open() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SOCKADDR_IN);
            addr.set(JAVA_BYTE, 0, (byte) AF_INET); // sin_family, little-endian short
            addr.set(JAVA_BYTE, 4, (byte) 127);
            addr.set(JAVA_BYTE, 7, (byte) 1);
            int listener = check("socket", (int) Libc.SOCKET.invokeExact(AF_INET, SOCK_STREAM, 0));
            check("bind", (int) BIND.invokeExact(listener, addr, SOCKADDR_IN));
            check("listen", (int) LISTEN.invokeExact(listener, 1));
            MemorySegment len = arena.allocateFrom(JAVA_INT, SOCKADDR_IN);
            check("getsockname", (int) GETSOCKNAME.invokeExact(listener, addr, len));
            int client = check("socket", (int) Libc.SOCKET.invokeExact(AF_INET, SOCK_STREAM, 0));
            check("connect", (int) CONNECT.invokeExact(client, addr, SOCKADDR_IN));
            int server = check("accept", (int) ACCEPT.invokeExact(listener, MemorySegment.NULL, MemorySegment.NULL));
            return new LoopbackTcp(listener, client, server);
        } catch (Throwable t) {
            throw new AssertionError("cannot make a loopback TCP pair", t);
        }
    }

    /** Sends {@code data} from {@code fd} in one send(2). */
    public static void send(int fd, byte[] data) {
        try (Arena arena = Arena.ofConfined()) {
            long n = (long) Libc.SEND.invokeExact(fd, arena.allocateFrom(JAVA_BYTE, data), (long) data.length, 0);
            if (n != data.length) {
                throw new AssertionError("send returned " + n);
            }
        } catch (Throwable t) {
            throw new AssertionError("send failed", t);
        }
    }

    /** Receives up to {@code max} bytes on {@code fd} (blocking). */
    public static byte[] receive(int fd, int max) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(max);
            long n = (long) Libc.RECV.invokeExact(fd, buf, (long) max, 0);
            check("recv", (int) n);
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw new AssertionError("recv failed", t);
        }
    }

    /** Sends {@code rounds} chunks of {@code size} bytes client to server, each received before the next; returns the bytes moved. */
    public long roundTrips(int rounds, int size) {
        byte[] chunk = new byte[size];
        for (int i = 0; i < rounds; i++) {
            send(client, chunk);
            int got = 0;
            while (got < size) {
                got += receive(server, size - got).length;
            }
        }
        return (long) rounds * size;
    }

    /** Switches one socket to congestion control {@code name} (setsockopt TCP_CONGESTION), e.g. one written in BPF. */
    public static void congestionControl(int fd, String name) {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            check("setsockopt TCP_CONGESTION " + name, (int) SETSOCKOPT.invokeExact(fd, IPPROTO_TCP, TCP_CONGESTION,
                    arena.allocateFrom(JAVA_BYTE, bytes), bytes.length));
        } catch (Throwable t) {
            throw new AssertionError("cannot set congestion control " + name, t);
        }
    }

    /** A socket fd as a sockmap value (a native-endian u32). */
    public static byte[] mapValue(int fd) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(fd).array();
    }

    @Override
    public void close() {
        for (int fd : new int[] {client, server, listener}) {
            try {
                int ignored = (int) Libc.CLOSE.invokeExact(fd);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }
    }

    private static int check(String what, int r) {
        if (r < 0) {
            throw new AssertionError(what + " failed");
        }
        return r;
    }

}

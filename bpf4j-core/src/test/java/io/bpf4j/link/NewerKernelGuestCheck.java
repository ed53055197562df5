package io.bpf4j.link;

import io.bpf4j.host.KernelRelease;
import io.bpf4j.load.BpfObject;
import io.bpf4j.sys.Os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Runs inside the QEMU guest for {@link NewerKernelGuestTest} (no JUnit there): loads guest_newer.bpf.o,
 * attaches its kprobe.multi programs, calls getppid(2) and getpid(2) a known number of times, closes
 * the links, calls again; then makes a netkit pair and counts datagrams sent through it with a
 * netkit/primary program. Prints {@code KEY key=value} lines for the host to check.
 */
public final class NewerKernelGuestCheck {
    private static final MethodHandle GETPPID = libc("getppid");
    private static final MethodHandle GETPID = libc("getpid");

    private NewerKernelGuestCheck() {
    }

    public static void main(String[] args) throws Throwable {
        System.out.println("KERNEL release=" + KernelRelease.current());
        try (BpfObject obj = BpfObject.open(Path.of(args[0])).autoload("count_netkit", false)) {
            obj.setGlobal("target_tgid", Integer.toString(Os.getpid()));
            obj.load();
            Link[] links = {Attacher.attach(obj.program("on_multi")), Attacher.attach(obj.program("on_multi_ret")),
                    Attacher.attach(obj.program("on_wide"))};
            for (Link l : links) {
                System.out.println("LINK " + l.program().name() + " bpf_link=" + l.isBpfLink() + " description="
                        + l.description().replace(' ', '_'));
            }
            call(GETPPID, 5);
            call(GETPID, 3);
            System.out.println("ATTACHED " + counts(obj));
            for (Link l : links) {
                l.close();
            }
            call(GETPPID, 4);
            call(GETPID, 2);
            System.out.println("RESULT " + counts(obj));
        }
        try (BpfObject obj = BpfObject.open(Path.of(args[0])).autoload("on_nothing", true).load()) {
            Attacher.attach(obj.program("on_nothing")).close();
            System.out.println("MISSING attached");
        } catch (AttachException e) {
            System.out.println("MISSING AttachException " + e.getMessage().replace('\n', ' '));
        }
        netkit(Path.of(args[0]));
    }

    /** The primary device of the netkit pair; the kernel names the peer nkN, so not nk-anything here. */
    private static final String PRIMARY = "bpf4jnk";

    /**
     * A netkit pair in L3 mode, the primary with 10.99.0.1/24: datagrams to 10.99.0.2 leave through
     * it, and its netkit/primary program runs in its transmit routine.
     */
    private static void netkit(Path object) throws Exception {
        Set<String> before = interfaces();
        int rc = io.bpf4j.testing.Rtnetlink.addLink(PRIMARY, "netkit");
        Set<String> added = interfaces();
        added.removeAll(before);
        added.remove(PRIMARY);
        String peer = added.stream().findFirst().orElse("?");
        System.out.println("NETKIT_CREATE rc=" + rc + " peer=" + peer);
        sh("ip addr add 10.99.0.1/24 dev " + PRIMARY + " && ip link set " + PRIMARY + " up && ip link set " + peer + " up");
        try (BpfObject obj = BpfObject.open(object).autoload("on_multi", false).autoload("on_multi_ret", false)
                .autoload("on_wide", false).autoload("count_netkit", true).load()) {
            long during;
            try (Link l = Attacher.attach(obj.program("count_netkit"), Optional.of(PRIMARY))) {
                System.out.println("NETKIT_LINK bpf_link=" + l.isBpfLink() + " type=" + io.bpf4j.sys.Bpf.linkInfo(l.fd()).linkType()
                        + " description=" + l.description().replace(' ', '_'));
                send(3);
                during = (Long) obj.globalValue("netkit_packets");
            }
            send(2);
            System.out.println("NETKIT during=" + during + " after=" + obj.globalValue("netkit_packets"));
            try {
                Attacher.attach(obj.program("count_netkit"), Optional.of("lo")).close();
                System.out.println("NOT_NETKIT attached");
            } catch (AttachException e) {
                System.out.println("NOT_NETKIT AttachException " + e.getMessage().replace('\n', ' '));
            }
        }
    }

    private static void send(int n) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            for (int i = 0; i < n; i++) {
                s.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, InetAddress.getByName("10.99.0.2"), 9));
            }
        }
    }

    private static Set<String> interfaces() throws Exception {
        try (var names = Files.list(Path.of("/sys/class/net"))) {
            return names.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(HashSet::new));
        }
    }

    private static void sh(String cmd) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", cmd).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(cmd + " failed");
        }
    }

    private static String counts(BpfObject obj) {
        return "multi=" + obj.globalValue("multi_hits") + " multi_ret=" + obj.globalValue("multi_ret_hits")
                + " wide=" + obj.globalValue("wide_hits");
    }

    private static void call(MethodHandle f, int times) throws Throwable {
        for (int i = 0; i < times; i++) {
            int ignored = (int) f.invokeExact();
        }
    }

    private static MethodHandle libc(String name) {
        Linker c = Linker.nativeLinker();
        return c.downcallHandle(c.defaultLookup().find(name).orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    }
}

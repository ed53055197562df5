package io.bpf4j.link;

import io.bpf4j.host.KernelRelease;
import io.bpf4j.load.BpfObject;
import io.bpf4j.testing.LoopbackTcp;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs inside the QEMU guest for {@link StructOpsGuestTest} (no JUnit there), on Debian's 6.1:
 * loads struct_ops_cc.bpf.o, registers bpf4j_cc (.struct_ops.link), makes it the default congestion
 * control, moves data over a loopback TCP connection so its operations run, unregisters it; then
 * registers and unregisters bpf4j_cc2 (.struct_ops), and with a second object leaves bpf4j_cc2 registered
 * when the object closes. Prints {@code TAG key=value} lines; asserts nothing itself.
 */
public final class StructOpsGuestCheck {
    private static final Path AVAILABLE = Path.of("/proc/sys/net/ipv4/tcp_available_congestion_control");
    private static final Path DEFAULT = Path.of("/proc/sys/net/ipv4/tcp_congestion_control");

    private StructOpsGuestCheck() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("KERNEL release=" + KernelRelease.current());
        System.out.println("BEFORE available=" + available() + " default=" + Files.readString(DEFAULT).strip());
        String previous = Files.readString(DEFAULT).strip();
        long start = System.nanoTime();
        try (BpfObject obj = BpfObject.open(Path.of(args[0]))) {
            obj.load();
            System.out.println("TIME load_ms=" + (System.nanoTime() - start) / 1_000_000);
            System.out.println("LOADED warnings=" + obj.warnings().size() + " link_map_with_link=" + obj.map("cc_link").registersWithLink()
                    + " plain_map_with_link=" + obj.map("cc_plain").registersWithLink()
                    + " unregistered_why=" + Attacher.whyNotAttachable(obj.program("bpf4j_cong_avoid")).isPresent());
            obj.warnings().forEach(w -> System.out.println("WARNING " + w));

            Link link = Attacher.attach(obj.map("cc_link"));
            System.out.println("REGISTERED available=" + available() + " bpf_link=" + link.isBpfLink()
                    + " registered_why=" + Attacher.whyNotAttachable(obj.program("bpf4j_cong_avoid")).isPresent());
            Files.writeString(DEFAULT, "bpf4j_cc");
            System.out.println("DEFAULT now=" + Files.readString(DEFAULT).strip());
            long sent;
            try (LoopbackTcp tcp = LoopbackTcp.open()) {
                sent = tcp.roundTrips(64, 16 * 1024);
            }
            Files.writeString(DEFAULT, previous);
            System.out.println("COUNTS sent=" + sent + " init=" + obj.globalValue("init_calls") + " cong_avoid=" + obj.globalValue("cong_avoid_calls")
                    + " ssthresh=" + obj.globalValue("ssthresh_calls") + " undo_cwnd=" + obj.globalValue("undo_cwnd_calls")
                    + " last_acked=" + obj.globalValue("last_acked"));
            link.close();
            System.out.println("UNREGISTERED available=" + available() + " default=" + Files.readString(DEFAULT).strip()
                    + " why_again=" + Attacher.whyNotAttachable(obj.program("bpf4j_cong_avoid")).isPresent());

            Link plain = StructOps.register(obj.map("cc_plain"));
            System.out.println("PLAIN registered=" + available() + " bpf_link=" + plain.isBpfLink());
            plain.close();
            System.out.println("PLAIN-CLOSED available=" + available());
        } catch (RuntimeException e) {
            System.out.println("FAILED " + e.getClass().getSimpleName() + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
        }
        // A map registered by an update is spent once unregistered: a second object, left registered when it closes.
        try (BpfObject obj = BpfObject.open(Path.of(args[0]))) {
            obj.load();
            StructOps.register(obj.map("cc_plain"));
            System.out.println("LEFT registered=" + available());
        } catch (RuntimeException e) {
            System.out.println("FAILED " + e.getClass().getSimpleName() + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
        }
        System.out.println("CLOSED available=" + available());
    }

    private static String available() throws Exception {
        return Files.readString(AVAILABLE).strip().replace(' ', ',');
    }
}

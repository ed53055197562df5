package io.bpf4j.link;

import io.bpf4j.host.KernelRelease;
import io.bpf4j.load.BpfObject;
import io.bpf4j.load.BpfProgram;
import io.bpf4j.sys.TestRun;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs inside the QEMU guest for {@link ProgramTargetGuestTest} (no JUnit there): loads
 * freplace_target.bpf.o, then freplace.bpf.o against it (drop_instead replaces decide(),
 * after_entry is an fexit on xdp_entry), and runs xdp_entry with BPF_PROG_TEST_RUN in four phases:
 * A both attached, B the freplace link closed, C freplace attached again, D nothing attached; and
 * the two attachments the kernel refuses: a second freplace link on the same function while one is
 * attached, and fexit on a program attached a second time.
 * Prints {@code TAG key=value} lines for the host to judge; asserts nothing itself.
 */
public final class ProgramTargetGuestCheck {
    private ProgramTargetGuestCheck() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("KERNEL release=" + KernelRelease.current());
        try (BpfObject target = BpfObject.open(Path.of(args[0])).load()) {
            BpfProgram entry = target.program("xdp_entry");
            System.out.println("BEFORE retvals=" + runs(entry, 1));
            try (BpfObject r = BpfObject.open(Path.of(args[1]))) {
                r.attachTarget("drop_instead", entry.fd(), null).attachTarget("after_entry", entry.fd(), null).load();
                Link replace = Attacher.attach(r.program("drop_instead"));
                Link trace = Attacher.attach(r.program("after_entry"));
                System.out.println("LINKS freplace=" + replace.description().replace(' ', '_')
                        + " fexit=" + trace.description().replace(' ', '_'));
                phase("A", entry, 3, target, r);
                replace.close();
                phase("B", entry, 2, target, r);
                try (Link again = Attacher.attach(r.program("drop_instead"))) {
                    phase("C", entry, 1, target, r);
                    refused("TWICE", () -> Attacher.attach(r.program("drop_instead")));
                }
                trace.close();
                phase("D", entry, 1, target, r);
                refused("REATTACH_FEXIT", () -> Attacher.attach(r.program("after_entry")));
            }
        }
    }

    private static void phase(String name, BpfProgram entry, int times, BpfObject target, BpfObject r) {
        String retvals = runs(entry, times);
        System.out.println("PHASE_" + name + " retvals=" + retvals + " replaced=" + r.globalValue("replaced_runs")
                + " exits=" + r.globalValue("exits_seen") + " verdict=" + r.globalValue("last_verdict")
                + " entry_runs=" + target.globalValue("entry_runs"));
    }

    /** Prints TAG and the AttachException's message, or "TAG attached" (closing the link) when there was none. */
    private static void refused(String tag, java.util.function.Supplier<Link> attach) {
        try {
            attach.get().close();
            System.out.println(tag + " attached");
        } catch (AttachException e) {
            System.out.println(tag + " AttachException " + e.getMessage().replace('\n', ' '));
        }
    }

    private static String runs(BpfProgram p, int times) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            out.add(Integer.toString(p.testRun(TestRun.ofData(new byte[64])).retval()));
        }
        return String.join(",", out);
    }
}

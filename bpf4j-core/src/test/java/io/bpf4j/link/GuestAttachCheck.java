package io.bpf4j.link;

import io.bpf4j.host.KernelRelease;
import io.bpf4j.load.BpfObject;
import io.bpf4j.load.KernelBtf;
import io.bpf4j.sys.Os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Runs inside the QEMU guest for {@link GuestAttachTest} (no JUnit there): loads guest_attach.bpf.o,
 * attaches kprobe, kretprobe, fentry and fexit to getppid(2)'s kernel function, calls getppid a known
 * number of times between detaching one link after the other, and prints what each program counted
 * as {@code KEY key=value ...} lines. The host test compares them with the calls made; this class
 * asserts nothing itself.
 *
 * <p>Schedule: all four attached, 4 calls; kprobe detached, 3 calls; kretprobe detached, 2 calls;
 * fentry detached, 1 call; fexit detached, 5 calls. A program that keeps firing after its link is
 * closed, or misses calls, shows up as a count other than 4, 7, 9, 10.
 */
public final class GuestAttachCheck {
    /** getppid(2) straight from libc: nothing else in the JVM calls it. */
    private static final MethodHandle GETPPID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final String[] KINDS = {"kprobe", "kretprobe", "fentry", "fexit"};

    private GuestAttachCheck() {
    }

    public static void main(String[] args) throws Throwable {
        Path object = Path.of(args[0]);
        System.out.println("KERNEL release=" + KernelRelease.current());

        // fentry/fexit targets are found in the kernel's BTF, parsed once per process: timed on its
        // own, as it is most of the load under emulation.
        long start = System.nanoTime();
        KernelBtf.vmlinux();
        System.out.println("TIME kernel_btf_ms=" + (System.nanoTime() - start) / 1_000_000);

        start = System.nanoTime();
        try (BpfObject obj = BpfObject.open(object)) {
            System.out.println("TIME open_ms=" + (System.nanoTime() - start) / 1_000_000);
            start = System.nanoTime();
            obj.setGlobal("target_tgid", Integer.toString(Os.getpid()));
            obj.autoload("on_missing_function", true);
            obj.load();
            System.out.println("TIME load_ms=" + (System.nanoTime() - start) / 1_000_000);

            start = System.nanoTime();
            Link[] links = new Link[KINDS.length];
            for (int i = 0; i < KINDS.length; i++) {
                links[i] = Attacher.attach(obj.program("on_" + KINDS[i]));
                System.out.println("LINK kind=" + KINDS[i] + " bpf_link=" + links[i].isBpfLink()
                        + " description=" + links[i].description().replace(' ', '_'));
            }
            System.out.println("TIME attach_ms=" + (System.nanoTime() - start) / 1_000_000);

            int parent = getppid(4);
            System.out.println("ATTACHED " + counts(obj) + " getppid=" + parent
                    + " kretprobe_ret=" + obj.globalValue("kretprobe_ret") + " fexit_ret=" + obj.globalValue("fexit_ret")
                    + " kprobe_cpu=" + obj.globalValue("kprobe_cpu"));
            int[] callsAfter = {3, 2, 1, 5};
            for (int i = 0; i < KINDS.length; i++) {
                links[i].close();
                getppid(callsAfter[i]);
            }
            System.out.println("RESULT " + counts(obj));

            try {
                Link unexpected = Attacher.attach(obj.program("on_missing_function"));
                unexpected.close();
                System.out.println("MISSING attached");
            } catch (AttachException e) {
                System.out.println("MISSING AttachException " + e.getMessage().replace('\n', ' '));
            } catch (RuntimeException e) {
                System.out.println("MISSING " + e.getClass().getName() + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
            }
        }
    }

    private static String counts(BpfObject obj) {
        StringBuilder b = new StringBuilder();
        for (String kind : KINDS) {
            b.append(b.isEmpty() ? "" : " ").append(kind).append('=').append(obj.globalValue(kind + "_hits"));
        }
        return b.toString();
    }

    private static int getppid(int times) throws Throwable {
        int parent = -1;
        for (int i = 0; i < times; i++) {
            parent = (int) GETPPID.invokeExact();
        }
        return parent;
    }
}

package io.bpf4j.link;

import io.bpf4j.host.KernelRelease;
import io.bpf4j.load.BpfObject;
import io.bpf4j.sys.Os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Runs inside the QEMU guest for {@link GuestMultiProbeTest} (no JUnit there): loads guest_multi.bpf.o,
 * attaches its kprobe.multi programs, calls getppid(2) and getpid(2) a known number of times, closes
 * the links, calls again, and prints {@code KEY key=value} lines for the host to check.
 */
public final class GuestMultiProbeCheck {
    private static final MethodHandle GETPPID = libc("getppid");
    private static final MethodHandle GETPID = libc("getpid");

    private GuestMultiProbeCheck() {
    }

    public static void main(String[] args) throws Throwable {
        System.out.println("KERNEL release=" + KernelRelease.current());
        try (BpfObject obj = BpfObject.open(Path.of(args[0]))) {
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

package io.bpf4j.link;

import io.bpf4j.host.KernelRelease;
import io.bpf4j.load.BpfObject;
import io.bpf4j.btf.KernelBtf;
import io.bpf4j.spec.ProgramSpec;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.Os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Runs inside the QEMU guest for {@link GuestAttachTest} (no JUnit there) and prints what it saw as
 * {@code TAG key=value ...} lines; the host test compares them with the calls made. This class
 * asserts nothing itself.
 *
 * <p>{@code attach GUEST_ATTACH_O GUEST_KINDS_O}: first guest_attach.bpf.o, kprobe, kretprobe,
 * fentry and fexit on getppid(2)'s kernel function, with getppid called a known number of times
 * between detaching one link after the other: all four attached, 4 calls; kprobe detached, 3 calls;
 * kretprobe detached, 2 calls; fentry detached, 1 call; fexit detached, 5 calls. A program that keeps
 * firing after its link is closed, or misses calls, shows up as a count other than 4, 7, 9, 10. Then
 * guest_kinds.bpf.o: ksyscall and kretsyscall on getpgid(2) (the argument and the return value they
 * saw, staggered detach), fmod_ret on security_task_getpgid (the value user space got back, before,
 * during and after), lsm and lsm.s on file_open (the errno of opening the files they refuse).
 *
 * <p>{@code lsm-inactive GUEST_KINDS_O}, in a guest booted without bpf in lsm=: what attaching an lsm
 * program says there, and that the kernel itself would have taken it without ever running it.
 */
public final class GuestAttachCheck {
    /** getppid(2) straight from libc: nothing else in the JVM calls it. */
    private static final MethodHandle GETPPID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final String[] KINDS = {"kprobe", "kretprobe", "fentry", "fexit"};
    private static final Linker.Option ERRNO_STATE = Linker.Option.captureCallState("errno");
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle GETPGID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getpgid").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_STATE);
    private static final MethodHandle OPEN = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("open").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO_STATE);
    private static final MethodHandle CLOSE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** No process has this pid (pid_max is 32768 in the guest): getpgid fails with ESRCH. */
    static final int NO_SUCH_PID = 7654321;
    /** What fmod_ret makes getpgid return for the guest JVM's parent. */
    static final int INJECTED_PGID = 4242;
    static final Path LSM_DENIED = Path.of("/root/lsm-denied");
    static final Path LSM_S_DENIED = Path.of("/root/lsm-s-denied");
    static final Path LSM_ALLOWED = Path.of("/root/lsm-allowed");

    private GuestAttachCheck() {
    }

    public static void main(String[] args) throws Throwable {
        System.out.println("KERNEL release=" + KernelRelease.current() + " lsm=" + activeLsms());
        switch (args[0]) {
            case "attach" -> {
                probesAndTrampolines(Path.of(args[1]));
                syscallsFmodRetAndLsm(Path.of(args[2]));
            }
            case "lsm-inactive" -> lsmInactive(Path.of(args[1]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void probesAndTrampolines(Path object) throws Throwable {

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
            tracefsKprobes(obj);
        }
    }

    /**
     * The kprobe_events fallback (kernels without the kprobe PMU), called directly since this kernel
     * has the PMU: the same two programs, 3 calls attached, 2 after; and what kprobe_events held
     * while attached and after.
     */
    private static void tracefsKprobes(BpfObject obj) throws Throwable {
        long kprobe = (Long) obj.globalValue("kprobe_hits");
        long kretprobe = (Long) obj.globalValue("kretprobe_hits");
        Path events = Path.of("/sys/kernel/tracing/kprobe_events");
        long defined;
        try (Link k = TracefsKprobes.attach(obj.program("on_kprobe"), "__do_sys_getppid", 0, false, "kprobe __do_sys_getppid");
             Link r = TracefsKprobes.attach(obj.program("on_kretprobe"), "__do_sys_getppid", 0, true, "kretprobe __do_sys_getppid")) {
            defined = java.nio.file.Files.readAllLines(events).stream().filter(l -> l.contains(TracefsKprobes.GROUP + "/")).count();
            System.out.println("TRACEFS_LINK " + k.description().replace(' ', '_') + " " + r.description().replace(' ', '_'));
            getppid(3);
        }
        getppid(2);
        long left = java.nio.file.Files.readAllLines(events).stream().filter(l -> l.contains(TracefsKprobes.GROUP + "/")).count();
        System.out.println("TRACEFS kprobe=" + ((Long) obj.globalValue("kprobe_hits") - kprobe)
                + " kretprobe=" + ((Long) obj.globalValue("kretprobe_hits") - kretprobe)
                + " kretprobe_ret=" + obj.globalValue("kretprobe_ret") + " defined=" + defined + " left=" + left);
    }

    private static void syscallsFmodRetAndLsm(Path object) throws Throwable {
        // The lsm programs pick their files by inode, a load-time constant: the files exist first.
        for (Path f : List.of(LSM_DENIED, LSM_S_DENIED, LSM_ALLOWED)) {
            Files.writeString(f, f.getFileName().toString());
        }
        int self = Os.getpid();
        int parent = getppid(1);
        long start = System.nanoTime();
        try (BpfObject obj = BpfObject.open(object)) {
            obj.setGlobal("target_tgid", Integer.toString(self));
            obj.setGlobal("fmod_pid", Integer.toString(parent));
            obj.setGlobal("fmod_value", Integer.toString(INJECTED_PGID));
            obj.setGlobal("lsm_ino", inode(LSM_DENIED));
            obj.setGlobal("lsm_s_ino", inode(LSM_S_DENIED));
            obj.load();
            System.out.println("TIME kinds_open_load_ms=" + (System.nanoTime() - start) / 1_000_000);

            // ksyscall/kretsyscall: 3 calls with both attached, 2 after ksyscall's link closes, 1 after both.
            Link ksyscall = attachAndPrint(obj, "ksyscall");
            Link kretsyscall = attachAndPrint(obj, "kretsyscall");
            String seen = getpgid(NO_SUCH_PID, 3);
            System.out.println("KSYSCALL ksyscall=" + obj.globalValue("ksyscall_hits") + " kretsyscall=" + obj.globalValue("kretsyscall_hits")
                    + " arg=" + obj.globalValue("ksyscall_arg") + " ret=" + obj.globalValue("kretsyscall_ret") + " user=" + seen);
            ksyscall.close();
            getpgid(NO_SUCH_PID, 2);
            kretsyscall.close();
            getpgid(NO_SUCH_PID, 1);
            System.out.println("KSYSCALL_RESULT ksyscall=" + obj.globalValue("ksyscall_hits") + " kretsyscall=" + obj.globalValue("kretsyscall_hits"));

            // fmod_ret: the parent's pgid before, while attached (twice) and after; our own pgid while attached.
            String before = getpgid(parent, 1);
            Link fmodRet = attachAndPrint(obj, "fmod_ret");
            String during = getpgid(parent, 2);
            String own = getpgid(self, 1);
            fmodRet.close();
            String after = getpgid(parent, 1);
            System.out.println("FMOD self=" + self + " before=" + before + " during=" + during + " own=" + own + " own_expected=" + getpgid(0, 1)
                    + " after=" + after + " calls=" + obj.globalValue("fmod_calls") + " injected=" + obj.globalValue("fmod_injected"));

            // lsm and lsm.s on file_open, each refusing its own file; detached one after the other.
            String unattached = open(LSM_DENIED) + "," + open(LSM_S_DENIED);
            Link lsm = attachAndPrint(obj, "lsm");
            Link lsmS = attachAndPrint(obj, "lsm_s");
            System.out.println("LSM before=" + unattached + " denied=" + open(LSM_DENIED) + "," + open(LSM_DENIED)
                    + " s_denied=" + open(LSM_S_DENIED) + " allowed=" + open(LSM_ALLOWED)
                    + " lsm=" + obj.globalValue("lsm_denied") + " lsm_s=" + obj.globalValue("lsm_s_denied"));
            lsm.close();
            System.out.println("LSM_AFTER_LSM denied=" + open(LSM_DENIED) + " s_denied=" + open(LSM_S_DENIED)
                    + " lsm=" + obj.globalValue("lsm_denied") + " lsm_s=" + obj.globalValue("lsm_s_denied"));
            lsmS.close();
            System.out.println("LSM_AFTER_ALL denied=" + open(LSM_DENIED) + " s_denied=" + open(LSM_S_DENIED)
                    + " lsm=" + obj.globalValue("lsm_denied") + " lsm_s=" + obj.globalValue("lsm_s_denied"));
        }
    }

    /**
     * Without bpf among the active LSMs: bpf4j's attach must refuse with the fix, while the kernel
     * itself takes the attachment (raw BPF_RAW_TRACEPOINT_OPEN) and the hook never runs the program.
     */
    private static void lsmInactive(Path object) throws Throwable {
        Files.writeString(LSM_DENIED, "x");
        try (BpfObject obj = BpfObject.open(object)) {
            for (ProgramSpec p : obj.spec().programs()) {
                obj.autoload(p.name(), p.name().equals("on_lsm"));
            }
            obj.setGlobal("target_tgid", Integer.toString(Os.getpid()));
            obj.setGlobal("lsm_ino", inode(LSM_DENIED));
            obj.load();
            try {
                Attacher.attach(obj.program("on_lsm")).close();
                System.out.println("INACTIVE attached");
            } catch (AttachException e) {
                System.out.println("INACTIVE AttachException " + e.getMessage().replace('\n', ' '));
            }
            try (Fd raw = Bpf.rawTracepointOpen(null, obj.program("on_lsm").fd())) {
                System.out.println("INACTIVE_RAW attached=" + raw.isOpen() + " open=" + open(LSM_DENIED) + " lsm=" + obj.globalValue("lsm_denied"));
            }
        }
    }

    private static Link attachAndPrint(BpfObject obj, String kind) {
        Link link = Attacher.attach(obj.program("on_" + kind));
        System.out.println("LINK kind=" + kind + " bpf_link=" + link.isBpfLink() + " description=" + link.description().replace(' ', '_'));
        return link;
    }

    private static String activeLsms() {
        try {
            return Files.readString(BpfLsm.ACTIVE).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static String inode(Path file) throws java.io.IOException {
        return Long.toString((Long) Files.getAttribute(file, "unix:ino"));
    }

    /** getpgid(pid) {@code times} times: each result as the value, or {@code errno=N}, comma-separated. */
    private static String getpgid(int pid, int times) throws Throwable {
        List<String> results = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            for (int i = 0; i < times; i++) {
                int r = (int) GETPGID.invokeExact(state, pid);
                results.add(r >= 0 ? Integer.toString(r) : "errno=" + (int) ERRNO.get(state, 0L));
            }
        }
        return String.join(",", results);
    }

    /** open(2) read-only and close: {@code ok}, or {@code errno=N}. */
    private static String open(Path file) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(file.toString()), 0);
            if (fd < 0) {
                return "errno=" + (int) ERRNO.get(state, 0L);
            }
            int closed = (int) CLOSE.invokeExact(fd);
            return closed == 0 ? "ok" : "close_failed";
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

package io.bpf4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** perf_event_open(2) and the perf ioctls BPF needs (attach a program, enable, disable). */
public final class PerfEvent {
    // ioctl numbers from linux/perf_event.h, built as asm-generic/ioctl.h does:
    // dir << 30 | size << 16 | type << 8 | nr, with type '$'.
    private static final int IOC_WRITE = 1;
    private static final int PERF_IOC_TYPE = '$';

    private static long io(int nr) {
        return ((long) PERF_IOC_TYPE << 8) | nr;
    }

    private static long iow(int nr, int size) {
        return ((long) IOC_WRITE << 30) | ((long) size << 16) | ((long) PERF_IOC_TYPE << 8) | nr;
    }

    /** _IO('$', 0). */
    public static final long IOC_ENABLE = io(0);
    /** _IO('$', 1). */
    public static final long IOC_DISABLE = io(1);
    /** _IOW('$', 8, __u32): attach a BPF program to a tracepoint/kprobe/uprobe perf event. */
    public static final long IOC_SET_BPF = iow(8, 4);

    /** PERF_FLAG_FD_CLOEXEC: always set, so fds never leak into exec'd children. */
    private static final long FLAG_FD_CLOEXEC = 8;

    private PerfEvent() {
    }

    /**
     * perf_event_open(attr, pid, cpu, groupFd, flags).
     *
     * @param pid -1 for every process (with a cpu), 0 for this one
     * @param cpu -1 for any CPU (with a pid)
     */
    public static Fd open(PerfEventAttr a, int pid, int cpu, int groupFd, long flags) {
        Native.Scratch s = Native.scratch();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(BpfAttr.PerfEventAttr.SIZE, 8);
            attr.set(JAVA_INT, BpfAttr.PerfEventAttr.TYPE, a.type());
            attr.set(JAVA_INT, BpfAttr.PerfEventAttr.SIZE_FIELD, BpfAttr.PerfEventAttr.SIZE);
            attr.set(JAVA_LONG, BpfAttr.PerfEventAttr.CONFIG, a.config());
            attr.set(JAVA_LONG, BpfAttr.PerfEventAttr.SAMPLE_PERIOD, a.samplePeriod());
            attr.set(JAVA_LONG, BpfAttr.PerfEventAttr.SAMPLE_TYPE, a.sampleType());
            attr.set(JAVA_LONG, BpfAttr.PerfEventAttr.READ_FORMAT, a.readFormat());
            attr.set(JAVA_LONG, BpfAttr.PerfEventAttr.FLAGS, a.flags());
            attr.set(JAVA_INT, BpfAttr.PerfEventAttr.WAKEUP_EVENTS, a.wakeupEvents());
            attr.set(JAVA_INT, BpfAttr.PerfEventAttr.BP_TYPE, a.bpType());
            long config1 = a.probeTarget() != null ? arena.allocateFrom(a.probeTarget()).address() : a.config1();
            attr.set(JAVA_LONG, BpfAttr.PerfEventAttr.CONFIG1, config1);
            attr.set(JAVA_LONG, BpfAttr.PerfEventAttr.CONFIG2, a.config2());
            long r = Native.perfEventOpen(s, attr, pid, cpu, groupFd, flags | FLAG_FD_CLOEXEC);
            if (r < 0) {
                int errno = s.errno();
                String what = "perf event type " + a.type() + " config " + a.config()
                        + (a.probeTarget() != null ? " on '" + a.probeTarget() + "'" : "");
                if (errno == 2 && a.probeTarget() != null) {
                    throw new BpfException.NotFound("perf_event_open", errno, "perf_event_open on " + what
                            + " failed: no such function or file; check the name (for kprobes: /proc/kallsyms,"
                            + " for uprobes: the binary's path and symbol offset).");
                }
                throw Failures.of("perf_event_open", errno, what);
            }
            return Fd.adopt((int) r, "perf_event");
        }
    }

    /** PERF_EVENT_IOC_SET_BPF: runs the program on every hit of the event (kprobe/uprobe/tracepoint). */
    public static void setBpf(Fd event, Fd prog) {
        ioctl(event, IOC_SET_BPF, prog.value(), "PERF_EVENT_IOC_SET_BPF");
    }

    public static void enable(Fd event) {
        ioctl(event, IOC_ENABLE, 0, "PERF_EVENT_IOC_ENABLE");
    }

    public static void disable(Fd event) {
        ioctl(event, IOC_DISABLE, 0, "PERF_EVENT_IOC_DISABLE");
    }

    private static void ioctl(Fd fd, long request, long arg, String name) {
        Native.Scratch s = Native.scratch();
        if (Native.ioctl(s, fd.value(), request, arg) < 0) {
            throw Failures.of(name, s.errno(), fd.toString());
        }
    }
}

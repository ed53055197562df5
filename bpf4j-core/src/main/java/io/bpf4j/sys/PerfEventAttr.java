package io.bpf4j.sys;

/**
 * The parts of {@code struct perf_event_attr} (linux/perf_event.h) BPF users set. For the kprobe and
 * uprobe PMUs {@code probeTarget} is the function name or binary path (config1 holds a pointer to
 * it, which {@link PerfEvent#open} supplies) and {@code config2} the address or offset.
 *
 * @param type        PERF_TYPE_* or a dynamic PMU type (read from /sys/bus/event_source/devices/NAME/type)
 * @param flags       the bitfield word after read_format: {@link #DISABLED}, {@link #INHERIT}, {@link #FREQ}, ...
 * @param probeTarget kprobe_func / uprobe_path, or null to use {@code config1} as a number
 */
public record PerfEventAttr(int type, long config, long samplePeriod, long sampleType, long readFormat, long flags,
                            int wakeupEvents, int bpType, long config1, long config2, String probeTarget) {
    public static final int TYPE_HARDWARE = 0;
    public static final int TYPE_SOFTWARE = 1;
    public static final int TYPE_TRACEPOINT = 2;
    public static final int TYPE_HW_CACHE = 3;
    public static final int TYPE_RAW = 4;
    public static final int TYPE_BREAKPOINT = 5;

    /** Software event configs (enum perf_sw_ids). */
    public static final long COUNT_SW_CPU_CLOCK = 0;
    public static final long COUNT_SW_BPF_OUTPUT = 10;

    /** sample_type bits (enum perf_event_sample_format). */
    public static final long SAMPLE_RAW = 1L << 10;

    /** Bits of the flags word, in declaration order of the bitfield. */
    public static final long DISABLED = 1L;
    public static final long INHERIT = 1L << 1;
    public static final long PINNED = 1L << 2;
    public static final long EXCLUSIVE = 1L << 3;
    public static final long EXCLUDE_USER = 1L << 4;
    public static final long EXCLUDE_KERNEL = 1L << 5;
    public static final long EXCLUDE_HV = 1L << 6;
    public static final long EXCLUDE_IDLE = 1L << 7;
    public static final long MMAP = 1L << 8;
    public static final long COMM = 1L << 9;
    public static final long FREQ = 1L << 10;
    public static final long INHERIT_STAT = 1L << 11;
    public static final long ENABLE_ON_EXEC = 1L << 12;
    public static final long TASK = 1L << 13;
    public static final long WATERMARK = 1L << 14;

    /** A tracepoint event by its id (tracefs events/CATEGORY/NAME/id), sampling every hit. */
    public static PerfEventAttr tracepoint(long id) {
        return new PerfEventAttr(TYPE_TRACEPOINT, id, 1, SAMPLE_RAW, 0, 0, 1, 0, 0, 0, null);
    }

    /** The software event BPF programs use to write perf buffers (bpf_perf_event_output). */
    public static PerfEventAttr bpfOutput() {
        return new PerfEventAttr(TYPE_SOFTWARE, COUNT_SW_BPF_OUTPUT, 1, SAMPLE_RAW, 0, 0, 1, 0, 0, 0, null);
    }

    /**
     * A kprobe/uprobe on a dynamic PMU: {@code pmuType} from /sys/bus/event_source/devices/kprobe/type,
     * {@code retprobe} sets the bit named by .../format/retprobe (config bit 0 on current kernels).
     */
    public static PerfEventAttr probe(int pmuType, String target, long offset, boolean retprobe) {
        return new PerfEventAttr(pmuType, retprobe ? 1 : 0, 1, 0, 0, 0, 1, 0, 0, offset, target);
    }

    /** The same event with another {@code config}, e.g. a uprobe's ref_ctr_offset in its upper bits. */
    public PerfEventAttr withConfig(long c) {
        return new PerfEventAttr(type, c, samplePeriod, sampleType, readFormat, flags, wakeupEvents, bpType, config1,
                config2, probeTarget);
    }

    public PerfEventAttr withFlags(long f) {
        return new PerfEventAttr(type, config, samplePeriod, sampleType, readFormat, f, wakeupEvents, bpType, config1,
                config2, probeTarget);
    }

    public PerfEventAttr withSamplePeriod(long period) {
        return new PerfEventAttr(type, config, period, sampleType, readFormat, flags, wakeupEvents, bpType, config1,
                config2, probeTarget);
    }

    public PerfEventAttr withWakeupEvents(int n) {
        return new PerfEventAttr(type, config, samplePeriod, sampleType, readFormat, flags, n, bpType, config1,
                config2, probeTarget);
    }
}

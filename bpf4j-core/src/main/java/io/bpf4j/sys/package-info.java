/**
 * The native boundary: the only package that calls native code (FFM downcalls into libc).
 *
 * <p>{@link io.bpf4j.sys.Bpf} is the entry point for bpf(2), one typed method per command; every
 * kernel object comes back as an owned {@link io.bpf4j.sys.Fd} and every failure as a
 * {@link io.bpf4j.sys.BpfException} subclass ({@link io.bpf4j.sys.VerifierException} for a refused
 * program or BTF blob, with the log). Next to it: {@link io.bpf4j.sys.PerfEvent} (perf_event_open
 * and its ioctls), {@link io.bpf4j.sys.MappedMemory} (mmap), {@link io.bpf4j.sys.Epoll},
 * {@link io.bpf4j.sys.Os} (open, getpid, gettid) and {@link io.bpf4j.sys.KernelFeatures} (cached
 * probes). The UAPI enums ({@link io.bpf4j.sys.MapType}, {@link io.bpf4j.sys.ProgType},
 * {@link io.bpf4j.sys.AttachType}, {@link io.bpf4j.sys.LinkType}, {@link io.bpf4j.sys.BpfCommand})
 * are generated from linux/bpf.h by scripts/gen-uapi-tables.py.
 *
 * <p>Cost: method handles are created once and called with invokeExact; errno is captured into a
 * per-thread segment and {@code union bpf_attr} is built in a per-thread buffer, so a map element
 * call allocates nothing (bench/map-ops).
 */
package io.bpf4j.sys;

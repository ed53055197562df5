package io.bpf4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What BPF_LINK_CREATE needs: the program, the target (an fd such as a perf event, cgroup or
 * netns, or an ifindex for XDP/tcx), the attach type, flags, and the per-kind tail of
 * {@code link_create}'s union.
 *
 * @param target target_fd or target_ifindex (the same member of the union)
 */
public record LinkCreateAttr(Fd prog, int target, AttachType attachType, int flags, Tail tail) {
    public LinkCreateAttr {
        Objects.requireNonNull(prog, "prog");
        Objects.requireNonNull(attachType, "attachType");
        tail = tail == null ? new None() : tail;
    }

    /** The per-kind members following {@code flags}. */
    public sealed interface Tail permits None, PerfEvent, Tracing, KprobeMulti, UprobeMulti, Tcx, Netfilter, Raw {
    }

    /** No tail: cgroup, netns, XDP, iterators without info. */
    public record None() implements Tail {
    }

    /** {@code perf_event.bpf_cookie}: for BPF_PERF_EVENT links on kprobe/uprobe/tracepoint perf events. */
    public record PerfEvent(long bpfCookie) implements Tail {
    }

    /** {@code tracing}: target_btf_id and cookie (fentry/fexit/fmod_ret/lsm links). */
    public record Tracing(int targetBtfId, long cookie) implements Tail {
    }

    /** {@code kprobe_multi}: symbols or addresses (one of them), optional cookies, flags (1 = return probe). */
    public record KprobeMulti(int flags, String[] symbols, long[] addresses, long[] cookies) implements Tail {
        int count() {
            return symbols != null ? symbols.length : addresses.length;
        }
    }

    /**
     * {@code uprobe_multi} (Linux 6.6+): one binary, a file offset per probe (with optional semaphore
     * offsets and cookies), flags (1 = return probes) and the only pid it fires in (0 = every process).
     */
    public record UprobeMulti(String path, long[] offsets, long[] refCtrOffsets, long[] cookies, int flags, int pid) implements Tail {
    }

    /** {@code tcx}: attach relative to another program/link (relative_fd) at an expected revision. */
    public record Tcx(int relativeFd, long expectedRevision) implements Tail {
    }

    /**
     * {@code netfilter} (Linux 6.4+): protocol family (NFPROTO_*), hook (NF_INET_*), priority and flags
     * (1 = BPF_F_NETFILTER_IP_DEFRAG, Linux 6.6+: packets reach the program reassembled).
     */
    public record Netfilter(int protocolFamily, int hook, int priority, int flags) implements Tail {
    }

    /** Raw bytes of the tail, for kinds without a typed variant here. */
    public record Raw(byte[] bytes) implements Tail {
    }

    int tailSize() {
        return switch (tail) {
            case None n -> 0;
            case PerfEvent p -> 8;
            case Tracing t -> 16;
            case KprobeMulti k -> BpfAttr.LinkCreate.KPROBE_MULTI_END - BpfAttr.LinkCreate.TAIL;
            case UprobeMulti u -> BpfAttr.LinkCreate.UPROBE_MULTI_END - BpfAttr.LinkCreate.TAIL;
            case Tcx t -> 16;
            case Netfilter n -> 16;
            case Raw r -> r.bytes().length;
        };
    }

    void writeTail(MemorySegment attr, Arena arena) {
        switch (tail) {
            case None n -> {
            }
            case PerfEvent p -> attr.set(JAVA_LONG, BpfAttr.LinkCreate.PERF_EVENT_BPF_COOKIE, p.bpfCookie());
            case Tracing t -> {
                attr.set(JAVA_INT, BpfAttr.LinkCreate.TARGET_BTF_ID, t.targetBtfId());
                attr.set(JAVA_LONG, BpfAttr.LinkCreate.TRACING_COOKIE, t.cookie());
            }
            case KprobeMulti k -> {
                attr.set(JAVA_INT, BpfAttr.LinkCreate.KPROBE_MULTI_FLAGS, k.flags());
                attr.set(JAVA_INT, BpfAttr.LinkCreate.KPROBE_MULTI_CNT, k.count());
                if (k.symbols() != null) {
                    MemorySegment ptrs = arena.allocate(ADDRESS, k.symbols().length);
                    for (int i = 0; i < k.symbols().length; i++) {
                        ptrs.setAtIndex(ADDRESS, i, arena.allocateFrom(k.symbols()[i]));
                    }
                    attr.set(JAVA_LONG, BpfAttr.LinkCreate.KPROBE_MULTI_SYMS, ptrs.address());
                }
                if (k.addresses() != null) {
                    attr.set(JAVA_LONG, BpfAttr.LinkCreate.KPROBE_MULTI_ADDRS,
                            arena.allocateFrom(JAVA_LONG, k.addresses()).address());
                }
                if (k.cookies() != null) {
                    attr.set(JAVA_LONG, BpfAttr.LinkCreate.KPROBE_MULTI_COOKIES,
                            arena.allocateFrom(JAVA_LONG, k.cookies()).address());
                }
            }
            case UprobeMulti u -> {
                attr.set(JAVA_LONG, BpfAttr.LinkCreate.UPROBE_MULTI_PATH, arena.allocateFrom(u.path()).address());
                attr.set(JAVA_LONG, BpfAttr.LinkCreate.UPROBE_MULTI_OFFSETS, arena.allocateFrom(JAVA_LONG, u.offsets()).address());
                if (u.refCtrOffsets() != null) {
                    attr.set(JAVA_LONG, BpfAttr.LinkCreate.UPROBE_MULTI_REF_CTR_OFFSETS,
                            arena.allocateFrom(JAVA_LONG, u.refCtrOffsets()).address());
                }
                if (u.cookies() != null) {
                    attr.set(JAVA_LONG, BpfAttr.LinkCreate.UPROBE_MULTI_COOKIES, arena.allocateFrom(JAVA_LONG, u.cookies()).address());
                }
                attr.set(JAVA_INT, BpfAttr.LinkCreate.UPROBE_MULTI_CNT, u.offsets().length);
                attr.set(JAVA_INT, BpfAttr.LinkCreate.UPROBE_MULTI_FLAGS, u.flags());
                attr.set(JAVA_INT, BpfAttr.LinkCreate.UPROBE_MULTI_PID, u.pid());
            }
            case Tcx t -> {
                attr.set(JAVA_INT, BpfAttr.LinkCreate.TCX_RELATIVE_FD, t.relativeFd());
                attr.set(JAVA_LONG, BpfAttr.LinkCreate.TCX_EXPECTED_REVISION, t.expectedRevision());
            }
            case Netfilter n -> {
                attr.set(JAVA_INT, BpfAttr.LinkCreate.NETFILTER_PF, n.protocolFamily());
                attr.set(JAVA_INT, BpfAttr.LinkCreate.NETFILTER_HOOKNUM, n.hook());
                attr.set(JAVA_INT, BpfAttr.LinkCreate.NETFILTER_PRIORITY, n.priority());
                attr.set(JAVA_INT, BpfAttr.LinkCreate.NETFILTER_FLAGS, n.flags());
            }
            case Raw r -> MemorySegment.copy(r.bytes(), 0, attr, JAVA_BYTE, BpfAttr.LinkCreate.TAIL, r.bytes().length);
        }
    }
}

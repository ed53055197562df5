package io.bpf4j.sys;

/**
 * Byte offsets of the members of {@code union bpf_attr} (include/uapi/linux/bpf.h), one nested class
 * per anonymous struct of the union. {@code SIZE} of each is the end of its last member this library
 * writes: it is what we pass as bpf()'s size argument, and the kernel zero-fills the rest of its own
 * (possibly larger) union. Members marked "since" are newer than the installed 6.1 header; their
 * offsets come from the kernel release named. {@code BpfAttrLayoutTest} checks every other offset
 * against the header with gcc's offsetof.
 */
final class BpfAttr {
    private BpfAttr() {
    }

    /** The anonymous struct used by BPF_MAP_CREATE. */
    static final class MapCreate {
        static final int MAP_TYPE = 0;
        static final int KEY_SIZE = 4;
        static final int VALUE_SIZE = 8;
        static final int MAX_ENTRIES = 12;
        static final int MAP_FLAGS = 16;
        static final int INNER_MAP_FD = 20;
        static final int NUMA_NODE = 24;
        static final int MAP_NAME = 28;
        static final int MAP_IFINDEX = 44;
        static final int BTF_FD = 48;
        static final int BTF_KEY_TYPE_ID = 52;
        static final int BTF_VALUE_TYPE_ID = 56;
        static final int BTF_VMLINUX_VALUE_TYPE_ID = 60;
        static final int MAP_EXTRA = 64;
        static final int SIZE = 72;
    }

    /** The anonymous struct used by BPF_MAP_*_ELEM and BPF_MAP_GET_NEXT_KEY. */
    static final class MapElem {
        static final int MAP_FD = 0;
        static final int KEY = 8;
        static final int VALUE = 16; // union with next_key
        static final int NEXT_KEY = 16;
        static final int FLAGS = 24;
        static final int SIZE = 32;
    }

    /** {@code batch}: BPF_MAP_*_BATCH. */
    static final class Batch {
        static final int IN_BATCH = 0;
        static final int OUT_BATCH = 8;
        static final int KEYS = 16;
        static final int VALUES = 24;
        static final int COUNT = 32;
        static final int MAP_FD = 36;
        static final int ELEM_FLAGS = 40;
        static final int FLAGS = 48;
        static final int SIZE = 56;
    }

    /** The anonymous struct used by BPF_PROG_LOAD. */
    static final class ProgLoad {
        static final int PROG_TYPE = 0;
        static final int INSN_CNT = 4;
        static final int INSNS = 8;
        static final int LICENSE = 16;
        static final int LOG_LEVEL = 24;
        static final int LOG_SIZE = 28;
        static final int LOG_BUF = 32;
        static final int KERN_VERSION = 40;
        static final int PROG_FLAGS = 44;
        static final int PROG_NAME = 48;
        static final int PROG_IFINDEX = 64;
        static final int EXPECTED_ATTACH_TYPE = 68;
        static final int PROG_BTF_FD = 72;
        static final int FUNC_INFO_REC_SIZE = 76;
        static final int FUNC_INFO = 80;
        static final int FUNC_INFO_CNT = 88;
        static final int LINE_INFO_REC_SIZE = 92;
        static final int LINE_INFO = 96;
        static final int LINE_INFO_CNT = 104;
        static final int ATTACH_BTF_ID = 108;
        static final int ATTACH_PROG_FD = 112; // union with attach_btf_obj_fd
        static final int ATTACH_BTF_OBJ_FD = 112;
        static final int CORE_RELO_CNT = 116;
        static final int FD_ARRAY = 120;
        static final int CORE_RELOS = 128;
        static final int CORE_RELO_REC_SIZE = 136;
        /** Since Linux 6.4: output, the log size the verifier needed. */
        static final int LOG_TRUE_SIZE = 140;
        /** Size without log_true_size, for kernels before 6.4 (which reject unknown non-zero tails). */
        static final int SIZE_V1 = 140;
        static final int SIZE = 144;
    }

    /** The anonymous struct used by BPF_OBJ_PIN and BPF_OBJ_GET. */
    static final class Obj {
        static final int PATHNAME = 0;
        static final int BPF_FD = 8;
        static final int FILE_FLAGS = 12;
        static final int SIZE = 16;
    }

    /** The anonymous struct used by BPF_PROG_ATTACH and BPF_PROG_DETACH. */
    static final class ProgAttach {
        static final int TARGET_FD = 0;
        static final int ATTACH_BPF_FD = 4;
        static final int ATTACH_TYPE = 8;
        static final int ATTACH_FLAGS = 12;
        static final int REPLACE_BPF_FD = 16;
        static final int SIZE = 20;
    }

    /** {@code test}: BPF_PROG_TEST_RUN. */
    static final class TestRun {
        static final int PROG_FD = 0;
        static final int RETVAL = 4;
        static final int DATA_SIZE_IN = 8;
        static final int DATA_SIZE_OUT = 12;
        static final int DATA_IN = 16;
        static final int DATA_OUT = 24;
        static final int REPEAT = 32;
        static final int DURATION = 36;
        static final int CTX_SIZE_IN = 40;
        static final int CTX_SIZE_OUT = 44;
        static final int CTX_IN = 48;
        static final int CTX_OUT = 56;
        static final int FLAGS = 64;
        static final int CPU = 68;
        static final int BATCH_SIZE = 72;
        static final int SIZE = 76;
    }

    /** The anonymous struct used by BPF_*_GET_NEXT_ID and BPF_*_GET_FD_BY_ID. */
    static final class GetId {
        static final int START_ID = 0; // union with prog_id, map_id, btf_id, link_id
        static final int NEXT_ID = 4;
        static final int OPEN_FLAGS = 8;
        static final int SIZE = 12;
    }

    /** {@code info}: BPF_OBJ_GET_INFO_BY_FD. */
    static final class Info {
        static final int BPF_FD = 0;
        static final int INFO_LEN = 4;
        static final int INFO = 8;
        static final int SIZE = 16;
    }

    /** {@code raw_tracepoint}: BPF_RAW_TRACEPOINT_OPEN. */
    static final class RawTracepoint {
        static final int NAME = 0;
        static final int PROG_FD = 8;
        static final int SIZE = 12;
    }

    /** The anonymous struct used by BPF_BTF_LOAD. */
    static final class BtfLoad {
        static final int BTF = 0;
        static final int BTF_LOG_BUF = 8;
        static final int BTF_SIZE = 16;
        static final int BTF_LOG_SIZE = 20;
        static final int BTF_LOG_LEVEL = 24;
        /** Since Linux 6.4: output, the log size the kernel needed. */
        static final int BTF_LOG_TRUE_SIZE = 28;
        static final int SIZE_V1 = 28;
        static final int SIZE = 32;
    }

    /** {@code link_create}: BPF_LINK_CREATE; the per-kind union starts at {@link #TAIL}. */
    static final class LinkCreate {
        static final int PROG_FD = 0;
        static final int TARGET_FD = 4; // union with target_ifindex
        static final int ATTACH_TYPE = 8;
        static final int FLAGS = 12;
        static final int TAIL = 16;
        /** target_btf_id (also tracing.target_btf_id). */
        static final int TARGET_BTF_ID = 16;
        /** perf_event.bpf_cookie. */
        static final int PERF_EVENT_BPF_COOKIE = 16;
        static final int KPROBE_MULTI_FLAGS = 16;
        static final int KPROBE_MULTI_CNT = 20;
        static final int KPROBE_MULTI_SYMS = 24;
        static final int KPROBE_MULTI_ADDRS = 32;
        static final int KPROBE_MULTI_COOKIES = 40;
        static final int KPROBE_MULTI_END = 48;
        static final int TRACING_COOKIE = 24;
        /** Since Linux 6.6: tcx.relative_fd (union with relative_id) and tcx.expected_revision. */
        static final int TCX_RELATIVE_FD = 16;
        static final int TCX_EXPECTED_REVISION = 24;
        /** Since Linux 6.4: netfilter.pf, hooknum, priority (signed), flags. */
        static final int NETFILTER_PF = 16;
        static final int NETFILTER_HOOKNUM = 20;
        static final int NETFILTER_PRIORITY = 24;
        static final int NETFILTER_FLAGS = 28;
        /** Since Linux 6.6: uprobe_multi.path, offsets, ref_ctr_offsets, cookies, cnt, flags, pid. */
        static final int UPROBE_MULTI_PATH = 16;
        static final int UPROBE_MULTI_OFFSETS = 24;
        static final int UPROBE_MULTI_REF_CTR_OFFSETS = 32;
        static final int UPROBE_MULTI_COOKIES = 40;
        static final int UPROBE_MULTI_CNT = 48;
        static final int UPROBE_MULTI_FLAGS = 52;
        static final int UPROBE_MULTI_PID = 56;
        static final int UPROBE_MULTI_END = 60;
    }

    /** {@code link_detach}: BPF_LINK_DETACH. */
    static final class LinkDetach {
        static final int LINK_FD = 0;
        static final int SIZE = 4;
    }

    /** {@code iter_create} of union bpf_attr: link_fd, flags. */
    static final class IterCreate {
        static final int LINK_FD = 0;
        static final int FLAGS = 4;
        static final int SIZE = 8;
    }

    /** {@code enable_stats}: BPF_ENABLE_STATS. */
    static final class EnableStats {
        static final int TYPE = 0;
        static final int SIZE = 4;
    }

    /** {@code struct bpf_prog_info}. */
    static final class ProgInfo {
        static final int TYPE = 0;
        static final int ID = 4;
        static final int TAG = 8;
        static final int JITED_PROG_LEN = 16;
        static final int XLATED_PROG_LEN = 20;
        static final int JITED_PROG_INSNS = 24;
        static final int XLATED_PROG_INSNS = 32;
        static final int LOAD_TIME = 40;
        static final int CREATED_BY_UID = 48;
        static final int NR_MAP_IDS = 52;
        static final int MAP_IDS = 56;
        static final int NAME = 64;
        static final int IFINDEX = 80;
        static final int BTF_ID = 128;
        static final int RUN_TIME_NS = 192;
        static final int RUN_CNT = 200;
        static final int RECURSION_MISSES = 208;
        static final int VERIFIED_INSNS = 216;
        static final int ATTACH_BTF_OBJ_ID = 220;
        static final int ATTACH_BTF_ID = 224;
        static final int SIZE = 232;
    }

    /** {@code struct bpf_map_info}. */
    static final class MapInfo {
        static final int TYPE = 0;
        static final int ID = 4;
        static final int KEY_SIZE = 8;
        static final int VALUE_SIZE = 12;
        static final int MAX_ENTRIES = 16;
        static final int MAP_FLAGS = 20;
        static final int NAME = 24;
        static final int IFINDEX = 40;
        static final int BTF_VMLINUX_VALUE_TYPE_ID = 44;
        static final int BTF_ID = 64;
        static final int BTF_KEY_TYPE_ID = 68;
        static final int BTF_VALUE_TYPE_ID = 72;
        static final int MAP_EXTRA = 80;
        static final int SIZE = 88;
    }

    /** {@code struct bpf_btf_info}. */
    static final class BtfInfo {
        static final int BTF = 0;
        static final int BTF_SIZE = 8;
        static final int ID = 12;
        static final int NAME = 16;
        static final int NAME_LEN = 24;
        static final int KERNEL_BTF = 28;
        static final int SIZE = 32;
    }

    /** {@code struct bpf_link_info}; the per-type union starts at 16. */
    static final class LinkInfo {
        static final int TYPE = 0;
        static final int ID = 4;
        static final int PROG_ID = 8;
        static final int RAW_TP_NAME = 16;
        static final int RAW_TP_NAME_LEN = 24;
        static final int TRACING_ATTACH_TYPE = 16;
        static final int TRACING_TARGET_OBJ_ID = 20;
        static final int TRACING_TARGET_BTF_ID = 24;
        static final int CGROUP_ID = 16;
        static final int CGROUP_ATTACH_TYPE = 24;
        static final int NETNS_INO = 16;
        static final int NETNS_ATTACH_TYPE = 20;
        static final int XDP_IFINDEX = 16;
        static final int ITER_TARGET_NAME = 16;
        static final int ITER_TARGET_NAME_LEN = 24;
        static final int ITER_MAP_ID = 28;
        /** The 6.1 header's struct is 48 bytes; later kernels added larger members (perf_event, kprobe_multi). */
        static final int SIZE = 48;
        /** Buffer size we offer newer kernels, which copy at most their own struct size. */
        static final int BUFFER = 128;
    }

    /** {@code struct perf_event_attr} (include/uapi/linux/perf_event.h), PERF_ATTR_SIZE_VER8 = 136 in 6.x. */
    static final class PerfEventAttr {
        static final int TYPE = 0;
        static final int SIZE_FIELD = 4;
        static final int CONFIG = 8;
        static final int SAMPLE_PERIOD = 16; // union with sample_freq
        static final int SAMPLE_TYPE = 24;
        static final int READ_FORMAT = 32;
        static final int FLAGS = 40; // the bitfield: disabled:1, inherit:1, pinned:1, ...
        static final int WAKEUP_EVENTS = 48; // union with wakeup_watermark
        static final int BP_TYPE = 52;
        static final int CONFIG1 = 56; // union with bp_addr, kprobe_func, uprobe_path
        static final int CONFIG2 = 64; // union with bp_len, kprobe_addr, probe_offset
        static final int SIZE = 128; // PERF_ATTR_SIZE_VER7, the installed header's sizeof
    }
}

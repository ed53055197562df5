package io.bpf4j.sys;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every offset in {@link BpfAttr} against the installed UAPI header, as gcc computes it with
 * offsetof: the header is the source of truth, and this catches a typo in any constant.
 */
class BpfAttrLayoutTest {
    private static Map<String, Integer> expectations() {
        Map<String, Integer> m = new LinkedHashMap<>();
        String a = "union bpf_attr";
        m.put(a + ",map_type", BpfAttr.MapCreate.MAP_TYPE);
        m.put(a + ",key_size", BpfAttr.MapCreate.KEY_SIZE);
        m.put(a + ",value_size", BpfAttr.MapCreate.VALUE_SIZE);
        m.put(a + ",max_entries", BpfAttr.MapCreate.MAX_ENTRIES);
        m.put(a + ",map_flags", BpfAttr.MapCreate.MAP_FLAGS);
        m.put(a + ",inner_map_fd", BpfAttr.MapCreate.INNER_MAP_FD);
        m.put(a + ",numa_node", BpfAttr.MapCreate.NUMA_NODE);
        m.put(a + ",map_name", BpfAttr.MapCreate.MAP_NAME);
        m.put(a + ",map_ifindex", BpfAttr.MapCreate.MAP_IFINDEX);
        m.put(a + ",btf_fd", BpfAttr.MapCreate.BTF_FD);
        m.put(a + ",btf_key_type_id", BpfAttr.MapCreate.BTF_KEY_TYPE_ID);
        m.put(a + ",btf_value_type_id", BpfAttr.MapCreate.BTF_VALUE_TYPE_ID);
        m.put(a + ",btf_vmlinux_value_type_id", BpfAttr.MapCreate.BTF_VMLINUX_VALUE_TYPE_ID);
        m.put(a + ",map_extra", BpfAttr.MapCreate.MAP_EXTRA);
        m.put(a + ",map_fd", BpfAttr.MapElem.MAP_FD);
        m.put(a + ",key", BpfAttr.MapElem.KEY);
        m.put(a + ",value", BpfAttr.MapElem.VALUE);
        m.put(a + ",next_key", BpfAttr.MapElem.NEXT_KEY);
        m.put(a + ",flags", BpfAttr.MapElem.FLAGS);
        m.put(a + ",batch.in_batch", BpfAttr.Batch.IN_BATCH);
        m.put(a + ",batch.out_batch", BpfAttr.Batch.OUT_BATCH);
        m.put(a + ",batch.keys", BpfAttr.Batch.KEYS);
        m.put(a + ",batch.values", BpfAttr.Batch.VALUES);
        m.put(a + ",batch.count", BpfAttr.Batch.COUNT);
        m.put(a + ",batch.map_fd", BpfAttr.Batch.MAP_FD);
        m.put(a + ",batch.elem_flags", BpfAttr.Batch.ELEM_FLAGS);
        m.put(a + ",batch.flags", BpfAttr.Batch.FLAGS);
        m.put(a + ",prog_type", BpfAttr.ProgLoad.PROG_TYPE);
        m.put(a + ",insn_cnt", BpfAttr.ProgLoad.INSN_CNT);
        m.put(a + ",insns", BpfAttr.ProgLoad.INSNS);
        m.put(a + ",license", BpfAttr.ProgLoad.LICENSE);
        m.put(a + ",log_level", BpfAttr.ProgLoad.LOG_LEVEL);
        m.put(a + ",log_size", BpfAttr.ProgLoad.LOG_SIZE);
        m.put(a + ",log_buf", BpfAttr.ProgLoad.LOG_BUF);
        m.put(a + ",kern_version", BpfAttr.ProgLoad.KERN_VERSION);
        m.put(a + ",prog_flags", BpfAttr.ProgLoad.PROG_FLAGS);
        m.put(a + ",prog_name", BpfAttr.ProgLoad.PROG_NAME);
        m.put(a + ",prog_ifindex", BpfAttr.ProgLoad.PROG_IFINDEX);
        m.put(a + ",expected_attach_type", BpfAttr.ProgLoad.EXPECTED_ATTACH_TYPE);
        m.put(a + ",prog_btf_fd", BpfAttr.ProgLoad.PROG_BTF_FD);
        m.put(a + ",func_info_rec_size", BpfAttr.ProgLoad.FUNC_INFO_REC_SIZE);
        m.put(a + ",func_info", BpfAttr.ProgLoad.FUNC_INFO);
        m.put(a + ",func_info_cnt", BpfAttr.ProgLoad.FUNC_INFO_CNT);
        m.put(a + ",line_info_rec_size", BpfAttr.ProgLoad.LINE_INFO_REC_SIZE);
        m.put(a + ",line_info", BpfAttr.ProgLoad.LINE_INFO);
        m.put(a + ",line_info_cnt", BpfAttr.ProgLoad.LINE_INFO_CNT);
        m.put(a + ",attach_btf_id", BpfAttr.ProgLoad.ATTACH_BTF_ID);
        m.put(a + ",attach_prog_fd", BpfAttr.ProgLoad.ATTACH_PROG_FD);
        m.put(a + ",attach_btf_obj_fd", BpfAttr.ProgLoad.ATTACH_BTF_OBJ_FD);
        m.put(a + ",core_relo_cnt", BpfAttr.ProgLoad.CORE_RELO_CNT);
        m.put(a + ",fd_array", BpfAttr.ProgLoad.FD_ARRAY);
        m.put(a + ",core_relos", BpfAttr.ProgLoad.CORE_RELOS);
        m.put(a + ",core_relo_rec_size", BpfAttr.ProgLoad.CORE_RELO_REC_SIZE);
        m.put(a + ",pathname", BpfAttr.Obj.PATHNAME);
        m.put(a + ",bpf_fd", BpfAttr.Obj.BPF_FD);
        m.put(a + ",file_flags", BpfAttr.Obj.FILE_FLAGS);
        m.put(a + ",target_fd", BpfAttr.ProgAttach.TARGET_FD);
        m.put(a + ",attach_bpf_fd", BpfAttr.ProgAttach.ATTACH_BPF_FD);
        m.put(a + ",attach_type", BpfAttr.ProgAttach.ATTACH_TYPE);
        m.put(a + ",attach_flags", BpfAttr.ProgAttach.ATTACH_FLAGS);
        m.put(a + ",replace_bpf_fd", BpfAttr.ProgAttach.REPLACE_BPF_FD);
        m.put(a + ",test.prog_fd", BpfAttr.TestRun.PROG_FD);
        m.put(a + ",test.retval", BpfAttr.TestRun.RETVAL);
        m.put(a + ",test.data_size_in", BpfAttr.TestRun.DATA_SIZE_IN);
        m.put(a + ",test.data_size_out", BpfAttr.TestRun.DATA_SIZE_OUT);
        m.put(a + ",test.data_in", BpfAttr.TestRun.DATA_IN);
        m.put(a + ",test.data_out", BpfAttr.TestRun.DATA_OUT);
        m.put(a + ",test.repeat", BpfAttr.TestRun.REPEAT);
        m.put(a + ",test.duration", BpfAttr.TestRun.DURATION);
        m.put(a + ",test.ctx_size_in", BpfAttr.TestRun.CTX_SIZE_IN);
        m.put(a + ",test.ctx_size_out", BpfAttr.TestRun.CTX_SIZE_OUT);
        m.put(a + ",test.ctx_in", BpfAttr.TestRun.CTX_IN);
        m.put(a + ",test.ctx_out", BpfAttr.TestRun.CTX_OUT);
        m.put(a + ",test.flags", BpfAttr.TestRun.FLAGS);
        m.put(a + ",test.cpu", BpfAttr.TestRun.CPU);
        m.put(a + ",test.batch_size", BpfAttr.TestRun.BATCH_SIZE);
        m.put(a + ",start_id", BpfAttr.GetId.START_ID);
        m.put(a + ",next_id", BpfAttr.GetId.NEXT_ID);
        m.put(a + ",open_flags", BpfAttr.GetId.OPEN_FLAGS);
        m.put(a + ",info.bpf_fd", BpfAttr.Info.BPF_FD);
        m.put(a + ",info.info_len", BpfAttr.Info.INFO_LEN);
        m.put(a + ",info.info", BpfAttr.Info.INFO);
        m.put(a + ",raw_tracepoint.name", BpfAttr.RawTracepoint.NAME);
        m.put(a + ",raw_tracepoint.prog_fd", BpfAttr.RawTracepoint.PROG_FD);
        m.put(a + ",btf", BpfAttr.BtfLoad.BTF);
        m.put(a + ",btf_log_buf", BpfAttr.BtfLoad.BTF_LOG_BUF);
        m.put(a + ",btf_size", BpfAttr.BtfLoad.BTF_SIZE);
        m.put(a + ",btf_log_size", BpfAttr.BtfLoad.BTF_LOG_SIZE);
        m.put(a + ",btf_log_level", BpfAttr.BtfLoad.BTF_LOG_LEVEL);
        m.put(a + ",link_create.prog_fd", BpfAttr.LinkCreate.PROG_FD);
        m.put(a + ",link_create.target_fd", BpfAttr.LinkCreate.TARGET_FD);
        m.put(a + ",link_create.target_ifindex", BpfAttr.LinkCreate.TARGET_FD);
        m.put(a + ",link_create.attach_type", BpfAttr.LinkCreate.ATTACH_TYPE);
        m.put(a + ",link_create.flags", BpfAttr.LinkCreate.FLAGS);
        m.put(a + ",link_create.target_btf_id", BpfAttr.LinkCreate.TARGET_BTF_ID);
        m.put(a + ",link_create.perf_event.bpf_cookie", BpfAttr.LinkCreate.PERF_EVENT_BPF_COOKIE);
        m.put(a + ",link_create.kprobe_multi.flags", BpfAttr.LinkCreate.KPROBE_MULTI_FLAGS);
        m.put(a + ",link_create.kprobe_multi.cnt", BpfAttr.LinkCreate.KPROBE_MULTI_CNT);
        m.put(a + ",link_create.kprobe_multi.syms", BpfAttr.LinkCreate.KPROBE_MULTI_SYMS);
        m.put(a + ",link_create.kprobe_multi.addrs", BpfAttr.LinkCreate.KPROBE_MULTI_ADDRS);
        m.put(a + ",link_create.kprobe_multi.cookies", BpfAttr.LinkCreate.KPROBE_MULTI_COOKIES);
        m.put(a + ",link_create.tracing.target_btf_id", BpfAttr.LinkCreate.TARGET_BTF_ID);
        m.put(a + ",link_create.tracing.cookie", BpfAttr.LinkCreate.TRACING_COOKIE);
        m.put(a + ",link_detach.link_fd", BpfAttr.LinkDetach.LINK_FD);
        m.put(a + ",enable_stats.type", BpfAttr.EnableStats.TYPE);
        String p = "struct bpf_prog_info";
        m.put(p + ",type", BpfAttr.ProgInfo.TYPE);
        m.put(p + ",id", BpfAttr.ProgInfo.ID);
        m.put(p + ",tag", BpfAttr.ProgInfo.TAG);
        m.put(p + ",jited_prog_len", BpfAttr.ProgInfo.JITED_PROG_LEN);
        m.put(p + ",xlated_prog_len", BpfAttr.ProgInfo.XLATED_PROG_LEN);
        m.put(p + ",jited_prog_insns", BpfAttr.ProgInfo.JITED_PROG_INSNS);
        m.put(p + ",xlated_prog_insns", BpfAttr.ProgInfo.XLATED_PROG_INSNS);
        m.put(p + ",load_time", BpfAttr.ProgInfo.LOAD_TIME);
        m.put(p + ",created_by_uid", BpfAttr.ProgInfo.CREATED_BY_UID);
        m.put(p + ",nr_map_ids", BpfAttr.ProgInfo.NR_MAP_IDS);
        m.put(p + ",map_ids", BpfAttr.ProgInfo.MAP_IDS);
        m.put(p + ",name", BpfAttr.ProgInfo.NAME);
        m.put(p + ",ifindex", BpfAttr.ProgInfo.IFINDEX);
        m.put(p + ",btf_id", BpfAttr.ProgInfo.BTF_ID);
        m.put(p + ",run_time_ns", BpfAttr.ProgInfo.RUN_TIME_NS);
        m.put(p + ",run_cnt", BpfAttr.ProgInfo.RUN_CNT);
        m.put(p + ",recursion_misses", BpfAttr.ProgInfo.RECURSION_MISSES);
        m.put(p + ",verified_insns", BpfAttr.ProgInfo.VERIFIED_INSNS);
        m.put(p + ",attach_btf_obj_id", BpfAttr.ProgInfo.ATTACH_BTF_OBJ_ID);
        m.put(p + ",attach_btf_id", BpfAttr.ProgInfo.ATTACH_BTF_ID);
        String mi = "struct bpf_map_info";
        m.put(mi + ",type", BpfAttr.MapInfo.TYPE);
        m.put(mi + ",id", BpfAttr.MapInfo.ID);
        m.put(mi + ",key_size", BpfAttr.MapInfo.KEY_SIZE);
        m.put(mi + ",value_size", BpfAttr.MapInfo.VALUE_SIZE);
        m.put(mi + ",max_entries", BpfAttr.MapInfo.MAX_ENTRIES);
        m.put(mi + ",map_flags", BpfAttr.MapInfo.MAP_FLAGS);
        m.put(mi + ",name", BpfAttr.MapInfo.NAME);
        m.put(mi + ",ifindex", BpfAttr.MapInfo.IFINDEX);
        m.put(mi + ",btf_vmlinux_value_type_id", BpfAttr.MapInfo.BTF_VMLINUX_VALUE_TYPE_ID);
        m.put(mi + ",btf_id", BpfAttr.MapInfo.BTF_ID);
        m.put(mi + ",btf_key_type_id", BpfAttr.MapInfo.BTF_KEY_TYPE_ID);
        m.put(mi + ",btf_value_type_id", BpfAttr.MapInfo.BTF_VALUE_TYPE_ID);
        m.put(mi + ",map_extra", BpfAttr.MapInfo.MAP_EXTRA);
        String b = "struct bpf_btf_info";
        m.put(b + ",btf", BpfAttr.BtfInfo.BTF);
        m.put(b + ",btf_size", BpfAttr.BtfInfo.BTF_SIZE);
        m.put(b + ",id", BpfAttr.BtfInfo.ID);
        m.put(b + ",name", BpfAttr.BtfInfo.NAME);
        m.put(b + ",name_len", BpfAttr.BtfInfo.NAME_LEN);
        m.put(b + ",kernel_btf", BpfAttr.BtfInfo.KERNEL_BTF);
        String l = "struct bpf_link_info";
        m.put(l + ",type", BpfAttr.LinkInfo.TYPE);
        m.put(l + ",id", BpfAttr.LinkInfo.ID);
        m.put(l + ",prog_id", BpfAttr.LinkInfo.PROG_ID);
        m.put(l + ",raw_tracepoint.tp_name", BpfAttr.LinkInfo.RAW_TP_NAME);
        m.put(l + ",raw_tracepoint.tp_name_len", BpfAttr.LinkInfo.RAW_TP_NAME_LEN);
        m.put(l + ",tracing.attach_type", BpfAttr.LinkInfo.TRACING_ATTACH_TYPE);
        m.put(l + ",tracing.target_obj_id", BpfAttr.LinkInfo.TRACING_TARGET_OBJ_ID);
        m.put(l + ",tracing.target_btf_id", BpfAttr.LinkInfo.TRACING_TARGET_BTF_ID);
        m.put(l + ",cgroup.cgroup_id", BpfAttr.LinkInfo.CGROUP_ID);
        m.put(l + ",cgroup.attach_type", BpfAttr.LinkInfo.CGROUP_ATTACH_TYPE);
        m.put(l + ",netns.netns_ino", BpfAttr.LinkInfo.NETNS_INO);
        m.put(l + ",netns.attach_type", BpfAttr.LinkInfo.NETNS_ATTACH_TYPE);
        m.put(l + ",xdp.ifindex", BpfAttr.LinkInfo.XDP_IFINDEX);
        m.put(l + ",iter.target_name", BpfAttr.LinkInfo.ITER_TARGET_NAME);
        m.put(l + ",iter.target_name_len", BpfAttr.LinkInfo.ITER_TARGET_NAME_LEN);
        m.put(l + ",iter.map.map_id", BpfAttr.LinkInfo.ITER_MAP_ID);
        String e = "struct perf_event_attr";
        m.put(e + ",type", BpfAttr.PerfEventAttr.TYPE);
        m.put(e + ",size", BpfAttr.PerfEventAttr.SIZE_FIELD);
        m.put(e + ",config", BpfAttr.PerfEventAttr.CONFIG);
        m.put(e + ",sample_period", BpfAttr.PerfEventAttr.SAMPLE_PERIOD);
        m.put(e + ",sample_type", BpfAttr.PerfEventAttr.SAMPLE_TYPE);
        m.put(e + ",read_format", BpfAttr.PerfEventAttr.READ_FORMAT);
        m.put(e + ",wakeup_events", BpfAttr.PerfEventAttr.WAKEUP_EVENTS);
        m.put(e + ",bp_type", BpfAttr.PerfEventAttr.BP_TYPE);
        m.put(e + ",config1", BpfAttr.PerfEventAttr.CONFIG1);
        m.put(e + ",config2", BpfAttr.PerfEventAttr.CONFIG2);
        return m;
    }

    private static final Map<String, Integer> SIZES = Map.of(
            "struct bpf_prog_info", BpfAttr.ProgInfo.SIZE,
            "struct bpf_map_info", BpfAttr.MapInfo.SIZE,
            "struct bpf_btf_info", BpfAttr.BtfInfo.SIZE,
            "struct bpf_link_info", BpfAttr.LinkInfo.SIZE,
            "struct perf_event_attr", BpfAttr.PerfEventAttr.SIZE);

    @Test
    @Requires({Requirement.CLANG})
    void offsetsMatchTheUapiHeader(@TempDir Path dir) throws Exception {
        Map<String, Integer> expected = expectations();
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <linux/bpf.h>\n"
                + "#include <linux/perf_event.h>\nint main(void) {\n");
        for (String key : expected.keySet()) {
            String[] parts = key.split(",");
            c.append("  printf(\"%s %zu\\n\", \"").append(key).append("\", offsetof(").append(parts[0]).append(", ")
                    .append(parts[1]).append("));\n");
        }
        for (String type : SIZES.keySet()) {
            c.append("  printf(\"%s %zu\\n\", \"sizeof ").append(type).append("\", sizeof(").append(type).append("));\n");
        }
        c.append("  printf(\"SET_BPF %lu\\n\", (unsigned long) PERF_EVENT_IOC_SET_BPF);\n");
        c.append("  printf(\"ENABLE %lu\\n\", (unsigned long) PERF_EVENT_IOC_ENABLE);\n");
        c.append("  printf(\"DISABLE %lu\\n\", (unsigned long) PERF_EVENT_IOC_DISABLE);\n");
        c.append("  return 0;\n}\n");
        Path src = dir.resolve("offsets.c");
        Files.writeString(src, c);
        Path exe = dir.resolve("offsets");
        run(List.of("cc", "-o", exe.toString(), src.toString()));
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : run(List.of(exe.toString())).split("\n")) {
            int sp = line.lastIndexOf(' ');
            actual.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
        }
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            assertEquals(actual.get(e.getKey()), (long) e.getValue(), e.getKey());
        }
        for (Map.Entry<String, Integer> e : SIZES.entrySet()) {
            assertEquals(actual.get("sizeof " + e.getKey()), (long) e.getValue(), "sizeof " + e.getKey());
        }
        assertEquals(actual.get("SET_BPF"), PerfEvent.IOC_SET_BPF);
        assertEquals(actual.get("ENABLE"), PerfEvent.IOC_ENABLE);
        assertEquals(actual.get("DISABLE"), PerfEvent.IOC_DISABLE);
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}

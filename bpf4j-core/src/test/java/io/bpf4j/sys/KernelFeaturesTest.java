package io.bpf4j.sys;

import io.bpf4j.asm.Helpers;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our probes against bpftool's own ("bpftool feature probe kernel") on the same kernel. */
@Requires({Requirement.ROOT, Requirement.BPFTOOL})
class KernelFeaturesTest {
    private static String probe;

    /** bpftool's probe, run once (lazily, so a skipped class never runs bpftool). */
    private static synchronized String bpftoolProbe() {
        if (probe == null) {
            probe = Bpftool.run("-j", "feature", "probe", "kernel");
        }
        return probe;
    }

    private static Boolean bpftoolSays(String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(true|false)").matcher(bpftoolProbe());
        return m.find() ? Boolean.valueOf(m.group(1)) : null;
    }

    @Test
    void mapTypesAgreeWithBpftool() {
        List<String> disagree = new ArrayList<>();
        int compared = 0;
        for (MapType t : MapType.values()) {
            Boolean theirs = bpftoolSays("have_" + t.name().toLowerCase(Locale.ROOT) + "_map_type");
            if (theirs == null || t == MapType.UNSPEC) {
                continue;
            }
            compared++;
            if (theirs != KernelFeatures.mapType(t)) {
                disagree.add(t + " bpftool=" + theirs);
            }
        }
        assertTrue(compared > 25, "compared " + compared);
        // STRUCT_OPS maps need a kernel struct_ops type id from vmlinux BTF to be created.
        disagree.remove("STRUCT_OPS bpftool=true");
        assertEquals(List.of(), disagree);
    }

    @Test
    void programTypesAgreeWithBpftool() {
        List<String> disagree = new ArrayList<>();
        for (ProgType t : ProgType.values()) {
            Boolean theirs = bpftoolSays("have_" + t.name().toLowerCase(Locale.ROOT) + "_prog_type");
            boolean needsTarget = t == ProgType.TRACING || t == ProgType.EXT || t == ProgType.LSM
                    || t == ProgType.STRUCT_OPS;
            if (theirs == null || t == ProgType.UNSPEC || needsTarget) {
                continue;
            }
            if (theirs != KernelFeatures.progType(t)) {
                disagree.add(t + " bpftool=" + theirs);
            }
        }
        assertEquals(List.of(), disagree);
    }

    /**
     * bpftool 7.1 counts a helper as available unless the verifier says "unknown func"/"invalid func",
     * so it lists helpers the kernel refuses for the type with "program of this type cannot use
     * helper" or ENOTSUPP; and it never probes the helpers that write warnings to the kernel log. So:
     * everything we find must be in bpftool's list (except those never-probed ones), and everything
     * bpftool lists that we do not, the kernel itself must refuse by name when we try.
     */
    @Test
    void helpersAgreeWithBpftoolWhereItProbesAndWithTheVerifierElsewhere() {
        List<String> notProbedByBpftool = List.of("bpf_trace_printk", "bpf_trace_vprintk", "bpf_probe_write_user");
        List<String> problems = new ArrayList<>();
        for (ProgType type : List.of(ProgType.SOCKET_FILTER, ProgType.XDP, ProgType.TRACEPOINT, ProgType.KPROBE)) {
            String key = type.name().toLowerCase(Locale.ROOT) + "_available_helpers";
            Matcher m = Pattern.compile("\"" + key + "\":\\[([^]]*)]").matcher(bpftoolProbe());
            assertTrue(m.find(), "bpftool lists " + key);
            List<String> theirs = List.of(m.group(1).replace("\"", "").split(","));
            for (int id = 1; id < Helpers.maxId(); id++) {
                String name = Helpers.name(id).orElseThrow();
                boolean ours = KernelFeatures.helper(type, id);
                if (ours && !theirs.contains(name) && !notProbedByBpftool.contains(name)) {
                    problems.add(type + ":" + name + " found by us, not by bpftool");
                }
                if (!ours && theirs.contains(name) && !kernelRefusesByName(type, id, name)) {
                    problems.add(type + ":" + name + " listed by bpftool, refused by us without the kernel saying so");
                }
            }
        }
        assertEquals(List.of(), problems);
        assertFalse(KernelFeatures.helper(ProgType.SOCKET_FILTER, Helpers.id("bpf_xdp_adjust_head").orElseThrow()));
        assertTrue(KernelFeatures.helper(ProgType.XDP, Helpers.id("bpf_xdp_adjust_head").orElseThrow()));
    }

    @SuppressWarnings("try")
    private static boolean kernelRefusesByName(ProgType type, int id, String name) {
        byte[] insns = io.bpf4j.asm.Instruction.encode(io.bpf4j.asm.Instruction.call(id),
                io.bpf4j.asm.Instruction.mov64(0, 0), io.bpf4j.asm.Instruction.exit());
        try (Fd fd = Bpf.progLoad(ProgLoadAttr.of(type, insns, "GPL"))) {
            return false;
        } catch (BpfException e) {
            String msg = e.getMessage();
            return msg.contains("cannot use helper " + name) || msg.contains("func " + name + "#" + id + " not supported");
        }
    }

    @Test
    void modernKernelAcceptsEveryBtfKindAndFeature() {
        for (int kind = 1; kind <= 19; kind++) {
            assertTrue(KernelFeatures.btfKind(kind), "BTF kind " + kind);
        }
        assertTrue(KernelFeatures.mmapableArrays());
        assertTrue(KernelFeatures.perfEventLinks());
        assertTrue(KernelFeatures.mapType(MapType.ARENA));
    }
}

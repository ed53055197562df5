package io.bpf4j.spec;

import io.bpf4j.sys.AttachType;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every row of bpf4j's SEC() table against libbpf's own answer for the same name:
 * {@code libbpf_prog_type_by_name} of the installed libbpf (1.1), called through FFM as a reference.
 * Names libbpf 1.1 does not know yet are listed below with the release that added them; any other
 * name it does not know, or a program or attach type it answers differently, fails the test.
 */
@Requires(Requirement.LIBBPF)
class SectionTableLibbpfTest {
    /** Sections added to libbpf after 1.1 (whose table is the reference here), by the release that added them. */
    private static final Set<String> NEWER_THAN_LIBBPF_1_1 = Set.of(
            "uprobe.multi", "uretprobe.multi", "uprobe.multi.s", "uretprobe.multi.s", // 1.3
            "kprobe.session", // 1.5
            "uprobe.session", "uprobe.session.s", // 1.6
            "tc/ingress", "tc/egress", "tcx/ingress", "tcx/egress", "netkit/primary", "netkit/peer", // 1.3, 1.4
            "sk_skb/verdict", // 1.2
            "cgroup/connect_unix", "cgroup/sendmsg_unix", "cgroup/recvmsg_unix", "cgroup/getpeername_unix",
            "cgroup/getsockname_unix", // 1.3
            "netfilter", "struct_ops.s", // 1.2
            "usdt.s"); // 1.3

    @Test
    void everyRowMeansToBpf4jWhatItMeansToLibbpf() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup libbpf = SymbolLookup.libraryLookup("libbpf.so.1", arena);
            MethodHandle byName = Linker.nativeLinker().downcallHandle(libbpf.find("libbpf_prog_type_by_name").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            MemorySegment type = arena.allocate(JAVA_INT);
            MemorySegment attach = arena.allocate(JAVA_INT);
            List<String> differ = new ArrayList<>();
            Set<String> unknown = new TreeSet<>();
            int compared = 0;
            for (SectionDef row : SectionTable.rows()) {
                // A type+ row is checked with extras too: libbpf must take "type/extras" for the same row.
                for (String name : row.allowsExtras() ? List.of(row.prefix(), row.prefix() + "/x") : List.of(row.prefix())) {
                    int rc = (int) byName.invokeExact(arena.allocateFrom(name), type, attach);
                    if (rc != 0) {
                        unknown.add(row.prefix());
                        continue;
                    }
                    compared++;
                    int expectedAttach = row.attachType() == null ? 0 : row.attachType().value();
                    if (type.get(JAVA_INT, 0) != row.programType().value() || attach.get(JAVA_INT, 0) != expectedAttach) {
                        differ.add(name + ": bpf4j " + row.programType() + "/" + row.attachType() + ", libbpf type "
                                + type.get(JAVA_INT, 0) + " attach " + AttachType.ofValue(attach.get(JAVA_INT, 0)));
                    }
                }
            }
            assertEquals(List.of(), differ, "rows that mean something else to libbpf");
            Set<String> unexplained = new TreeSet<>(unknown);
            unexplained.removeAll(NEWER_THAN_LIBBPF_1_1);
            assertEquals(Set.of(), unexplained, "rows libbpf 1.1 does not know, and not listed as newer");
            assertTrue(compared > 100, compared + " names compared");
        }
    }
}

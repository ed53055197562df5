package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;
import io.bpf4j.reloc.BpftoolTypes.Member;
import io.bpf4j.reloc.BpftoolTypes.Type;
import io.bpf4j.reloc.ObjdumpCoreRelocations.Line;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Relocates the test programs against this machine's /sys/kernel/btf/vmlinux and checks every
 * relocated instruction. Which instruction carries which relocation comes from llvm-objdump; what
 * value it must get comes from bpftool's raw dump of the kernel's BTF.
 */
@Requires({Requirement.CLANG, Requirement.BPFTOOL, Requirement.KERNEL_BTF})
class CoreRelocatorKernelTest {
    private static BpftoolTypes kernel;
    private static Btf vmlinux;

    /** What one relocated instruction must hold. */
    sealed interface Expect {
    }

    /** imm of an ALU instruction, or the 64-bit constant of an LD_IMM64. */
    record Value(long value) implements Expect {
    }

    /** offset and access size of a load or store. */
    record Access(long offset, long size) implements Expect {
    }

    record Poisoned() implements Expect {
    }

    @BeforeAll
    static void kernelTypes() {
        kernel = BpftoolTypes.of("/sys/kernel/btf/vmlinux");
        vmlinux = TestKernel.vmlinux();
        TestPrograms.vmlinuxHeader();
    }

    private static long off(Type struct, String field) {
        return kernel.member(struct, field).bitsOffset() / 8;
    }

    @Test
    void everyKindThroughProbeReadsAndBuiltins() throws Exception {
        Path obj = TestPrograms.compile("core.bpf.c");
        Type task = kernel.named("STRUCT", "task_struct");
        Type skb = kernel.named("STRUCT", "sk_buff");
        Map<String, Expect> expect = new HashMap<>();
        expect.put("<byte_off> struct task_struct::pid", new Value(off(task, "pid")));
        expect.put("<byte_off> struct task_struct::tgid", new Value(off(task, "tgid")));
        expect.put("<byte_off> struct task_struct::real_parent", new Value(off(task, "real_parent")));
        // A flavoured local type with its own layout relocates to the kernel's task_struct.
        expect.put("<byte_off> struct task_struct___mine::pid", new Value(off(task, "pid")));
        expect.put("<byte_off> struct task_struct___mine::tgid", new Value(off(task, "tgid")));
        expect.put("<byte_off> struct task_struct___mine::real_parent", new Value(off(task, "real_parent")));
        for (String bf : List.of("in_execve", "init_private_fork_class")) {
            Member m = kernel.member(task, bf);
            long size = kernel.sizeOf(m.typeId());
            long byteOff = m.bitsOffset() / 8 / size * size;
            assertTrue(m.bitsOffset() + m.bitfieldSize() <= (byteOff + size) * 8, "the bitfield fits one aligned load of its type");
            expect.put("<byte_off> struct task_struct::" + bf, new Value(byteOff));
            expect.put("<byte_sz> struct task_struct::" + bf, new Value(size));
            expect.put("<lshift_u64> struct task_struct::" + bf, new Value(64 - (m.bitsOffset() - byteOff * 8 + m.bitfieldSize())));
            expect.put("<rshift_u64> struct task_struct::" + bf, new Value(64 - m.bitfieldSize()));
            expect.put("<signed> struct task_struct::" + bf,
                    new Value("SIGNED".equals(kernel.resolved(m.typeId()).attrs().get("encoding")) ? 1 : 0));
        }
        expect.put("<field_exists> struct task_struct::pid", new Value(1));
        expect.put("<field_exists> struct task_struct::comm[3]", new Value(1));
        expect.put("<type_exists> struct task_struct", new Value(1));
        expect.put("<type_exists> struct bpf4j_no_such_type", new Value(0));
        expect.put("<type_size> struct task_struct", new Value(task.attr("size")));
        expect.put("<type_size> struct bpf4j_no_such_type", new Value(0));
        expect.put("<byte_sz> struct task_struct::comm", new Value(kernel.sizeOf(kernel.member(task, "comm").typeId())));
        expect.put("<signed> struct task_struct::pid",
                new Value("SIGNED".equals(kernel.resolved(kernel.member(task, "pid").typeId()).attrs().get("encoding")) ? 1 : 0));
        expect.put("<enumval_exists> enum pid_type::PIDTYPE_TGID", new Value(1));
        expect.put("<enumval_value> enum pid_type::PIDTYPE_SID", new Value(kernel.enumValue("ENUM", "pid_type", "PIDTYPE_SID")));
        expect.put("<enumval_value> enum pid_type___mine::PIDTYPE_SID___mine",
                new Value(kernel.enumValue("ENUM", "pid_type", "PIDTYPE_SID")));
        expect.put("<enumval_exists> enum pid_type___mine::BPF4J_NO_SUCH_PIDTYPE___mine", new Value(0));
        expect.put("<enumval_value> enum perf_callchain_context::PERF_CONTEXT_KERNEL",
                new Value(kernel.enumValue("ENUM64", "perf_callchain_context", "PERF_CONTEXT_KERNEL")));
        expect.put("<target_type_id> struct task_struct", new Value(task.id()));
        // bpf_core_type_id_local: the type's id in the object's own BTF, as bpftool reads that BTF.
        expect.put("<local_type_id> struct task_struct", new Value(BpftoolTypes.of(obj.toString()).named("STRUCT", "task_struct").id()));
        expect.put("<type_matches> struct task_struct___mine", new Value(1));
        expect.put("<type_matches> struct task_struct___wrong_size", new Value(0));
        expect.put("<field_exists> struct task_struct___future::bpf4j_no_such_field", new Value(0));
        expect.put("<byte_off> struct task_struct___future::bpf4j_no_such_field", new Poisoned());
        // Fields the kernel keeps inside anonymous unions and structs.
        expect.put("<byte_off> struct sk_buff___flat::tstamp", new Value(off(skb, "tstamp")));
        expect.put("<byte_off> struct sk_buff___flat::destructor", new Value(off(skb, "destructor")));
        expect.put("<byte_off> struct sk_buff___flat::len", new Value(off(skb, "len")));

        RelocatedObject r = RelocatedObject.relocate(obj, List.of(vmlinux));
        checkAll(obj, r, expect);

        RelocatedObject.Function guarded = r.functions().get("guarded_missing");
        assertEquals(1, guarded.result().failures().size(), "only the guarded read is poisoned");
        CoreFailure f = guarded.result().failures().getFirst();
        assertTrue(guarded.after(f.insnIndex()).isPoison());
        assertEquals("struct task_struct___future.bpf4j_no_such_field", f.access());
        assertTrue(f.description().contains("program 'guarded_missing' instruction #" + f.insnIndex()), f.description());
        assertTrue(f.description().contains("FIELD_BYTE_OFFSET"), f.description());
        assertTrue(f.description().contains("no field 'bpf4j_no_such_field'"), f.description());
        for (String prog : List.of("read_fields", "read_flavoured", "read_bitfield", "checks", "anonymous_members")) {
            assertEquals(List.of(), r.functions().get(prog).result().failures(), prog);
        }
    }

    @Test
    void directLoadsAndStoresGetKernelOffsetsAndSizes() throws Exception {
        Path obj = TestPrograms.compile("core_direct.bpf.c");
        Type task = kernel.named("STRUCT", "task_struct");
        Map<String, Expect> expect = new HashMap<>();
        // short in the program, signed int in the kernel: a narrower load would drop the sign: poisoned.
        expect.put("<byte_off> struct task_struct___narrow::pid", new Poisoned());
        for (String field : List.of("flags", "personality", "atomic_flags", "real_parent")) {
            expect.put("<byte_off> struct task_struct___narrow::" + field,
                    new Access(off(task, field), kernel.sizeOf(kernel.member(task, field).typeId())));
        }
        expect.put("<byte_off> struct task_struct___narrow::comm[3]", new Access(off(task, "comm") + 3, 1));
        expect.put("<byte_off> struct task_struct___future::bpf4j_no_such_field", new Poisoned());

        RelocatedObject r = RelocatedObject.relocate(obj, List.of(vmlinux));
        checkAll(obj, r, expect);
        CoreFailure narrow = r.functions().get("direct").result().failures().getFirst();
        assertTrue(narrow.description().contains("2 bytes in the program but 4 bytes in the kernel"), narrow.description());
        assertEquals(1, r.functions().get("unguarded_missing").result().failures().size());
    }

    /** Every relocation llvm-objdump shows has an expectation and got it; every other byte is unchanged. */
    private static void checkAll(Path obj, RelocatedObject r, Map<String, Expect> expect) throws Exception {
        List<Line> lines = ObjdumpCoreRelocations.of(obj);
        assertFalse(lines.isEmpty());
        int total = r.functions().values().stream().mapToInt(f -> f.relocations().size()).sum();
        assertEquals(lines.size(), total, "bpf4j finds the CO-RE records llvm-objdump shows");
        Map<RelocatedObject.Function, java.util.Set<Integer>> touched = new HashMap<>();
        for (Line line : lines) {
            RelocatedObject.Function fn = r.functions().values().stream()
                    .filter(f -> f.spec().section().equals(line.section()) && line.offset() >= f.spec().sectionOffset()
                            && line.offset() < f.spec().sectionOffset() + f.before().length)
                    .findFirst().orElseThrow(() -> new AssertionError("no function holds " + line));
            int index = (int) ((line.offset() - fn.spec().sectionOffset()) / 8);
            Expect e = expect.get(line.key());
            assertNotNull(e, "no expectation for " + line.key());
            RelocatedObject.Insn insn = fn.after(index);
            String where = fn.spec().name() + " #" + index + " " + line.key();
            switch (e) {
                case Value v -> {
                    if ((fn.before()[index * 8] & 0xff) == 0x18) {
                        assertEquals(v.value(), insn.imm64(), where);
                        touched.computeIfAbsent(fn, k -> new java.util.HashSet<>()).add(index + 1);
                    } else {
                        assertEquals(v.value(), Integer.toUnsignedLong(insn.imm()), where);
                    }
                }
                case Access a -> {
                    assertEquals(a.offset(), insn.off(), where);
                    assertEquals(a.size(), insn.memSize(), where + " access size");
                }
                case Poisoned p -> {
                    assertTrue(insn.isPoison(), where + " is poisoned");
                    assertTrue(fn.result().failureAt(index).isPresent(), where + " has a failure record");
                }
            }
            touched.computeIfAbsent(fn, k -> new java.util.HashSet<>()).add(index);
        }
        for (RelocatedObject.Function fn : r.functions().values()) {
            byte[] after = fn.result().instructions();
            for (int i = 0; i < fn.before().length / 8; i++) {
                if (!touched.getOrDefault(fn, java.util.Set.of()).contains(i)) {
                    assertEquals(java.util.Arrays.toString(java.util.Arrays.copyOfRange(fn.before(), i * 8, i * 8 + 8)),
                            java.util.Arrays.toString(java.util.Arrays.copyOfRange(after, i * 8, i * 8 + 8)),
                            fn.spec().name() + " #" + i + " has no relocation and must not change");
                }
            }
        }
    }
}

package io.bpf4j.reloc;

import io.bpf4j.spec.FunctionSpec;
import io.bpf4j.spec.ObjectSpec;
import io.bpf4j.spec.ProgramSpec;
import io.bpf4j.spec.Relocation;
import io.bpf4j.spec.SpecException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Links a program with every subprogram it reaches (bpf-to-bpf calls and callbacks passed to helpers
 * such as bpf_loop), appending each once after the program and fixing the pc-relative immediates:
 * the kernel loads one instruction array per program, while clang leaves callees in .text.
 */
public final class ProgramLinker {
    static final int CALL = 0x85;
    static final int LD_IMM64 = 0x18;
    /** src_reg of a bpf-to-bpf call (BPF_PSEUDO_CALL). */
    static final int PSEUDO_CALL = 1;
    /** src_reg of an ld_imm64 that loads a function's address (BPF_PSEUDO_FUNC). */
    static final int PSEUDO_FUNC = 4;

    private ProgramLinker() {
    }

    public static LinkedProgram link(ObjectSpec spec, ProgramSpec program) {
        Map<FunctionSpec, Integer> starts = new LinkedHashMap<>();
        List<FunctionSpec> order = new ArrayList<>();
        place(spec, program, program.code(), starts, order);
        int next = order.stream().mapToInt(FunctionSpec::instructionCount).sum();

        ByteArrayOutputStream out = new ByteArrayOutputStream(next * 8);
        for (FunctionSpec f : order) {
            out.writeBytes(f.instructions());
        }
        byte[] insns = out.toByteArray();
        ByteBuffer buf = ByteBuffer.wrap(insns).order(ByteOrder.LITTLE_ENDIAN);
        List<Relocation> rest = new ArrayList<>();
        List<LinkedProgram.Placement> placements = new ArrayList<>();
        for (FunctionSpec f : order) {
            int base = starts.get(f);
            placements.add(new LinkedProgram.Placement(f, base));
            for (CallSite c : callSites(f)) {
                FunctionSpec callee = spec.functionAt(c.sectionIndex(), c.byteOffset()).orElseThrow();
                int target = starts.get(callee) + (int) ((c.byteOffset() - callee.sectionOffset()) / 8);
                int at = base + c.insnIndex();
                buf.putInt(at * 8 + 4, target - (at + 1));
                if (c.isCallback()) {
                    setSrcReg(insns, at, PSEUDO_FUNC);
                    buf.putInt((at + 1) * 8 + 4, 0);
                }
            }
            for (Relocation r : f.relocations()) {
                if (!(r.target() instanceof Relocation.CallReference) && !(r.target() instanceof Relocation.FunctionAddress)) {
                    rest.add(new Relocation(base + r.insnIndex(), r.target(), r.symbol()));
                }
            }
        }
        return new LinkedProgram(program, insns, placements, rest);
    }

    /**
     * Appends {@code f}, then each callee the first time it is called, depth first in instruction
     * order: the layout libbpf produces, so the kernel sees the same program from both loaders.
     */
    private static void place(ObjectSpec spec, ProgramSpec program, FunctionSpec f, Map<FunctionSpec, Integer> starts,
                              List<FunctionSpec> order) {
        int start = order.stream().mapToInt(FunctionSpec::instructionCount).sum();
        starts.put(f, start);
        order.add(f);
        for (CallSite c : callSites(f)) {
            FunctionSpec callee = spec.functionAt(c.sectionIndex(), c.byteOffset()).orElseThrow(() -> new SpecException(
                    program.name() + ": " + f.name() + " calls a function at " + c.describe()
                            + " that the object does not define"));
            if (!starts.containsKey(callee)) {
                place(spec, program, callee, starts, order);
            }
        }
    }

    /** Sets the src_reg field of instruction {@code index} (the pseudo-source markers of ld_imm64 and call). */
    public static void setSrcReg(byte[] insns, int index, int src) {
        int regs = insns[index * 8 + 1] & 0x0f;
        insns[index * 8 + 1] = (byte) (regs | (src << 4));
    }

    /** A call or callback reference out of a function, with the callee's position in its section. */
    private record CallSite(int insnIndex, int sectionIndex, long byteOffset, boolean isCallback) {
        String describe() {
            return "section #" + sectionIndex + " offset " + byteOffset;
        }
    }

    /**
     * Calls and callbacks: those with an ELF relocation, plus pc-relative calls clang resolved itself
     * (a static callee in the same section), which must be re-pointed once the function is moved.
     */
    private static List<CallSite> callSites(FunctionSpec f) {
        List<CallSite> out = new ArrayList<>();
        Set<Integer> relocated = new HashSet<>();
        for (Relocation r : f.relocations()) {
            // Any relocated call is spoken for: a kfunc call (an extern) is resolved by the loader.
            relocated.add(r.insnIndex());
            switch (r.target()) {
                case Relocation.CallReference c -> out.add(new CallSite(r.insnIndex(), c.sectionIndex(), c.byteOffset(), false));
                case Relocation.FunctionAddress a -> out.add(new CallSite(r.insnIndex(), a.sectionIndex(), a.byteOffset(), true));
                default -> {
                }
            }
        }
        byte[] insns = f.instructions();
        ByteBuffer buf = ByteBuffer.wrap(insns).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < insns.length / 8; i++) {
            int opcode = insns[i * 8] & 0xff;
            int src = (insns[i * 8 + 1] >> 4) & 0x0f;
            if (opcode == CALL && src == PSEUDO_CALL && !relocated.contains(i)) {
                long target = f.sectionOffset() + (i + 1L + buf.getInt(i * 8 + 4)) * 8;
                out.add(new CallSite(i, f.sectionIndex(), target, false));
            }
            if (opcode == LD_IMM64) {
                i++; // the second half of a wide load is not an instruction
            }
        }
        out.sort(java.util.Comparator.comparingInt(CallSite::insnIndex));
        return out;
    }
}

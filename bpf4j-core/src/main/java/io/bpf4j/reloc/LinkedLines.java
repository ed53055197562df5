package io.bpf4j.reloc;

import io.bpf4j.btf.BtfExt;
import io.bpf4j.spec.FunctionSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The object's func_info and line_info records moved to where each function landed in a linked
 * program, with instruction offsets in instructions (what the kernel and listings want) rather than
 * the object's bytes from the section start.
 */
public final class LinkedLines {
    public record Line(int insn, BtfExt.LineInfo info) {
    }

    public record Func(int insn, int typeId) {
    }

    private LinkedLines() {
    }

    public static List<Line> lines(BtfExt ext, LinkedProgram linked) {
        List<Line> out = new ArrayList<>();
        for (LinkedProgram.Placement p : linked.placements()) {
            FunctionSpec f = p.function();
            long end = f.sectionOffset() + f.instructionCount() * 8L;
            for (BtfExt.LineInfo li : ext.lineInfos().getOrDefault(f.section(), List.of())) {
                if (li.insnOffset() >= f.sectionOffset() && li.insnOffset() < end) {
                    out.add(new Line(p.start() + (int) ((li.insnOffset() - f.sectionOffset()) / 8), li));
                }
            }
        }
        return out;
    }

    public static List<Func> funcs(BtfExt ext, LinkedProgram linked) {
        List<Func> out = new ArrayList<>();
        for (LinkedProgram.Placement p : linked.placements()) {
            FunctionSpec f = p.function();
            ext.funcInfos().getOrDefault(f.section(), List.of()).stream()
                    .filter(fi -> fi.insnOffset() == f.sectionOffset()).findFirst()
                    .ifPresent(fi -> out.add(new Func(p.start(), fi.typeId())));
        }
        return out;
    }
}

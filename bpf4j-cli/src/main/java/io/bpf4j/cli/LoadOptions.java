package io.bpf4j.cli;

import io.bpf4j.Bpf4jException;
import io.bpf4j.load.BpfObject;
import io.bpf4j.load.LoadedPrograms;
import io.bpf4j.spec.ProgramSpec;
import io.bpf4j.spec.SectionDef;
import io.bpf4j.sys.Fd;
import io.bpf4j.load.VerifierRejection;

import java.util.ArrayList;
import java.util.List;

/** The options of every verb that loads an object: globals set before load, and the verifier log on failure. */
final class LoadOptions {
    final List<String> settings = new ArrayList<>();
    boolean verbose;

    void declare(Args a) {
        a.repeatable("--set", "NAME=VALUE", "Set a global variable before load (e.g. --set limit=10).", settings::add)
                .flag("--verbose", "Show the whole verifier log when a program is rejected.", () -> verbose = true);
    }

    /** Applies --set NAME=VALUE, type-checked against the variable's BTF type. */
    void applySettings(BpfObject obj) {
        for (String s : settings) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new Bpf4jException("--set " + s + ": expected NAME=VALUE, e.g. --set limit=10");
            }
            obj.setGlobal(s.substring(0, eq), s.substring(eq + 1));
        }
    }

    /**
     * Names, before load, the loaded program a freplace, fentry or fexit program attaches to: a pinned
     * path, id:N or its name (the kernel checks the program against its target at load).
     */
    static void applyProgramTarget(BpfObject obj, String program, String ref) {
        ProgramSpec p = obj.spec().program(program).orElseThrow(() -> new Bpf4jException("--attach " + program + "=...: "
                + obj.name() + " has no program " + program + "; it has: "
                + String.join(", ", obj.spec().programs().stream().map(ProgramSpec::name).toList())));
        if (!p.def().map(SectionDef::targetsAProgram).orElse(false)) {
            throw new Bpf4jException("--attach " + program + "=" + ref + ": here --attach names the loaded program a freplace, "
                    + "fentry or fexit program attaches to, and " + program + " is SEC(\"" + p.section() + "\"); attach it with "
                    + "'bpf4j run --attach " + program + "=TARGET' instead");
        }
        try (Fd target = LoadedPrograms.open(ref)) {
            obj.attachTarget(program, target, null);
        }
    }

    /** Runs a load step; with --verbose a verifier rejection prints the whole log before its message. */
    <T> T load(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (VerifierRejection e) {
            if (verbose) {
                System.err.println(e.log());
            }
            throw e;
        }
    }
}

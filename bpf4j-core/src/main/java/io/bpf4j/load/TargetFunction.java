package io.bpf4j.load;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfFormatException;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.ObjectKind;
import io.bpf4j.sys.ProgInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * A function of a program already in the kernel, which a freplace program replaces or an
 * fentry/fexit program traces instead of a kernel function. The kernel names it at load by the
 * program's fd (attach_prog_fd) and the id of the function's FUNC in that program's BTF
 * (attach_btf_id); a freplace link names it again. Owns a duplicate of the program's fd, so the
 * caller may close its own.
 */
public final class TargetFunction implements AutoCloseable {
    private final Fd program;
    private final String programName;
    private final int programId;
    private final String function;
    private final int btfId;
    private final boolean global;

    private TargetFunction(Fd program, String programName, int programId, String function, int btfId, boolean global) {
        this.program = program;
        this.programName = programName;
        this.programId = programId;
        this.function = function;
        this.btfId = btfId;
        this.global = global;
    }

    /** Finds {@code function} in the BTF the loaded program {@code program} was loaded with. */
    public static TargetFunction find(Fd program, String function) {
        String kind = program.objectKind();
        if (!kind.equals("bpf-prog")) {
            // BPF_OBJ_GET_INFO_BY_FD would answer for a map or link too, in another layout.
            throw new LoadException(program + " is a " + kind + ", not a program: the target of a freplace, fentry or fexit "
                    + "program is a loaded program (LoadedPrograms.open opens one by pin, id or name)");
        }
        ProgInfo info = Bpf.progInfo(program);
        String who = "program " + (info.name().isEmpty() ? "" : info.name() + " ") + "(id " + info.id() + ")";
        if (info.btfId() == 0) {
            throw new LoadException(who + " was loaded without BTF, so its functions have no names the kernel can "
                    + "match: load it from an object compiled with clang -g (bpf4j and libbpf then upload its BTF)");
        }
        Btf btf;
        try (Fd btfFd = Bpf.fdById(ObjectKind.BTF, info.btfId())) {
            btf = Btf.parse(Bpf.btfData(btfFd));
        } catch (BtfFormatException e) {
            throw new LoadException("the BTF of " + who + " cannot be read: " + e.getMessage(), e);
        }
        int id = 0;
        List<String> functions = new ArrayList<>();
        for (int candidate : btf.idsNamed(function)) {
            if (btf.type(candidate) instanceof BtfType.Func f && (id == 0 || f.linkage() == BtfType.Linkage.GLOBAL)) {
                id = candidate;
            }
        }
        if (id == 0) {
            for (int i = 1; i < btf.typeCount(); i++) {
                if (btf.type(i).kind() == BtfKind.FUNC) {
                    functions.add(btf.type(i).name());
                }
            }
            throw new LoadException(who + " has no function " + function + "; its functions are: "
                    + (functions.isEmpty() ? "(none)" : String.join(", ", functions)));
        }
        boolean global = ((BtfType.Func) btf.type(id)).linkage() == BtfType.Linkage.GLOBAL;
        return new TargetFunction(program.dup(), info.name(), info.id(), function, id, global);
    }

    /** The target program; valid until this is closed. */
    public Fd program() {
        return program;
    }

    /** The program's name as the kernel keeps it (at most 15 characters). */
    public String programName() {
        return programName;
    }

    public int programId() {
        return programId;
    }

    public String function() {
        return function;
    }

    /** The id of the function's FUNC in the target program's BTF. */
    public int btfId() {
        return btfId;
    }

    /** False for a static function, which the kernel lets no freplace program replace. */
    public boolean isGlobal() {
        return global;
    }

    /** "decide of program xdp_entry (id 42)". */
    public String describe() {
        return function + " of program " + (programName.isEmpty() ? "" : programName + " ") + "(id " + programId + ")";
    }

    @Override
    public void close() {
        program.close();
    }
}

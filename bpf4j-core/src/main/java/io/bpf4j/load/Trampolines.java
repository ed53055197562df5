package io.bpf4j.load;

import io.bpf4j.asm.Instruction;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.ProgLoadAttr;
import io.bpf4j.sys.ProgType;

import java.util.OptionalInt;

/**
 * Whether the kernel refuses BPF trampolines, which fentry/fexit/lsm and struct_ops all need: some
 * kernels answer EPERM to an fentry load even for root, and EINVAL to a well-formed struct_ops map.
 * Asked once, by loading a two-instruction fentry program on do_exit (not attached).
 */
final class Trampolines {
    private static volatile Boolean refused;

    private Trampolines() {
    }

    static boolean refused() {
        Boolean r = refused;
        if (r == null) {
            r = probe();
            refused = r;
        }
        return r;
    }

    private static boolean probe() {
        OptionalInt doExit = KernelBtf.vmlinux().findId("do_exit", BtfKind.FUNC);
        if (doExit.isEmpty()) {
            return false; // cannot tell
        }
        ProgLoadAttr a = ProgLoadAttr.of(ProgType.TRACING, Instruction.encode(Instruction.mov64(0, 0), Instruction.exit()), "GPL")
                .withExpectedAttachType(AttachType.TRACE_FENTRY).withAttachTarget(doExit.getAsInt(), 0);
        try (Fd ignored = Bpf.progLoad(a)) {
            return false;
        } catch (BpfException.PermissionDenied e) {
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}

package io.bpf4j.load;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.KernelBtf;
import io.bpf4j.host.KernelConfig;
import io.bpf4j.host.KernelSymbols;
import io.bpf4j.reloc.ProgramLinker;
import io.bpf4j.spec.ObjectSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The kernel variables an object declares in .ksyms (kfuncs are {@link KfuncTargets}' job), written
 * into the 64-bit loads that name them.
 * <ul>
 *   <li>Typed ({@code extern const struct rq runqueues __ksym;}): the id of the kernel's BTF VAR of
 *       that name, as BPF_PSEUDO_BTF_ID. The kernel fills in the address and the verifier knows the
 *       type (per-cpu variables go through bpf_this_cpu_ptr / bpf_per_cpu_ptr). A variable vmlinux's
 *       BTF lacks is looked for in the loaded modules' BTF; the load then names that module's BTF
 *       by fd in the instruction's second slot.</li>
 *   <li>Typeless ({@code extern const void jiffies __ksym;}): only the address, taken from
 *       /proc/kallsyms and written as a constant. Asking the kernel by BTF id instead would work for
 *       per-cpu variables only: BTF describes no other variable before pahole's global_var feature
 *       (Debian's 6.1 and 6.12 have a single DATASEC, .data..percpu), while kallsyms (with
 *       CONFIG_KALLSYMS_ALL) lists jiffies, init_task and the rest.</li>
 *   <li>{@code __weak} and absent: 0, and the program still loads; it tests the address itself.</li>
 * </ul>
 * /proc/kallsyms is read at most once per object, in one pass, and only when it has a typeless one.
 */
final class KernelVariables {
    private static final int PSEUDO_BTF_ID = 3;

    private final Set<String> typeless;
    private final KfuncTargets modules;
    private Map<String, List<Long>> kallsyms;

    /** {@code modules}: the loaded modules' BTF, searched for typed variables vmlinux lacks (their fds stay open through the load). */
    KernelVariables(ObjectSpec spec, KfuncTargets modules) {
        this.typeless = spec.btf().map(b -> typelessNames(b.btf())).orElse(Set.of());
        this.modules = modules;
    }

    /** The .ksyms VARs whose type is void once const/volatile/typedefs are peeled off. */
    private static Set<String> typelessNames(Btf btf) {
        OptionalInt ksyms = btf.findId(".ksyms", BtfKind.DATASEC);
        Set<String> names = new HashSet<>();
        if (ksyms.isPresent() && btf.type(ksyms.getAsInt()) instanceof BtfType.Datasec d) {
            for (BtfType.VarSecinfo entry : d.vars()) {
                if (btf.type(entry.type()) instanceof BtfType.Var v && btf.resolve(v.type()) == 0) {
                    names.add(v.name());
                }
            }
        }
        return names;
    }

    /** Fills in the 64-bit load at instruction {@code at} (two slots) that names kernel variable {@code name}. */
    void resolve(String program, byte[] insns, int at, String name, boolean weak) {
        if (typeless.contains(name)) {
            writeConstant(insns, at, address(program, name, weak));
            return;
        }
        OptionalInt id = KernelBtf.vmlinux().findId(name, BtfKind.VAR);
        int btfFd = 0; // the BTF object the id belongs to, by fd in the second slot: 0 is vmlinux
        if (id.isEmpty()) {
            Optional<KfuncTargets.ModuleVariable> inModule = modules.findModuleVariable(name);
            if (inModule.isPresent()) {
                id = OptionalInt.of(inModule.get().btfId());
                btfFd = inModule.get().moduleBtf().value();
            } else if (weak) {
                writeConstant(insns, at, 0);
                return;
            } else {
                throw new LoadException(missingTyped(program, name));
            }
        }
        ByteBuffer buf = ByteBuffer.wrap(insns).order(ByteOrder.LITTLE_ENDIAN);
        ProgramLinker.setSrcReg(insns, at, PSEUDO_BTF_ID);
        buf.putInt(at * 8 + 4, id.getAsInt());
        buf.putInt((at + 1) * 8 + 4, btfFd);
    }

    private long address(String program, String name, boolean weak) {
        if (kallsyms == null) {
            kallsyms = KernelSymbols.addressesOf(typeless);
        }
        List<Long> found = kallsyms.getOrDefault(name, List.of());
        if (found.isEmpty()) {
            if (weak) {
                return 0;
            }
            throw new LoadException(missingTypeless(program, name));
        }
        if (found.size() > 1) {
            throw new LoadException("program " + program + " uses kernel symbol '" + name + "' (a typeless __ksym extern), "
                    + "but /proc/kallsyms lists " + found.size() + " symbols of that name at different addresses "
                    + "(static ones of several files or modules); bpf4j cannot tell which one is meant");
        }
        if (found.get(0) == 0) {
            throw new LoadException("program " + program + " uses kernel symbol '" + name + "' (a typeless __ksym extern), "
                    + "but /proc/kallsyms shows its address as 0: this process may not see kernel addresses "
                    + "(kernel.kptr_restrict, CAP_SYSLOG); load as root");
        }
        return found.get(0);
    }

    /** A plain 64-bit constant (src_reg 0): an address, or 0 for an absent weak extern. */
    private static void writeConstant(byte[] insns, int at, long value) {
        ByteBuffer buf = ByteBuffer.wrap(insns).order(ByteOrder.LITTLE_ENDIAN);
        ProgramLinker.setSrcReg(insns, at, 0);
        buf.putInt(at * 8 + 4, (int) value);
        buf.putInt((at + 1) * 8 + 4, (int) (value >>> 32));
    }

    private static String missingTypeless(String program, String name) {
        KernelConfig config = KernelConfig.running();
        if (config.available() && !config.enabled("CONFIG_KALLSYMS_ALL")) {
            // Unlike a typed one (the kernel looks that up itself), a typeless one loads as 0 when __weak.
            return withoutKallsymsAll(program, name) + ", or declare it __weak to load without it";
        }
        return "program " + program + " uses kernel symbol '" + name + "' (a typeless __ksym extern), which /proc/kallsyms "
                + "does not list: check the name and the kernel version, or declare it __weak to load without it "
                + "(its address is then 0)";
    }

    /** Neither bpf4j (typeless) nor the kernel (typed) can find a variable's address in kallsyms. */
    static String withoutKallsymsAll(String program, String name) {
        return "program " + program + " uses kernel variable '" + name + "' (a __ksym extern), but the kernel cannot "
                + "give its address: it is built without CONFIG_KALLSYMS_ALL, so /proc/kallsyms lists functions only. "
                + "Read the value another way (a helper, a tracepoint argument)";
    }

    private String missingTyped(String program, String name) {
        boolean inKallsyms = !KernelSymbols.addressesOf(Set.of(name)).isEmpty();
        String m = "program " + program + " uses kernel variable '" + name + "' (a typed __ksym extern), which neither "
                + "/sys/kernel/btf/vmlinux nor " + (modules.moduleNames().isEmpty() ? "a loaded module (none with BTF is loaded)"
                : "the BTF of a loaded module") + " describes (no VAR '" + name + "')";
        if (inKallsyms) {
            return m + ", though /proc/kallsyms lists it: this kernel's BTF describes per-cpu variables only. Declare it "
                    + "typeless (extern const void " + name + " __ksym;) to get its address";
        }
        return m + ", and /proc/kallsyms does not list it: if a module defines it, load that module first (modprobe MODULE); "
                + "otherwise check the name and the kernel version, or declare it __weak to load without it (its address is then 0)";
    }
}

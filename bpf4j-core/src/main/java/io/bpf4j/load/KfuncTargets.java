package io.bpf4j.load;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.KernelBtf;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.BtfInfo;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.ObjectKind;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where the kfuncs an object calls live: vmlinux or a loaded module (and, for typed __ksym variables
 * vmlinux lacks, which module defines them). A kfunc call names its target
 * by BTF id plus the instruction's {@code off}: 0 means vmlinux's BTF, N > 0 means the BTF object
 * whose fd is {@code fd_array[N]} of BPF_PROG_LOAD (the kernel reads that slot when it meets the
 * call; Documentation/bpf/kfuncs.rst, kernel/bpf/verifier.c). The id is then one of the module's
 * split BTF, numbered on from vmlinux's last type.
 *
 * <p>Module BTF is looked at only when vmlinux lacks a name: the kernel's BTF objects are walked by
 * id (BPF_BTF_GET_NEXT_ID), and those that are kernel BTF with a module's name are kept open. Their
 * fds stay open until {@link #close()}, which the loader calls once every program of the object is
 * loaded or one failed: the kernel holds its own reference to each BTF a loaded program uses.
 */
final class KfuncTargets implements AutoCloseable {
    /** A resolved kfunc: its BTF id and the fd_array index of its BTF (0: vmlinux), and where that is. */
    record Kfunc(int btfId, int fdIndex, String btfName) {
    }

    /** The kernel reads an s16 offset and allows at most 256 module BTFs per program (MAX_KFUNC_BTFS). */
    private static final int MAX_MODULE_BTFS = 256;

    /** A module's BTF object: its fd, and its types once something had to look inside. */
    private static final class ModuleBtf {
        final String name;
        final Fd fd;
        byte[] raw;
        Btf btf;
        int fdIndex; // 0 until a call uses it

        ModuleBtf(String name, Fd fd) {
            this.name = name;
            this.fd = fd;
        }
    }

    private List<ModuleBtf> modules; // null until vmlinux first lacks a name
    private final List<ModuleBtf> used = new ArrayList<>();

    /**
     * A kernel variable a loaded module defines (a VAR of its BTF: per-cpu ones): its id there, and the
     * fd of that module's BTF, which a typed __ksym load names in its second slot.
     */
    record ModuleVariable(int btfId, Fd moduleBtf) {
    }

    /** Where {@code name} is defined as a FUNC: vmlinux first, then the loaded modules in BTF id order. */
    Optional<Kfunc> find(String name) {
        OptionalInt id = KernelBtf.vmlinux().findId(name, BtfKind.FUNC);
        if (id.isPresent()) {
            return Optional.of(new Kfunc(id.getAsInt(), 0, "vmlinux"));
        }
        return inModules(name, BtfKind.FUNC).map(found -> new Kfunc(found.id(), indexOf(found.module()), found.module().name));
    }

    /** A VAR named {@code name} in the BTF of a loaded module (vmlinux is the caller's to search first). */
    Optional<ModuleVariable> findModuleVariable(String name) {
        return inModules(name, BtfKind.VAR).map(found -> new ModuleVariable(found.id(), found.module().fd));
    }

    private record Found(ModuleBtf module, int id) {
    }

    /** The first loaded module, in BTF id order, whose BTF defines {@code name} as {@code kind}. */
    private Optional<Found> inModules(String name, BtfKind kind) {
        for (ModuleBtf m : modules()) {
            if (!mayDefine(m, name)) {
                continue;
            }
            if (m.btf == null) {
                m.btf = Btf.parseKernel(m.raw, KernelBtf.vmlinux());
            }
            OptionalInt inModule = m.btf.findId(name, kind);
            if (inModule.isPresent()) {
                return Optional.of(new Found(m, inModule.getAsInt()));
            }
        }
        return Optional.empty();
    }

    /** The names of the loaded modules that have BTF (empty when none is loaded, or none was looked for). */
    List<String> moduleNames() {
        return modules == null ? List.of() : modules.stream().map(m -> m.name).toList();
    }

    /**
     * fd_array for BPF_PROG_LOAD, or null when every kfunc so far is in vmlinux. Slot 0 is never read
     * for a kfunc (offset 0 means vmlinux) and bpf4j puts map fds in the instructions, not here: it
     * holds -1, so a kernel that did read it would fail with EBADF instead of using fd 0.
     */
    int[] fdArray() {
        if (used.isEmpty()) {
            return null;
        }
        int[] out = new int[used.size() + 1];
        out[0] = -1;
        for (int i = 0; i < used.size(); i++) {
            out[i + 1] = used.get(i).fd.value();
        }
        return out;
    }

    private int indexOf(ModuleBtf m) {
        if (m.fdIndex == 0) {
            if (used.size() == MAX_MODULE_BTFS) {
                throw new LoadException("the object calls kfuncs of more than " + MAX_MODULE_BTFS
                        + " kernel modules; the kernel allows at most that many per program");
            }
            used.add(m);
            m.fdIndex = used.size();
        }
        return m.fdIndex;
    }

    /** A cheap filter before parsing: the name must be in the blob as a NUL-terminated string. */
    private static boolean mayDefine(ModuleBtf m, String name) {
        byte[] needle = ("\0" + name + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] raw = m.raw;
        outer:
        for (int i = 0; i + needle.length <= raw.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (raw[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private List<ModuleBtf> modules() {
        if (modules == null) {
            modules = openModuleBtfs();
        }
        return modules;
    }

    /** Every module BTF object in the kernel now, with its raw bytes; program BTF and vmlinux are skipped. */
    private static List<ModuleBtf> openModuleBtfs() {
        List<ModuleBtf> out = new ArrayList<>();
        try {
            for (int id = Bpf.nextId(ObjectKind.BTF, 0); id != 0; id = Bpf.nextId(ObjectKind.BTF, id)) {
                Fd fd;
                try {
                    fd = Bpf.fdById(ObjectKind.BTF, id);
                } catch (BpfException.NotFound e) {
                    continue; // freed since it was listed (a program's BTF, or a module unloaded)
                }
                BtfInfo info;
                try {
                    info = Bpf.btfInfo(fd);
                } catch (RuntimeException e) {
                    fd.close();
                    throw e;
                }
                if (!info.kernelBtf() || info.name().isEmpty() || info.name().equals("vmlinux")) {
                    fd.close();
                    continue;
                }
                ModuleBtf m = new ModuleBtf(info.name(), fd);
                out.add(m);
                m.raw = Bpf.btfData(fd);
            }
        } catch (RuntimeException e) {
            out.forEach(m -> m.fd.close());
            throw e;
        }
        return out;
    }

    /** Closes every module BTF fd this opened; the programs loaded with them keep their own references. */
    @Override
    public void close() {
        if (modules != null) {
            modules.forEach(m -> m.fd.close());
        }
    }
}

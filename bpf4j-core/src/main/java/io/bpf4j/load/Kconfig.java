package io.bpf4j.load;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.host.KernelConfig;
import io.bpf4j.host.KernelRelease;
import io.bpf4j.host.SyscallEntry;
import io.bpf4j.spec.MapSpec;
import io.bpf4j.spec.ObjectSpec;
import io.bpf4j.sys.KernelFeatures;
import io.bpf4j.sys.MapType;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code extern ... __kconfig} variables of an object: laid out in one read-only array map whose
 * values come from the running kernel's config (LINUX_KERNEL_VERSION from its release,
 * LINUX_HAS_SYSCALL_WRAPPER from {@link SyscallEntry}), so the program sees the machine it runs on.
 */
final class Kconfig {
    private Kconfig() {
    }

    private static Optional<Btf> btfWithKconfig(ObjectSpec spec) {
        return spec.btf().map(b -> b.btf()).filter(b -> b.findId(".kconfig", BtfKind.DATASEC).isPresent());
    }

    /** Each extern's offset in the .kconfig map, by name. */
    static Map<String, Long> offsets(ObjectSpec spec) {
        return btfWithKconfig(spec).map(btf -> layout(btf, btf.findId(".kconfig", BtfKind.DATASEC).getAsInt()))
                .orElse(Map.of());
    }

    /** Each variable's offset in a DATASEC without an ELF section, by name ({@link ExternLayout}). */
    static Map<String, Long> layout(Btf btf, int datasecId) {
        BtfType.Datasec d = (BtfType.Datasec) btf.type(datasecId);
        ExternLayout layout = ExternLayout.of(btf, d);
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < d.vars().size(); i++) {
            out.put(btf.type(d.vars().get(i).type()).name(), layout.offsets()[i]);
        }
        return out;
    }

    private static List<Btf.SectionVariable> vars(Btf btf) {
        OptionalInt id = btf.findId(".kconfig", BtfKind.DATASEC);
        return btf.sectionVariables(id.getAsInt());
    }

    static Optional<MapSpec> mapSpec(ObjectSpec spec) {
        Optional<Btf> found = btfWithKconfig(spec);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Btf btf = found.get();
        int datasec = btf.findId(".kconfig", BtfKind.DATASEC).getAsInt();
        Map<String, Long> offsets = layout(btf, datasec);
        byte[] data = new byte[(int) ExternLayout.of(btf, (BtfType.Datasec) btf.type(datasec)).size()];
        KernelConfig cfg = KernelConfig.running();
        for (Btf.SectionVariable v : vars(btf)) {
            String name = v.var().name();
            int off = (int) (long) offsets.get(name);
            int typeId = btf.resolve(v.var().type());
            String value = switch (name) {
                case "LINUX_KERNEL_VERSION" -> Integer.toString(KernelRelease.versionCode(KernelRelease.current()));
                // Not a config option but a feature libbpf's headers ask for (usdt.bpf.h picks how it
                // finds its argument specs by it); answered by a real probe, as libbpf does.
                case "LINUX_HAS_BPF_COOKIE" -> KernelFeatures.bpfCookies() ? "y" : "n";
                // Read by libbpf's BPF_KSYSCALL: left 0 on a wrapped kernel, the program would take
                // the wrapper's pt_regs pointer for the syscall's first argument.
                case "LINUX_HAS_SYSCALL_WRAPPER" -> SyscallEntry.wrapped() ? "y" : "n";
                default -> cfg.value(name).orElse(null);
            };
            if (value != null) {
                write(btf, typeId, value, data, off, name);
            }
        }
        return Optional.of(new MapSpec(".kconfig", MapSpec.Kind.KCONFIG, MapType.ARRAY, 4, data.length, 1,
                MapSpec.F_MMAPABLE | MapSpec.F_RDONLY_PROG, -1, MapSpec.Pinning.NONE, Optional.empty(), data,
                List.of(), 0, 0, 0));
    }

    /** y/m/n for bools, tristate enums and chars; numbers; quoted strings for char arrays. */
    private static void write(Btf btf, int typeId, String value, byte[] data, int off, String name) {
        BtfType t = btf.type(typeId);
        long size = btf.sizeOf(typeId);
        switch (t) {
            case BtfType.Int i when (i.encoding() & BtfType.Int.BOOL) != 0 -> data[off] = (byte) (value.equals("y") || value.equals("m") ? 1 : 0);
            case BtfType.Int i when i.size() == 1 && (value.equals("y") || value.equals("m") || value.equals("n")) ->
                    data[off] = (byte) value.charAt(0);
            case BtfType.Enumeration e -> {
                // enum libbpf_tristate: TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2
                long v = switch (value) {
                    case "y" -> 1;
                    case "m" -> 2;
                    default -> 0;
                };
                putLong(data, off, (int) size, v);
            }
            case BtfType.Int i -> {
                try {
                    String s = value.startsWith("0x") ? value.substring(2) : value;
                    putLong(data, off, (int) size, Long.parseLong(s, value.startsWith("0x") ? 16 : 10));
                } catch (NumberFormatException e) {
                    throw new LoadException("extern " + name + ": the kernel config value '" + value + "' is not a number");
                }
            }
            case BtfType.Array a -> {
                String s = value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2 ? value.substring(1, value.length() - 1) : value;
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                System.arraycopy(b, 0, data, off, (int) Math.min(b.length, size - 1));
            }
            default -> throw new LoadException("extern " + name + " has a type (" + t.kind() + ") a kernel config value cannot fill");
        }
    }

    private static void putLong(byte[] data, int off, int size, long v) {
        for (int i = 0; i < size; i++) {
            data[off + i] = (byte) (v >>> (8 * i));
        }
    }
}

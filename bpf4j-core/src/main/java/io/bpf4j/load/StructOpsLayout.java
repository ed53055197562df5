package io.bpf4j.load;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.spec.StructOpsSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A struct_ops map laid out for the running kernel. The kernel takes the map's value as its wrapper
 * {@code struct bpf_struct_ops_NAME} (a refcount and a state the kernel owns, then {@code data}, the
 * struct itself), so the value size and {@code btf_vmlinux_value_type_id} are the wrapper's. The
 * object's members are matched to the kernel's struct by name, as CO-RE matches fields: an object
 * built against another kernel's vmlinux.h still registers, as long as every member it sets exists.
 */
final class StructOpsLayout {
    /** Where the kernel keeps struct_ops types; each has a wrapper named so (kernel/bpf/bpf_struct_ops.c). */
    static final String WRAPPER_PREFIX = "bpf_struct_ops_";

    /** One member the object sets, where the kernel has it. */
    record Placed(StructOpsSpec.Member member, int kernelIndex, int kernelOffset) {
    }

    private final StructOpsSpec spec;
    private final int structId;
    private final int wrapperId;
    private final int wrapperSize;
    private final int dataOffset;
    private final List<Placed> placed;

    private StructOpsLayout(StructOpsSpec spec, int structId, int wrapperId, int wrapperSize, int dataOffset, List<Placed> placed) {
        this.spec = spec;
        this.structId = structId;
        this.wrapperId = wrapperId;
        this.wrapperSize = wrapperSize;
        this.dataOffset = dataOffset;
        this.placed = List.copyOf(placed);
    }

    static StructOpsLayout of(StructOpsSpec spec, Btf kernel) {
        String who = "struct_ops map " + spec.mapName() + " (struct " + spec.structName() + ")";
        OptionalInt wrapper = kernel.findId(WRAPPER_PREFIX + spec.structName(), BtfKind.STRUCT);
        OptionalInt struct = kernel.findId(spec.structName(), BtfKind.STRUCT);
        if (struct.isEmpty() || wrapper.isEmpty()) {
            throw new LoadException(who + ": the running kernel " + (struct.isEmpty() ? "has no struct " + spec.structName()
                    : "has struct " + spec.structName() + " but cannot register it from BPF (no " + WRAPPER_PREFIX
                    + spec.structName() + " in its BTF)") + "; its struct_ops types are: " + String.join(", ", kernelTypes(kernel))
                    + ". Use one of them, or a kernel that has " + spec.structName());
        }
        BtfType.Struct w = (BtfType.Struct) kernel.type(wrapper.getAsInt());
        BtfType.Member data = w.members().stream().filter(m -> m.name().equals("data")).findFirst()
                .orElseThrow(() -> new LoadException(who + ": the kernel's " + w.name() + " has no member 'data'"));
        BtfType.Struct k = (BtfType.Struct) kernel.type(struct.getAsInt());
        List<Placed> placed = new ArrayList<>();
        for (StructOpsSpec.Member m : spec.members()) {
            if (!m.isSet()) {
                continue; // Unset members may be missing from the kernel: the object's vmlinux.h can be newer.
            }
            int index = indexOf(k, m.name());
            if (index < 0) {
                throw new LoadException(who + " sets member '" + m.name() + "', which the running kernel's struct "
                        + spec.structName() + " lacks; leave it unset for this kernel (its members: "
                        + String.join(", ", k.members().stream().map(BtfType.Member::name).toList()) + ")");
            }
            BtfType.Member km = k.members().get(index);
            long kernelSize = kernel.sizeOf(km.type());
            boolean kernelFunction = kernel.type(kernel.resolve(km.type())) instanceof BtfType.Ptr p
                    && kernel.type(kernel.resolve(p.type())) instanceof BtfType.FuncProto;
            if (m.functionPointer() != kernelFunction) {
                throw new LoadException(who + ": member '" + m.name() + "' is " + (m.functionPointer() ? "a function pointer" : "data")
                        + " here but " + (kernelFunction ? "a function pointer" : "data") + " in the running kernel; "
                        + "regenerate vmlinux.h for it");
            }
            if (!m.functionPointer() && (kernelSize != m.size() || km.bitfieldSize() != 0)) {
                throw new LoadException(who + ": member '" + m.name() + "' is " + m.size() + " bytes here and "
                        + (km.bitfieldSize() != 0 ? "a bitfield" : kernelSize + " bytes") + " in the running kernel; "
                        + "bpf4j copies data members only when the sizes agree");
            }
            placed.add(new Placed(m, index, km.bitOffset() / 8));
        }
        // The kernel loads a struct_ops program for one member (its expected_attach_type): one program
        // set as two members would load for the first and be refused, without a word why, for the second.
        Map<String, String> memberOf = new java.util.HashMap<>();
        for (Placed p : placed) {
            if (p.member().program().isPresent()) {
                String program = p.member().program().get();
                String first = memberOf.putIfAbsent(program, p.member().name());
                if (first != null) {
                    throw new LoadException(who + " sets program " + program + " as both member '" + first + "' and member '"
                            + p.member().name() + "'; the kernel loads a struct_ops program for one member: write one "
                            + "program per member (they may call one shared function)");
                }
            }
        }
        return new StructOpsLayout(spec, struct.getAsInt(), wrapper.getAsInt(), w.size(), data.bitOffset() / 8, placed);
    }

    private static int indexOf(BtfType.Struct s, String name) {
        for (int i = 0; i < s.members().size(); i++) {
            if (s.members().get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The struct names of the kernel's bpf_struct_ops_* wrappers. */
    static List<String> kernelTypes(Btf kernel) {
        List<String> out = new ArrayList<>();
        for (BtfType t : kernel.types()) {
            if (t instanceof BtfType.Struct s && s.name().startsWith(WRAPPER_PREFIX)) {
                out.add(s.name().substring(WRAPPER_PREFIX.length()));
            }
        }
        return out;
    }

    StructOpsSpec spec() {
        return spec;
    }

    /** attach_btf_id of the programs: the kernel struct. */
    int structId() {
        return structId;
    }

    /** btf_vmlinux_value_type_id of the map: the wrapper. */
    int wrapperId() {
        return wrapperId;
    }

    int valueSize() {
        return wrapperSize;
    }

    /** expected_attach_type of a program: the kernel's index of the member that points at it, or -1. */
    int memberIndexOf(String program) {
        return placed.stream().filter(p -> p.member().program().filter(program::equals).isPresent())
                .mapToInt(Placed::kernelIndex).findFirst().orElse(-1);
    }

    /**
     * The map value: the wrapper with zeros where the kernel keeps its own state, and {@code data} laid
     * out as the kernel's struct: data members copied by name, function pointers set to program fds
     * (the kernel reads a program fd there and swaps in its trampoline).
     */
    byte[] value(Map<String, Integer> programFds) {
        ByteBuffer v = ByteBuffer.allocate(wrapperSize).order(ByteOrder.nativeOrder());
        for (Placed p : placed) {
            int at = dataOffset + p.kernelOffset();
            if (p.member().functionPointer()) {
                String program = p.member().program().orElseThrow();
                Integer fd = programFds.get(program);
                if (fd == null) {
                    throw new LoadException("struct_ops map " + spec.mapName() + ": member '" + p.member().name() + "' points at "
                            + program + ", which was not loaded (autoload is off); turn it on");
                }
                v.putLong(at, fd);
            } else {
                v.put(at, p.member().initial());
            }
        }
        return v.array();
    }
}

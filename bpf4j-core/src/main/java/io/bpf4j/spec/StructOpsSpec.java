package io.bpf4j.spec;

import java.util.List;
import java.util.Optional;

/**
 * A struct_ops map as the object declares it: a variable of a kernel struct type (e.g.
 * {@code struct tcp_congestion_ops}) in {@code SEC(".struct_ops")} or {@code SEC(".struct_ops.link")},
 * whose function-pointer members point at {@code struct_ops/...} programs and whose other members hold
 * data (a name, flags). The layout here is the object's own (its vmlinux.h); the loader matches the
 * members to the running kernel's struct by name.
 *
 * @param mapName    the variable's name, also the map's name
 * @param section    {@code .struct_ops} or {@code .struct_ops.link}
 * @param structName the struct's name, which must be a struct_ops type of the kernel
 * @param size       the struct's size in the object's BTF
 * @param members    every member of the object's struct, in order
 */
public record StructOpsSpec(String mapName, String section, String structName, int size, List<Member> members) {
    /** Sections of struct_ops maps registered through a BPF link (Linux 6.4+) rather than by a map update. */
    public static final String LINK_SECTION = ".struct_ops.link";
    public static final String SECTION = ".struct_ops";

    public StructOpsSpec {
        members = List.copyOf(members);
    }

    /**
     * One member of the struct.
     *
     * @param name    the member's name
     * @param offset  its byte offset in the object's struct
     * @param size    its size in bytes
     * @param program for a function pointer: the program it points at, if the object sets it
     * @param initial for data: the bytes the object initialises it with (all zero when it does not);
     *                empty for function pointers
     */
    public record Member(String name, int offset, int size, boolean functionPointer, Optional<String> program, byte[] initial) {
        public Member {
            initial = initial.clone();
        }

        @Override
        public byte[] initial() {
            return initial.clone();
        }

        /** True when the object gives this member a value: a program, or data that is not all zero. */
        public boolean isSet() {
            if (program.isPresent()) {
                return true;
            }
            for (byte b : initial) {
                if (b != 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** True for maps registered with BPF_LINK_CREATE (section {@code .struct_ops.link}). */
    public boolean usesLink() {
        return section.equals(LINK_SECTION);
    }

    /** The member that points at {@code program}, if any. */
    public Optional<Member> memberFor(String program) {
        return members.stream().filter(m -> m.program().filter(program::equals).isPresent()).findFirst();
    }
}

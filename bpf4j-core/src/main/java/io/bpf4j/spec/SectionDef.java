package io.bpf4j.spec;

import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.ProgType;

/**
 * One row of the section-name table: which program type and expected attach type a {@code SEC()}
 * name gives, and how the program attaches.
 *
 * @param prefix          the section name, or its part before '/' for {@code type+} rows
 * @param allowsExtras    true for {@code type+} rows: the name may be exactly {@code prefix} or
 *                        {@code prefix/extras} (the extras say where to attach)
 * @param programType     the program type to load as
 * @param attachType      the expected attach type, or null
 * @param attachTypeAtLoad true when the kernel must be told the attach type at load time
 *                        (expected_attach_type); false where it is only used when attaching
 * @param needsBtfTarget  true when the load needs attach_btf_id: the extras name a kernel function,
 *                        tracepoint or struct resolved through BTF
 * @param sleepable       loads with BPF_F_SLEEPABLE
 * @param xdpFrags        loads with BPF_F_XDP_HAS_FRAGS
 * @param attachKind      how the program attaches
 */
public record SectionDef(String prefix, boolean allowsExtras, ProgType programType, AttachType attachType,
                         boolean attachTypeAtLoad, boolean needsBtfTarget, boolean sleepable, boolean xdpFrags,
                         AttachKind attachKind) {

    /**
     * True for programs that can attach to a function of a loaded BPF program instead of the kernel's:
     * freplace (which must), fentry and fexit (which may).
     */
    public boolean targetsAProgram() {
        return programType == ProgType.EXT || attachType == AttachType.TRACE_FENTRY || attachType == AttachType.TRACE_FEXIT;
    }

    /** True when the section name matches this row. */
    boolean matches(String section) {
        if (section.equals(prefix)) {
            return true;
        }
        return allowsExtras && section.length() > prefix.length() && section.startsWith(prefix)
                && section.charAt(prefix.length()) == '/';
    }
}

package io.bpf4j.spec;

import java.util.Optional;

/**
 * An entry-point program: a function in a {@code SEC("...")} section.
 *
 * @param name     the function name (what the kernel shows, cut to 15 characters)
 * @param section  the section name as written, including a leading '?' for no-autoload programs
 * @param def      the section-table row, empty when the name is unknown (an error at load time, so
 *                 that {@code object info} can still show the object)
 * @param autoload false for '?' sections: loaded only when the user asks for it
 * @param code     the function itself
 */
public record ProgramSpec(String name, String section, Optional<SectionDef> def, boolean autoload, FunctionSpec code) {
    /** What comes after the first '/' in the section name: where to attach (e.g. "sched/sched_process_exit"). */
    public String attachTarget() {
        return SectionTable.extras(section);
    }

    /** The section name without the no-autoload '?'. */
    public String sectionName() {
        return SectionTable.stripNoAutoload(section);
    }
}

package io.bpf4j.reloc;

import io.bpf4j.btf.BtfExt.CoreRelocationKind;

/**
 * A CO-RE relocation that found nothing to relocate against in the kernel. Its instruction was
 * replaced by a call to the non-existent helper {@link CoreRelocator#POISON_HELPER_ID}: harmless when
 * the program guards it (dead code is dropped by the verifier), rejected when it is reachable. The
 * loader turns such a rejection at {@link #insnIndex()} into an error carrying {@link #description()}:
 * the kernel's verifier log then shows the instruction as {@code N: (85) call unknown#195896080} and
 * rejects it with {@code invalid func unknown#195896080}.
 *
 * @param program     the program (or subprogram) name given to {@link CoreRelocator#relocate}
 * @param insnIndex   the poisoned instruction, from the start of the relocated instructions
 * @param kind        the relocation kind
 * @param access      what the program accessed, as C would write it ("struct task_struct.pid")
 * @param description one sentence for the user: what failed, why, and what to do
 */
public record CoreFailure(String program, int insnIndex, CoreRelocationKind kind, String access, String description) {
}

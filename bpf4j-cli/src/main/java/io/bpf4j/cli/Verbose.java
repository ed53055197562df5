package io.bpf4j.cli;

import io.bpf4j.load.VerifierRejection;

import java.util.function.Supplier;

/** --verbose: a verifier rejection prints the whole log before its message. */
final class Verbose {
    private Verbose() {
    }

    static <T> T load(Supplier<T> action, boolean verbose) {
        try {
            return action.get();
        } catch (VerifierRejection e) {
            if (verbose) {
                System.err.println(e.log());
            }
            throw e;
        }
    }
}

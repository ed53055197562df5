package io.bpf4j.cli;

import java.util.concurrent.Callable;

/**
 * One verb of the command line ({@code run}, {@code prog list}, ...): it declares its options and
 * parameters on {@link Args}, which fills the verb's fields while parsing, then it runs and returns
 * the exit code. A verb with sub-verbs ({@code prog}) declares them and is never called.
 */
interface Verb extends Callable<Integer> {
    void declare(Args args);

    @Override
    default Integer call() throws Exception {
        throw new IllegalStateException("a group of verbs is not run itself");
    }
}

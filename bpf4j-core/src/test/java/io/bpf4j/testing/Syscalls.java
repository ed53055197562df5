package io.bpf4j.testing;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Triggers for probe tests: getppid(2) straight from libc. Nothing else in the JVM calls it, so a
 * program on its tracepoint or function counts exactly the calls a test makes.
 */
public final class Syscalls {
    private static final MethodHandle GETPPID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));

    private Syscalls() {
    }

    /** Calls getppid(2) {@code times} times and returns what the last call returned. */
    public static int getppid(int times) {
        int r = -1;
        try {
            for (int i = 0; i < times; i++) {
                r = (int) GETPPID.invokeExact();
            }
        } catch (Throwable t) {
            throw new AssertionError("getppid failed", t);
        }
        return r;
    }
}

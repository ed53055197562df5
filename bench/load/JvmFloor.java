import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The floor under bpf4j's whole-process time in bench/load/load-vs-libbpf.sh: what a JVM started
 * with the same flags costs before it does any BPF work. {@code hello} prints a line and exits;
 * {@code syscall} makes one system call (getpid) through an FFM downcall shaped as bpf4j's
 * (libc syscall(2), six longs, errno captured) and exits: the least any pure-Java loader does.
 */
public class JvmFloor {
    public static void main(String[] args) throws Throwable {
        if (args.length > 0 && args[0].equals("syscall")) {
            Linker linker = Linker.nativeLinker();
            MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG),
                    Linker.Option.captureCallState("errno"));
            MemorySegment errno = java.lang.foreign.Arena.global().allocate(Linker.Option.captureStateLayout());
            long getpid = 39; // x86-64; the benchmark compares on this machine only
            System.out.println((long) syscall.invokeExact(errno, getpid, 0L, 0L, 0L, 0L, 0L, 0L));
        } else {
            System.out.println("hello");
        }
    }
}

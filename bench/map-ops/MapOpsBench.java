import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.MapCreateAttr;
import io.bpf4j.sys.MapType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * bench/map-ops: map lookups (array) and updates (hash) per second through io.bpf4j.sys.Bpf,
 * the same loops as map_ops.c. The first rounds warm the JIT up; the best round is reported, as in C.
 * Time is this thread's CPU time (user + system), as in C, so other load on the machine does not count.
 */
public class MapOpsBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (Fd array = Bpf.mapCreate(MapCreateAttr.of(MapType.ARRAY, 4, 8, 1024));
             Fd hash = Bpf.mapCreate(MapCreateAttr.of(MapType.HASH, 4, 8, 1024));
             Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(JAVA_INT);
            MemorySegment value = arena.allocate(JAVA_LONG);
            // Warm-up: let C2 compile both loops before anything is measured.
            run(array, hash, key, value, 200_000);
            run(array, hash, key, value, 200_000);
            double bestLookup = 0;
            double bestUpdate = 0;
            for (int r = 0; r < rounds; r++) {
                double[] rates = run(array, hash, key, value, n);
                bestLookup = Math.max(bestLookup, rates[0]);
                bestUpdate = Math.max(bestUpdate, rates[1]);
            }
            System.out.printf("lookup_ops_per_s %.0f%nupdate_ops_per_s %.0f%n", bestLookup, bestUpdate);
        }
    }

    private static double[] run(Fd array, Fd hash, MemorySegment key, MemorySegment value, long n) {
        long t0 = THREADS.getCurrentThreadCpuTime();
        for (long i = 0; i < n; i++) {
            key.set(JAVA_INT, 0, (int) (i & 1023));
            if (!Bpf.mapLookup(array, key, value, 0)) {
                throw new IllegalStateException("lookup missed");
            }
        }
        long t1 = THREADS.getCurrentThreadCpuTime();
        for (long i = 0; i < n; i++) {
            key.set(JAVA_INT, 0, (int) (i & 1023));
            value.set(JAVA_LONG, 0, i);
            Bpf.mapUpdate(hash, key, value, Bpf.ANY);
        }
        long t2 = THREADS.getCurrentThreadCpuTime();
        return new double[] {n * 1e9 / (t1 - t0), n * 1e9 / (t2 - t1)};
    }
}

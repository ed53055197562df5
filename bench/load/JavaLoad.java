import io.bpf4j.load.BpfObject;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * bpf4j's side of bench/load/load-vs-libbpf.sh: open + load + close of an object N times in one JVM
 * after a warm-up of W rounds, printing microseconds per round.
 */
public class JavaLoad {
    public static void main(String[] args) throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of(args[0]));
        int n = Integer.parseInt(args[1]);
        int warm = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        for (int i = 0; i < warm; i++) {
            once(bytes);
        }
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            once(bytes);
        }
        System.out.printf("%.1f%n", (System.nanoTime() - start) / 1e3 / n);
    }

    private static void once(byte[] bytes) {
        try (BpfObject o = BpfObject.open(bytes, "bench")) {
            o.load();
        }
    }
}

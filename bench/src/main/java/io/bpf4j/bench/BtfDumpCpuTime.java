package io.bpf4j.bench;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.CHeaderWriter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Parse + write C of the kernel's BTF in-process, measured as the main thread's CPU time (not wall
 * time), so the figure holds on a shared, loaded machine where JMH's wall-clock averages do not.
 * Prints the first (cold) run, then the mean and minimum of the runs after a warm-up.
 * Run: java -cp bench/target/benchmarks.jar io.bpf4j.bench.BtfDumpCpuTime [runs] [btf-file]
 */
public final class BtfDumpCpuTime {
    private BtfDumpCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        byte[] raw = Files.readAllBytes(Path.of(args.length > 1 ? args[1] : "/sys/kernel/btf/vmlinux"));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] parse = new long[runs];
        long[] write = new long[runs];
        long size = 0;
        for (int i = 0; i < runs; i++) {
            long t0 = mx.getCurrentThreadCpuTime();
            Btf btf = Btf.parse(raw);
            long t1 = mx.getCurrentThreadCpuTime();
            BtfDumpBenchmark.CountingWriter out = new BtfDumpBenchmark.CountingWriter();
            CHeaderWriter.write(btf, out);
            long t2 = mx.getCurrentThreadCpuTime();
            parse[i] = t1 - t0;
            write[i] = t2 - t1;
            size = out.count;
        }
        int warm = runs / 3;
        System.out.printf("vmlinux.h: %d chars; main-thread CPU time in ms%n", size);
        System.out.printf("cold (1st run): parse %.1f  write C %.1f  total %.1f%n", ms(parse[0]), ms(write[0]), ms(parse[0] + write[0]));
        System.out.printf("warm (runs %d..%d): parse mean %.1f min %.1f | write C mean %.1f min %.1f | total mean %.1f min %.1f%n",
                warm + 1, runs, mean(parse, warm), min(parse, warm), mean(write, warm), min(write, warm),
                mean(parse, warm) + mean(write, warm), minTotal(parse, write, warm));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double mean(long[] v, int from) {
        long sum = 0;
        for (int i = from; i < v.length; i++) {
            sum += v[i];
        }
        return ms(sum) / (v.length - from);
    }

    private static double min(long[] v, int from) {
        long m = Long.MAX_VALUE;
        for (int i = from; i < v.length; i++) {
            m = Math.min(m, v[i]);
        }
        return ms(m);
    }

    private static double minTotal(long[] a, long[] b, int from) {
        long m = Long.MAX_VALUE;
        for (int i = from; i < a.length; i++) {
            m = Math.min(m, a[i] + b[i]);
        }
        return ms(m);
    }
}

package io.bpf4j.bench;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.CHeaderWriter;
import io.bpf4j.btf.RawDumpWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * In-process cost of turning the kernel's BTF into vmlinux.h: parse the raw bytes (already in
 * memory) and write the C header into a writer that discards it, so only bpf4j's work is timed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BtfDumpBenchmark {
    private byte[] kernelBtf;
    private Btf parsed;

    @Setup
    public void read() throws IOException {
        kernelBtf = Files.readAllBytes(Path.of(System.getProperty("btf", "/sys/kernel/btf/vmlinux")));
        parsed = Btf.parse(kernelBtf);
    }

    @Benchmark
    public Btf parse() {
        return Btf.parse(kernelBtf);
    }

    @Benchmark
    public long parseAndWriteC() throws IOException {
        CountingWriter out = new CountingWriter();
        CHeaderWriter.write(Btf.parse(kernelBtf), out);
        return out.count;
    }

    @Benchmark
    public long writeC() throws IOException {
        CountingWriter out = new CountingWriter();
        CHeaderWriter.write(parsed, out);
        return out.count;
    }

    @Benchmark
    public long parseAndWriteRaw() throws IOException {
        CountingWriter out = new CountingWriter();
        RawDumpWriter.write(Btf.parse(kernelBtf), out);
        return out.count;
    }

    /** Discards what it is given but counts it, so the JIT cannot drop the writing. */
    public static final class CountingWriter extends Writer {
        public long count;

        @Override
        public void write(char[] cbuf, int off, int len) {
            count += len;
        }

        @Override
        public Writer append(CharSequence csq) {
            count += csq.length();
            return this;
        }

        @Override
        public void write(String str, int off, int len) {
            count += len;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}

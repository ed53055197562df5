package io.bpf4j.btf;

import io.bpf4j.elf.ElfFile;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutates real BTF and ELF bytes (bit flips, truncations, huge counts and ids, header fields) with
 * a fixed seed and checks that parsing, writing C and raw, re-encoding and reading .BTF.ext end
 * either in a result or in BtfFormatException: never another exception, a crash or a hang.
 */
class BtfFuzzTest {
    private static final long SEED = 0xB7F4_2026L;

    /** The case being run, so that a hang can be reported by name. */
    private static volatile String current = "";

    /** Runs the cases on another thread so a hang fails the test (naming the case) instead of blocking it. */
    private static void withinSeconds(int seconds, Runnable cases) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "btf-fuzz");
            t.setDaemon(true);
            return t;
        });
        try {
            pool.submit(cases).get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            fail("no result within " + seconds + " s; stuck in " + current + " (seed " + SEED + ")");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Error err ? err : new AssertionError(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Requires(Requirement.CLANG)
    void mutatedObjectsEndInBtfFormatExceptionOrAResult() throws Exception {
        withinSeconds(60, () -> {
            try {
                mutateObjects();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static void mutateObjects() throws IOException {
        Random random = new Random(SEED);
        for (String program : new String[] {"minimal.bpf.c", "btf_kinds.bpf.c"}) {
            byte[] elf = Files.readAllBytes(TestPrograms.compile(program));
            ElfFile parsed = ElfFile.parse(elf);
            byte[] btf = parsed.contents(parsed.section(".BTF").orElseThrow());
            for (int i = 0; i < 1500; i++) {
                exercise(program + " .BTF case " + i, mutate(btf, random, 24), false);
            }
            for (int i = 0; i < 1500; i++) {
                exercise(program + " ELF case " + i, mutate(elf, random, 64), true);
            }
        }
    }

    @Test
    @Requires(Requirement.KERNEL_BTF)
    void mutatedKernelBtfEndsInBtfFormatExceptionOrAResult() throws Exception {
        byte[] vmlinux = Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux"));
        withinSeconds(60, () -> {
            Random random = new Random(SEED + 1);
            for (int i = 0; i < 12; i++) {
                exercise("vmlinux case " + i, mutate(vmlinux, random, 24), false);
            }
        });
    }

    private static void exercise(String name, byte[] bytes, boolean elf) {
        current = name;
        try {
            Btf btf = Btf.fromFileBytes(bytes, null);
            CHeaderWriter.toString(btf);
            RawDumpWriter.write(btf, new StringBuilder());
            Btf.parse(btf.encode());
            for (int id = 0; id < btf.typeCount(); id++) {
                btf.sizeOf(id);
                btf.alignOf(id);
                btf.resolve(id);
            }
            if (elf) {
                BtfExt.fromElf(ElfFile.parse(bytes), btf);
            }
        } catch (BtfFormatException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                fail(name + ": BtfFormatException without a message");
            }
        } catch (Throwable t) {
            throw new AssertionError(name + " (seed " + SEED + "): " + t, t);
        }
    }

    /** One to four mutations, each of a kind picked at random; {@code header} bytes get extra attention. */
    private static byte[] mutate(byte[] original, Random r, int header) {
        byte[] b = original.clone();
        int n = 1 + r.nextInt(4);
        for (int k = 0; k < n; k++) {
            switch (r.nextInt(6)) {
                case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
                case 2 -> putWord(b, r, r.nextInt(Math.max(1, b.length / 4)) * 4);
                case 3 -> putWord(b, r, r.nextInt(Math.max(1, Math.min(header, b.length) / 4)) * 4);
                case 4 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                default -> {
                    int at = r.nextInt(b.length);
                    int len = Math.min(b.length - at, 1 + r.nextInt(16));
                    for (int i = 0; i < len; i++) {
                        b[at + i] = (byte) 0xff;
                    }
                }
            }
            if (b.length == 0) {
                return b;
            }
        }
        return b;
    }

    private static final int[] INTERESTING = {0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x01000000, 0x04000000 | 0xffff};

    private static void putWord(byte[] b, Random r, int at) {
        if (at + 4 > b.length) {
            return;
        }
        int v = r.nextBoolean() ? INTERESTING[r.nextInt(INTERESTING.length)] : r.nextInt();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
    }
}

package io.bpf4j.testing.qemu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Our newc writer and reader against GNU cpio, the reference. */
class CpioTest {
    private static final Path CPIO = Path.of("/usr/bin/cpio");

    @Test
    void gnuCpioExtractsWhatWeWrite(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(CPIO), "needs GNU cpio as the reference: apt-get install cpio");
        byte[] odd = {1, 2, 3, 0, 5}; // 5 bytes: the data is padded to 4
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Cpio.Writer w = new Cpio.Writer(bytes)) {
            w.file("/a/b/data.bin", odd, false);
            w.file("/a/run.sh", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8), true);
            w.symlink("/a/link", "b/data.bin");
            w.directory("/empty");
        }
        Path archive = tmp.resolve("x.cpio");
        Files.write(archive, bytes.toByteArray());
        Path out = Files.createDirectory(tmp.resolve("out"));
        Commands.Result r = Commands.run(out, List.of("sh", "-c", "cpio -idm --quiet < " + archive));
        assertEquals(0, r.exitCode(), r.output());
        assertArrayEquals(odd, Files.readAllBytes(out.resolve("a/b/data.bin")));
        assertTrue(Files.isExecutable(out.resolve("a/run.sh")));
        assertEquals("b/data.bin", Files.readSymbolicLink(out.resolve("a/link")).toString());
        assertTrue(Files.isDirectory(out.resolve("empty")));
    }

    @Test
    void readsWhatGnuCpioWrites(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(CPIO), "needs GNU cpio as the reference: apt-get install cpio");
        Path in = Files.createDirectories(tmp.resolve("in/sys/kernel/btf"));
        Files.write(in.resolve("vmlinux"), new byte[]{(byte) 0x9f, (byte) 0xeb, 1, 0, 7});
        Files.writeString(tmp.resolve("in/top"), "x");
        Commands.Result r = Commands.run(tmp.resolve("in"),
                List.of("sh", "-c", "find . | cpio -o -H newc --quiet > ../x.cpio"));
        assertEquals(0, r.exitCode(), r.output());
        Map<String, byte[]> files = Cpio.readFiles(Files.readAllBytes(tmp.resolve("x.cpio")));
        assertEquals(2, files.size(), files.keySet().toString());
        assertArrayEquals(new byte[]{(byte) 0x9f, (byte) 0xeb, 1, 0, 7}, files.get("/sys/kernel/btf/vmlinux"));
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), files.get("/top"));
    }

    @Test
    void aTruncatedArchiveIsOneClearError() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Cpio.Writer w = new Cpio.Writer(bytes)) {
            w.file("/f", new byte[100], false);
        }
        byte[] cut = java.util.Arrays.copyOf(bytes.toByteArray(), 150);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Cpio.readFiles(cut));
        assertTrue(e.getMessage().contains("out of bounds") || e.getMessage().contains("truncated"), e.getMessage());
    }
}

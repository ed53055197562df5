package io.bpf4j.testing.qemu;

import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The QEMU harness against a real Debian kernel: each test boots the guest once (about 5 s under
 * TCG), so the class stays well under a minute once the kernel and the runtime are cached.
 */
@Requires(Requirement.QEMU)
class QemuGuestTest {
    private static final int BTF_MAGIC = 0xeB9F;

    @Test
    void bootsTheDebianKernelAndSeesKprobeSupport() {
        QemuGuest guest = QemuGuest.defaultGuest();
        GuestResult r = guest.run(GuestJob.of("""
                uname -r
                cd /sys/kernel/tracing || exit 10
                [ -f kprobe_events ] || exit 11
                echo 'p:bpf4j_probe do_exit' > kprobe_events || exit 12
                [ -d events/kprobes/bpf4j_probe ] || exit 13
                grep bpf4j_probe kprobe_events
                echo '-:bpf4j_probe' >> kprobe_events || exit 14
                [ ! -d events/kprobes/bpf4j_probe ] || exit 15
                exit 3
                """));
        assertEquals(3, r.exitCode(), "the job's own exit code comes back; output:\n" + r.jobOutput());
        List<String> lines = r.jobOutput().lines().toList();
        assertEquals(guest.kernel().release(), lines.getFirst(), r.jobOutput());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("p:kprobes/bpf4j_probe do_exit")), r.jobOutput());
    }

    @Test
    void runsAJavaFfmProgramInTheGuest(@TempDir Path tmp) throws IOException {
        Path src = tmp.resolve("src/GetPid.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                import java.lang.foreign.*;
                import java.lang.invoke.MethodHandle;

                public class GetPid {
                    public static void main(String[] args) throws Throwable {
                        Linker linker = Linker.nativeLinker();
                        MethodHandle getpid = linker.downcallHandle(linker.defaultLookup().find("getpid").orElseThrow(),
                                FunctionDescriptor.of(ValueLayout.JAVA_INT));
                        int pid = (int) getpid.invokeExact();
                        System.out.println("ffm-pid=" + pid + " jvm-pid=" + ProcessHandle.current().pid());
                    }
                }
                """);
        Path classes = tmp.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(), src.toString());
        assertEquals(0, rc, diagnostics.toString());

        GuestResult r = QemuGuest.defaultGuest().run(GuestJob.of(
                "java --enable-native-access=ALL-UNNAMED -cp /job/getpid.jar GetPid")
                .withFiles(GuestFile.jar("/job/getpid.jar", classes)));
        assertEquals(0, r.exitCode(), r.jobOutput());
        Matcher m = Pattern.compile("ffm-pid=(\\d+) jvm-pid=(\\d+)").matcher(r.jobOutput());
        assertTrue(m.find(), r.jobOutput());
        assertEquals(m.group(2), m.group(1), "getpid through FFM is the JVM's own pid");
        System.err.println("QEMU guest: Java FFM job booted and ran in " + r.elapsed().toMillis() + " ms");
    }

    @Test
    void fetchesModuleSplitBtf() throws IOException {
        QemuGuest guest = QemuGuest.defaultGuest();
        KernelModule crc7 = guest.kernel().module("crc7");
        assertTrue(crc7.depends().isEmpty(), "crc7 is a leaf module: " + crc7.depends());

        ModuleBtf btf = ModuleBtf.fetch(guest, List.of("crc7"));
        byte[] base = Files.readAllBytes(btf.vmlinux());
        byte[] split = Files.readAllBytes(btf.module("crc7"));
        assertEquals(BTF_MAGIC, magic(base), "vmlinux BTF magic");
        assertEquals(BTF_MAGIC, magic(split), "crc7 BTF magic");
        assertTrue(split.length < base.length / 100, "split BTF " + split.length + " B vs base " + base.length + " B");
        if (Requirement.BPFTOOL.missing().isEmpty()) {
            // The reference reader resolves the split file's ids against the base: both must be whole.
            String dump = Bpftool.run("-B", btf.vmlinux().toString(), "btf", "dump", "file", btf.module("crc7").toString());
            assertTrue(dump.contains("FUNC 'crc7_be'"), dump);
        }
    }

    @Test
    void collectsFilesAndReportsMissingOnes() {
        GuestResult r = QemuGuest.defaultGuest().run(GuestJob.of("""
                mkdir -p /job/out && printf 'hello\\000world' > /job/out/a.bin
                """).withCollected("/job/out/a.bin", "/job/out/none", "/proc/version"));
        assertEquals(0, r.exitCode(), r.jobOutput());
        assertEquals("hello\0world", new String(r.requireFile("/job/out/a.bin")));
        assertTrue(r.file("/job/out/none").isEmpty());
        assertTrue(new String(r.requireFile("/proc/version")).startsWith("Linux version "));
    }

    private static int magic(byte[] btf) {
        return Short.toUnsignedInt(ByteBuffer.wrap(btf).order(ByteOrder.LITTLE_ENDIAN).getShort(0));
    }
}

package io.bpf4j.testing.qemu;

import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The QEMU harness against a real Debian kernel. A boot costs ~4-5 s of emulation (more on a busy
 * host), so the checks that need no modules share one boot ({@link #sharedBoot()}); module BTF
 * has its own, and only the first time for a kernel (the BTF files are cached on the host).
 */
@Requires(Requirement.QEMU)
class QemuGuestTest {
    private static final int BTF_MAGIC = 0xeB9F;
    private static GuestResult sharedBoot;

    /**
     * One boot: uname, a kprobe created through tracefs, a Java FFM program, a main of the test
     * sources calling bpf4j's own classes, files written back.
     */
    private static synchronized GuestResult sharedBoot() throws IOException {
        if (sharedBoot == null) {
            sharedBoot = QemuGuest.defaultGuest().run(GuestJob.of("""
                    mkdir -p /job/out
                    uname -r > /job/out/uname
                    (
                      cd /sys/kernel/tracing || exit 10
                      [ -f kprobe_events ] || exit 11
                      echo 'p:bpf4j_probe do_exit' > kprobe_events || exit 12
                      [ -d events/kprobes/bpf4j_probe ] || exit 13
                      cat kprobe_events
                      echo '-:bpf4j_probe' >> kprobe_events || exit 14
                      [ ! -d events/kprobes/bpf4j_probe ] || exit 15
                    ) > /job/out/kprobe 2>&1
                    echo "rc=$?" >> /job/out/kprobe
                    taskset 2 java --enable-native-access=ALL-UNNAMED -cp /job/getpid.jar GetPid > /job/out/java 2>&1
                    echo "rc=$?" >> /job/out/java
                    %s > /job/out/bpf4j 2>&1
                    echo "rc=$?" >> /job/out/bpf4j
                    printf 'hello\\000world' > /job/out/binary
                    exit 3
                    """.formatted(GuestRuntime.javaCommand(GuestSelfCheck.class.getName(), "it's quoted")))
                    .withFiles(GuestFile.jar("/job/getpid.jar", compileGetPid()),
                            GuestFile.testClasspath())
                    .withCollected("/job/out/uname", "/job/out/kprobe", "/job/out/java", "/job/out/bpf4j", "/job/out/binary",
                            "/job/out/none", "/proc/version"));
            System.err.println("QEMU guest: boot + uname + kprobe + Java FFM program + collection took "
                    + sharedBoot.elapsed().toMillis() + " ms");
        }
        return sharedBoot;
    }

    @Test
    void bootsTheDebianKernel() throws IOException {
        GuestResult r = sharedBoot();
        assertEquals(3, r.exitCode(), "the job's own exit code comes back; output:\n" + r.jobOutput());
        assertEquals(QemuGuest.defaultGuest().kernel().release(), text(r, "/job/out/uname").strip());
    }

    @Test
    void guestKernelHasKprobes() throws IOException {
        String kprobe = text(sharedBoot(), "/job/out/kprobe");
        assertTrue(kprobe.endsWith("rc=0\n"), kprobe);
        assertTrue(kprobe.lines().anyMatch(l -> l.equals("p:kprobes/bpf4j_probe do_exit")), kprobe);
    }

    @Test
    void runsAJavaFfmProgramInTheGuest() throws IOException {
        String java = text(sharedBoot(), "/job/out/java");
        assertTrue(java.endsWith("rc=0\n"), java);
        Matcher m = Pattern.compile("ffm-pid=(\\d+) jvm-pid=(\\d+)").matcher(java);
        assertTrue(m.find(), java);
        assertEquals(m.group(2), m.group(1), "getpid through FFM is the JVM's own pid");
    }

    @Test
    void runsBpf4jClassesInTheGuest() throws IOException {
        String java = text(sharedBoot(), "/job/out/bpf4j");
        assertTrue(java.endsWith("arg=it's quoted\nrc=0\n"), java);
        assertTrue(java.contains("bpf4j-release=" + QemuGuest.defaultGuest().kernel().release() + "\n"), java);
        assertTrue(java.contains("bpf4j-cap-bpf=true\n"), "the guest job runs as root: " + java);
    }

    @Test
    void collectsFilesByteForByteAndSkipsMissingOnes() throws IOException {
        GuestResult r = sharedBoot();
        assertEquals("hello\0world", text(r, "/job/out/binary"));
        assertTrue(r.file("/job/out/none").isEmpty());
        assertTrue(text(r, "/proc/version").startsWith("Linux version "), text(r, "/proc/version"));
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
            // The reference reader resolves the split file's type ids against the base: both must be whole.
            String dump = Bpftool.run("-B", btf.vmlinux().toString(), "btf", "dump", "file", btf.module("crc7").toString());
            assertTrue(dump.contains("FUNC 'crc7_be'"), dump);
        }
    }

    @Test
    void aGuestThatHangsIsKilledAtTheTimeout() {
        GuestFailure f = assertThrows(GuestFailure.class, () -> QemuGuest.defaultGuest().run(
                GuestJob.of("sleep 600").withTimeout(Duration.ofSeconds(10))));
        assertTrue(f.getMessage().contains("did not power off within 10 s"), f.getMessage());
    }

    private static Path compileGetPid() throws IOException {
        Path tmp = Files.createTempDirectory("bpf4j-getpid");
        Path src = tmp.resolve("GetPid.java");
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
        return classes;
    }

    private static String text(GuestResult r, String guestPath) {
        return new String(r.requireFile(guestPath), StandardCharsets.UTF_8);
    }

    private static int magic(byte[] btf) {
        return Short.toUnsignedInt(ByteBuffer.wrap(btf).order(ByteOrder.LITTLE_ENDIAN).getShort(0));
    }
}

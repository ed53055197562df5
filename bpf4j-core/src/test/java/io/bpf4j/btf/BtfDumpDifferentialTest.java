package io.bpf4j.btf;

import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.DebianKernel;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.bpf4j.testing.TextDiff.assertSameText;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bpf4j's C header and raw listing compared byte for byte with bpftool's, on the running kernel's
 * BTF, on the .BTF of the test objects, and on a Debian kernel and its modules (split BTF).
 */
class BtfDumpDifferentialTest {
    private static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");

    static String ourC(Btf btf) {
        return CHeaderWriter.toString(btf);
    }

    static String ourRaw(Btf btf) throws IOException {
        StringBuilder sb = new StringBuilder();
        RawDumpWriter.write(btf, sb);
        return sb.toString();
    }

    @Test
    @Requires({Requirement.KERNEL_BTF, Requirement.BPFTOOL})
    void kernelBtfAsCMatchesBpftool() throws IOException {
        Btf btf = Btf.read(KERNEL_BTF);
        assertSameText(Bpftool.run("btf", "dump", "file", KERNEL_BTF.toString(), "format", "c"), ourC(btf), "vmlinux.h");
    }

    @Test
    @Requires({Requirement.KERNEL_BTF, Requirement.BPFTOOL})
    void kernelBtfRawMatchesBpftool() throws IOException {
        Btf btf = Btf.read(KERNEL_BTF);
        assertSameText(Bpftool.run("btf", "dump", "file", KERNEL_BTF.toString()), ourRaw(btf), "raw dump of vmlinux");
    }

    static List<String> testPrograms() {
        return TestPrograms.all();
    }

    @ParameterizedTest
    @MethodSource("testPrograms")
    @Requires({Requirement.CLANG, Requirement.BPFTOOL, Requirement.KERNEL_BTF})
    void testObjectMatchesBpftoolInBothFormats(String program) throws IOException {
        Path obj = TestPrograms.compile(program);
        Btf btf = Btf.read(obj);
        assertSameText(Bpftool.run("btf", "dump", "file", obj.toString(), "format", "c"), ourC(btf), program + " as C");
        assertSameText(Bpftool.run("btf", "dump", "file", obj.toString()), ourRaw(btf), program + " raw");
    }

    @Test
    @Requires(Requirement.BPFTOOL)
    void debianKernelVmlinuxElfMatchesBpftool() throws IOException {
        DebianKernel kernel = DebianKernel.require();
        Btf btf = Btf.read(kernel.vmlinux());
        String file = kernel.vmlinux().toString();
        assertSameText(Bpftool.run("btf", "dump", "file", file, "format", "c"), ourC(btf), "Debian vmlinux as C");
        assertSameText(Bpftool.run("btf", "dump", "file", file), ourRaw(btf), "Debian vmlinux raw");
    }

    /** A spread of modules: some large ones known for tricky types, and every 150th of the rest. */
    static Stream<String> modules() {
        List<String> names = new ArrayList<>(List.of("xfs.ko", "btrfs.ko", "nf_tables.ko", "kvm.ko", "bridge.ko", "openvswitch.ko", "af_key.ko"));
        try {
            List<Path> all = DebianKernel.require().modules();
            for (int i = 0; i < all.size(); i += 150) {
                names.add(all.get(i).getFileName().toString());
            }
        } catch (RuntimeException e) {
            // Skipped below with the reason when the package cannot be had.
        }
        return names.stream().distinct();
    }

    @ParameterizedTest
    @MethodSource("modules")
    @Requires(Requirement.BPFTOOL)
    void moduleSplitBtfMatchesBpftoolInBothFormats(String module) throws IOException {
        DebianKernel kernel = DebianKernel.require();
        Btf base = baseOf(kernel);
        Path ko = kernel.module(module);
        Btf btf = Btf.read(ko, base);
        assertTrue(btf.firstId() > 1, "module BTF continues the base's ids");
        String b = kernel.vmlinux().toString();
        assertSameText(Bpftool.run("btf", "dump", "file", ko.toString(), "--base-btf", b, "format", "c"), ourC(btf), module + " as C");
        assertSameText(Bpftool.run("btf", "dump", "file", ko.toString(), "--base-btf", b), ourRaw(btf), module + " raw");
    }

    private static Btf debianBase;

    static synchronized Btf baseOf(DebianKernel kernel) throws IOException {
        if (debianBase == null) {
            debianBase = Btf.read(kernel.vmlinux());
        }
        return debianBase;
    }
}

package io.bpf4j.testing;

import io.bpf4j.host.Capabilities;
import io.bpf4j.toolchain.BpfHeaders;
import io.bpf4j.toolchain.Clang;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/** Something a test needs from the machine; {@link #missing()} says why it is not there, or empty. */
public enum Requirement {
    ROOT(() -> Capabilities.ofCurrentProcess().has(Capabilities.Cap.CAP_BPF)
            && Capabilities.ofCurrentProcess().canLoadTracing()
            ? null : "needs root (CAP_BPF + CAP_PERFMON or CAP_SYS_ADMIN); run the tests as root"),
    KERNEL_BTF(() -> Files.isReadable(Path.of("/sys/kernel/btf/vmlinux"))
            ? null : "needs a readable /sys/kernel/btf/vmlinux (a kernel with CONFIG_DEBUG_INFO_BTF=y)"),
    CLANG(() -> Clang.find().isPresent() && BpfHeaders.find().isPresent()
            ? null : "needs clang and the BPF headers: apt-get install clang-19 llvm-19 libbpf-dev"),
    /** sys/sdt.h, to build the test programs with USDT probes (io.bpf4j.link.UsdtTest). */
    SDT_HEADER(() -> UsdtTarget.sdtHeader().isPresent()
            ? null : "needs sys/sdt.h to build a program with USDT probes: apt-get install systemtap-sdt-dev"),
    BPFTOOL(() -> Bpftool.find().isPresent() ? null : "needs bpftool as a reference: apt-get install bpftool"),
    /** libbpf's shared library, called directly as a reference (never by bpf4j itself). */
    LIBBPF(() -> Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libbpf.so.1")) || Files.exists(Path.of("/usr/lib64/libbpf.so.1"))
            ? null : "needs libbpf's shared library as a reference: apt-get install libbpf1"),
    /** A second kernel under emulation (see io.bpf4j.testing.qemu): QEMU and a busybox for the guest. */
    QEMU(() -> Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))
            && (Files.isExecutable(Path.of("/bin/busybox")) || Files.isExecutable(Path.of("/usr/bin/busybox")))
            ? null : "needs qemu-system-x86_64 and busybox: apt-get install qemu-system-x86 busybox-static");

    private final Supplier<String> check;

    Requirement(Supplier<String> check) {
        this.check = check;
    }

    public Optional<String> missing() {
        return Optional.ofNullable(check.get());
    }
}

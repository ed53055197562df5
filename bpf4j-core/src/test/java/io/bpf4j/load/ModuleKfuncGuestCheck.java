package io.bpf4j.load;

import io.bpf4j.btf.KernelBtf;
import io.bpf4j.host.KernelRelease;
import io.bpf4j.sys.KernelFeatures;
import io.bpf4j.sys.MapType;
import io.bpf4j.sys.TestRun;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs inside the QEMU guest for {@link ModuleKfuncGuestTest} (no JUnit there), on Debian's 6.1
 * kernel where nf_conntrack is a module. The job script has unloaded nf_conntrack (the harness
 * insmod'ed it with its dependencies); this program then
 * <ol>
 *   <li>loads module_kfunc.bpf.o without the module: the load must fail naming the kfunc;</li>
 *   <li>insmods nf_conntrack again, loads the object (its kfuncs now in the module's BTF, reached
 *       through fd_array) and runs the XDP program on a TCP packet no connection matches;</li>
 *   <li>loads map_type_new.bpf.o, whose CGRP_STORAGE map (Linux 6.2) this kernel lacks;</li>
 * </ol>
 * printing {@code KEY key=value ...} lines (and the BTF fds open at each step) for the host test to
 * judge. It asserts nothing itself.
 */
public final class ModuleKfuncGuestCheck {
    private ModuleKfuncGuestCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path kfuncObject = Path.of(args[0]);
        Path mapTypeObject = Path.of(args[1]);
        Path moduleFile = Path.of(args[2]);
        System.out.println("KERNEL release=" + KernelRelease.current());
        System.out.println("FEATURES btf_enum64=" + KernelFeatures.btfKind(19)
                + " cgrp_storage=" + KernelFeatures.mapType(MapType.CGRP_STORAGE));

        long start = System.nanoTime();
        KernelBtf.vmlinux();
        System.out.println("TIME kernel_btf_ms=" + (System.nanoTime() - start) / 1_000_000);
        System.out.println("VMLINUX defines_ct_lookup="
                + KernelBtf.vmlinux().findId("bpf_xdp_ct_lookup", io.bpf4j.btf.BtfKind.FUNC).isPresent());

        System.out.println("UNLOADED module_loaded=" + Files.exists(Path.of("/sys/module/nf_conntrack"))
                + " btf_fds=" + btfFds());
        try (BpfObject obj = BpfObject.open(kfuncObject)) {
            obj.load();
            System.out.println("UNLOADED-RESULT loaded");
        } catch (LoadException e) {
            System.out.println("UNLOADED-RESULT LoadException " + oneLine(e.getMessage()));
        }
        System.out.println("UNLOADED-AFTER btf_fds=" + btfFds());

        Process insmod = new ProcessBuilder("insmod", moduleFile.toString()).inheritIO().start();
        if (!insmod.waitFor(60, TimeUnit.SECONDS) || insmod.exitValue() != 0) {
            System.out.println("INSMOD failed");
            return;
        }
        System.out.println("LOADED module_loaded=" + Files.exists(Path.of("/sys/module/nf_conntrack"))
                + " module_btf=" + Files.exists(Path.of("/sys/kernel/btf/nf_conntrack")));
        start = System.nanoTime();
        try (BpfObject obj = BpfObject.open(kfuncObject).load()) {
            System.out.println("TIME load_ms=" + (System.nanoTime() - start) / 1_000_000);
            // The object's own BTF stays open with it; the module's BTF fd must have been closed after load.
            System.out.println("LOADED-FDS btf_fds=" + btfFds() + " warnings=" + obj.warnings().size());
            obj.warnings().forEach(w -> System.out.println("WARNING " + oneLine(w)));
            TestRun.Result r = obj.program("ct_lookup").testRun(TestRun.ofData(tcpSyn()));
            System.out.println("RUN retval=" + r.retval() + " lookups=" + obj.globalValue("lookups")
                    + " lookup_error=" + obj.globalValue("lookup_error"));
        } catch (RuntimeException e) {
            System.out.println("LOADED-RESULT " + e.getClass().getSimpleName() + " " + oneLine(String.valueOf(e.getMessage())));
        }
        System.out.println("CLOSED btf_fds=" + btfFds());

        try (BpfObject obj = BpfObject.open(mapTypeObject)) {
            obj.load();
            System.out.println("MAPTYPE loaded");
        } catch (LoadException e) {
            System.out.println("MAPTYPE LoadException " + oneLine(e.getMessage()));
        }
    }

    /**
     * An Ethernet + IPv4 + TCP SYN from 10.11.12.13:40000 to 10.11.12.14:8080, 54 bytes, checksums
     * left 0 (XDP programs see the frame as it is; nothing here checks them).
     */
    static byte[] tcpSyn() {
        ByteBuffer b = ByteBuffer.allocate(54); // network byte order
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 40).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 6).putShort((short) 0)
                .put(new byte[] {10, 11, 12, 13}).put(new byte[] {10, 11, 12, 14});
        b.putShort((short) 40000).putShort((short) 8080).putInt(1).putInt(0)
                .put((byte) (5 << 4)).put((byte) 0x02).putShort((short) 64240).putShort((short) 0).putShort((short) 0);
        return b.array();
    }

    /** How many of this process's fds are BTF objects (a leaked module BTF fd shows here). */
    static long btfFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().equals("anon_inode:btf");
                } catch (IOException e) {
                    return false; // the fd of the directory listing itself, closed meanwhile
                }
            }).count();
        }
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ');
    }
}

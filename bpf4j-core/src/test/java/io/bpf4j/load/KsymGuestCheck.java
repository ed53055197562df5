package io.bpf4j.load;

import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.KernelBtf;
import io.bpf4j.host.KernelRelease;
import io.bpf4j.link.Attacher;
import io.bpf4j.link.Link;
import io.bpf4j.sys.Os;
import io.bpf4j.testing.Syscalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs inside the QEMU guest for {@link KsymGuestTest} (no JUnit there), on Debian's 6.1 kernel,
 * which has CONFIG_KALLSYMS_ALL (this host's kernel has not, so no kernel variable resolves here). It
 * <ol>
 *   <li>reads the addresses of runqueues and jiffies from /proc/kallsyms itself (plain text parsing,
 *       not bpf4j's) and which variables the kernel's BTF has;</li>
 *   <li>loads ksyms_typeless.bpf.o (typeless runqueues and jiffies, an absent weak symbol) and
 *       ksyms_typed.bpf.o (typed per-cpu runqueues and cpu_number, an absent weak variable), attaches
 *       them to sys_enter_getppid and calls getppid three times; jiffies is also read from
 *       /proc/schedstat before and after;</li>
 *   <li>loads the programs whose ksyms cannot resolve (missing, typed jiffies) for their errors;</li>
 * </ol>
 * printing {@code TAG key=value ...} lines for the host test to judge. It asserts nothing itself.
 * The JVM is pinned to CPU 1 (GuestRuntime's taskset), so the programs run there.
 */
public final class KsymGuestCheck {
    private KsymGuestCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path typelessObject = Path.of(args[0]);
        Path typedObject = Path.of(args[1]);
        String tgid = Integer.toString(Os.getpid());
        System.out.println("KERNEL release=" + KernelRelease.current());
        System.out.println("KALLSYMS runqueues=" + kallsyms("runqueues") + " jiffies=" + kallsyms("jiffies"));
        long start = System.nanoTime();
        List<String> datasecs = new ArrayList<>();
        for (BtfType t : KernelBtf.vmlinux().types()) {
            if (t instanceof BtfType.Datasec d) {
                datasecs.add(d.name());
            }
        }
        System.out.println("TIME kernel_btf_ms=" + (System.nanoTime() - start) / 1_000_000);
        System.out.println("BTF datasecs=" + String.join(",", datasecs)
                + " var_runqueues=" + KernelBtf.vmlinux().findId("runqueues", io.bpf4j.btf.BtfKind.VAR).isPresent()
                + " var_cpu_number=" + KernelBtf.vmlinux().findId("cpu_number", io.bpf4j.btf.BtfKind.VAR).isPresent()
                + " var_jiffies=" + KernelBtf.vmlinux().findId("jiffies", io.bpf4j.btf.BtfKind.VAR).isPresent());

        start = System.nanoTime();
        try (BpfObject obj = BpfObject.open(typelessObject).autoload("typeless", true).autoload("weak_typeless", true)) {
            obj.setGlobal("target_tgid", tgid).load();
            System.out.println("TIME typeless_load_ms=" + (System.nanoTime() - start) / 1_000_000);
            long before;
            long after;
            try (Link a = Attacher.attach(obj.program("typeless")); Link b = Attacher.attach(obj.program("weak_typeless"))) {
                before = schedstatJiffies();
                Thread.sleep(50);
                Syscalls.getppid(3);
                Thread.sleep(50);
                after = schedstatJiffies();
            }
            System.out.println("TYPELESS hits=" + obj.globalValue("hits")
                    + " runqueues_address=" + hex(obj.globalValue("runqueues_address"))
                    + " jiffies_address=" + hex(obj.globalValue("jiffies_address"))
                    + " jiffies_value=" + obj.globalValue("jiffies_value")
                    + " schedstat_before=" + before + " schedstat_after=" + after
                    + " weak_address=" + obj.globalValue("weak_address") + " warnings=" + obj.warnings().size());
        } catch (RuntimeException e) {
            System.out.println("TYPELESS-RESULT " + e.getClass().getSimpleName() + " " + oneLine(String.valueOf(e.getMessage())));
        }

        start = System.nanoTime();
        try (BpfObject obj = BpfObject.open(typedObject).autoload("typed", true).autoload("weak_typed", true)) {
            obj.setGlobal("target_tgid", tgid).load();
            System.out.println("TIME typed_load_ms=" + (System.nanoTime() - start) / 1_000_000);
            try (Link a = Attacher.attach(obj.program("typed")); Link b = Attacher.attach(obj.program("weak_typed"))) {
                Syscalls.getppid(3);
            }
            StringBuilder line = new StringBuilder("TYPED");
            for (String g : List.of("hits", "smp_id", "this_rq_cpu", "rq0_cpu", "rq1_cpu", "this_cpu_number", "cpu_number_of_0",
                    "cpu_number_of_1", "weak_address", "weak_absent", "weak_value")) {
                line.append(' ').append(g).append('=').append(obj.globalValue(g));
            }
            line.append(" runqueues_address=").append(hex(obj.globalValue("runqueues_address")));
            System.out.println(line + " warnings=" + obj.warnings().size());
        } catch (RuntimeException e) {
            System.out.println("TYPED-RESULT " + e.getClass().getSimpleName() + " " + oneLine(String.valueOf(e.getMessage())));
        }

        moduleVariable(Path.of(args[2]), tgid);

        System.out.println("MISSING-TYPELESS " + loadError(typelessObject, "missing_typeless"));
        System.out.println("MISSING-TYPED " + loadError(typedObject, "missing_typed"));
        System.out.println("TYPED-JIFFIES " + loadError(typedObject, "typed_jiffies"));
    }

    /** A typed variable of the x_tables module (the harness insmods it): the address kallsyms lists and what the program saw. */
    private static void moduleVariable(Path object, String tgid) throws IOException {
        System.out.println("KALLSYMS_MODULE xt_recseq=" + kallsyms("xt_recseq"));
        try (BpfObject obj = BpfObject.open(object)) {
            obj.setGlobal("target_tgid", tgid).load();
            try (Link l = Attacher.attach(obj.program("module_typed"))) {
                Syscalls.getppid(3);
            }
            System.out.println("MODULE_TYPED hits=" + obj.globalValue("hits") + " address=" + hex(obj.globalValue("address"))
                    + " sequence=" + obj.globalValue("sequence"));
        } catch (RuntimeException e) {
            System.out.println("MODULE_TYPED-RESULT " + e.getClass().getSimpleName() + " " + oneLine(String.valueOf(e.getMessage())));
        }
    }

    /** Loads one program of the object alone: "loaded", or the exception's class, cause and message. */
    private static String loadError(Path object, String program) throws IOException {
        try (BpfObject obj = BpfObject.open(object).autoload(program, true)) {
            obj.load();
            return "loaded";
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + " cause=" + (e.getCause() == null ? "none" : e.getCause().getClass().getSimpleName())
                    + " " + oneLine(String.valueOf(e.getMessage()));
        }
    }

    /** The address /proc/kallsyms gives the name ("ADDRESS TYPE NAME" lines), in hex, or "none". */
    private static String kallsyms(String name) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/kallsyms"))) {
            List<String> found = lines.map(l -> l.split("\\s+")).filter(f -> f.length >= 3 && f[2].equals(name))
                    .map(f -> f[0] + "/" + f[1]).toList();
            return found.isEmpty() ? "none" : String.join(",", found);
        }
    }

    /** jiffies as the scheduler statistics print it ("timestamp N"). */
    private static long schedstatJiffies() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/schedstat"))) {
            return lines.filter(l -> l.startsWith("timestamp ")).mapToLong(l -> Long.parseLong(l.substring(10).strip()))
                    .findFirst().orElse(-1);
        }
    }

    private static String hex(Object value) {
        return String.format("%016x", ((Number) value).longValue());
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ');
    }
}

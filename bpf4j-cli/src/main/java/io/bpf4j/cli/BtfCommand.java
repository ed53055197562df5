package io.bpf4j.cli;

import io.bpf4j.Bpf4jException;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.CHeaderWriter;
import io.bpf4j.btf.RawDumpWriter;
import io.bpf4j.toolchain.AtomicTextFile;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code bpf4j btf}: work with BTF type information. */
final class BtfCommand implements Verb {
    static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");

    @Override
    public void declare(Args a) {
        a.describe("Inspect BTF type information.").verb("dump", Dump::new);
    }

    /** {@code bpf4j btf dump [FILE] [format c|raw] [--base FILE] [-o OUT]}. */
    static final class Dump implements Verb {
        final List<String> words = new ArrayList<>();
        Path base;
        Path output;
        private Args args;

        @Override
        public void declare(Args a) {
            args = a;
            a.describe("Print the types of a BTF file as a C header (vmlinux.h) or as bpftool's raw listing.",
                            "FILE is raw BTF (default /sys/kernel/btf/vmlinux) or an ELF object with a .BTF section.")
                    .rest("FILE [format c|raw]", "The BTF file (raw or ELF), then optionally 'format c' (the default: a C "
                            + "header) or 'format raw'.", words::add)
                    .option("--base, -B, --base-btf", "FILE", "Base BTF for split BTF (a module's); default "
                            + "/sys/kernel/btf/vmlinux for other files under /sys/kernel/btf/.", v -> base = Path.of(v))
                    .option("-o, --output", "OUT", "Write to OUT (atomically) instead of standard output.", v -> output = Path.of(v))
                    .footer("Example: bpf4j btf dump format c -o vmlinux.h");
        }

        @Override
        public Integer call() throws IOException {
            Path file = KERNEL_BTF;
            // C is the default: vmlinux.h is what users come for (bpftool defaults to raw).
            String format = "c";
            List<String> w = new ArrayList<>(words);
            if (!w.isEmpty() && w.get(0).equals("file")) {
                w.remove(0); // bpftool's spelling: "btf dump file FILE"
            }
            if (!w.isEmpty() && !w.get(0).equals("format")) {
                file = Path.of(w.remove(0));
            }
            if (!w.isEmpty()) {
                if (w.size() != 2 || !w.get(0).equals("format")) {
                    throw new UsageException(args, "unexpected arguments " + w + "; the form is: bpf4j btf dump [FILE] [format c|raw]");
                }
                format = w.get(1);
                if (!format.equals("c") && !format.equals("raw")) {
                    throw new Bpf4jException("btf dump: unknown format '" + format + "'; use 'format c' (a C header) or 'format raw'");
                }
            }
            Btf btf = load(file, baseFor(file));
            boolean c = format.equals("c");
            if (output == null) {
                Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 18);
                write(btf, c, out);
                out.flush();
                return 0;
            }
            AtomicTextFile.write(output, out -> write(btf, c, out));
            return 0;
        }

        private Path baseFor(Path file) {
            if (base != null) {
                return base;
            }
            Path abs = file.toAbsolutePath().normalize();
            if (abs.startsWith(KERNEL_BTF.getParent()) && !abs.equals(KERNEL_BTF)) {
                return KERNEL_BTF;
            }
            return null;
        }

        private static Btf load(Path file, Path basePath) throws IOException {
            try {
                Btf baseBtf = basePath == null ? null : read(basePath, null);
                return read(file, baseBtf);
            } catch (NoSuchFileException e) {
                throw new Bpf4jException("btf dump: " + e.getFile() + " does not exist"
                        + (e.getFile().equals(KERNEL_BTF.toString()) ? "; this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y is needed), pass a FILE" : ""));
            }
        }

        // The running kernel's own BTF was checked by the kernel: skip the whole-blob checks a file needs.
        private static Btf read(Path file, Btf base) throws IOException {
            return file.toAbsolutePath().normalize().startsWith(KERNEL_BTF.getParent())
                    ? Btf.parseKernel(Files.readAllBytes(file), base)
                    : Btf.read(file, base);
        }

        private static void write(Btf btf, boolean c, Writer out) throws IOException {
            if (c) {
                CHeaderWriter.write(btf, out);
            } else {
                RawDumpWriter.write(btf, out);
            }
        }
    }
}

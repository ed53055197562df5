package io.bpf4j.toolchain;

import io.bpf4j.Bpf4jException;
import io.bpf4j.btf.Btf;
import io.bpf4j.btf.CHeaderWriter;
import io.bpf4j.btf.KernelBtf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Steps one and two of the workflow in one call: a vmlinux.h from the running kernel's BTF when the
 * source includes one and none is there, then clang. What {@code bpftool btf dump ... > vmlinux.h}
 * and {@code clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -c} do by hand.
 */
public final class SourceBuild {
    private static final Pattern INCLUDES_VMLINUX = Pattern.compile("^\\s*#\\s*include\\s*[\"<]vmlinux\\.h[\">]", Pattern.MULTILINE);

    private SourceBuild() {
    }

    /** What happened, for the one line the CLI prints. */
    public record Result(Path object, Path vmlinuxHeader, boolean headerGenerated) {
    }

    /**
     * Compiles {@code source} to {@code object}. A missing vmlinux.h is written next to the source, or,
     * when that directory is not writable, next to the object.
     */
    public static Result compile(Path source, Path object) {
        if (!Files.isRegularFile(source)) {
            throw new Bpf4jException(source + ": no such file");
        }
        String text;
        try {
            text = Files.readString(source, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Bpf4jException("cannot read " + source + ": " + e.getMessage(), e);
        }
        Path sourceDir = source.toAbsolutePath().getParent();
        List<Path> includes = new ArrayList<>(List.of(sourceDir));
        Path header = null;
        boolean generated = false;
        if (INCLUDES_VMLINUX.matcher(text).find()) {
            header = sourceDir.resolve("vmlinux.h");
            if (!Files.exists(header)) {
                Path dir = Files.isWritable(sourceDir) ? sourceDir : object.toAbsolutePath().getParent();
                header = dir.resolve("vmlinux.h");
                writeVmlinuxHeader(header);
                generated = true;
                includes.add(dir);
            }
        }
        BpfHeaders.find().ifPresentOrElse(includes::add, () -> {
            if (text.contains("<bpf/")) {
                throw new Bpf4jException(source + " includes <bpf/...> headers, which are missing: install them with "
                        + "'apt-get install libbpf-dev' (./bpf4j does this itself when run as root)");
            }
        });
        Clang.require().compile(source, object, includes, List.of());
        return new Result(object, header, generated);
    }

    /** Writes vmlinux.h from the running kernel's BTF, atomically (a temp file renamed into place). */
    public static void writeVmlinuxHeader(Path target) {
        if (!Files.isReadable(KernelBtf.VMLINUX)) {
            throw new Bpf4jException("the source includes vmlinux.h, which needs the kernel's BTF at " + KernelBtf.VMLINUX
                    + " (a kernel with CONFIG_DEBUG_INFO_BTF=y, read as root); or put a vmlinux.h next to the source");
        }
        try {
            Btf btf = KernelBtf.vmlinux(); // shared with a load in this process
            AtomicTextFile.write(target, out -> CHeaderWriter.write(btf, out));
        } catch (IOException e) {
            throw new Bpf4jException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}

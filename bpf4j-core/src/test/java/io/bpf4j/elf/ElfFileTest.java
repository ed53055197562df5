package io.bpf4j.elf;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElfFileTest {
    @Test
    @Requires(Requirement.CLANG)
    void sectionsAndSymbolsMatchLlvmReadelf() throws Exception {
        Path obj = TestPrograms.compile("minimal.bpf.c");
        ElfFile elf = ElfFile.read(obj);
        assertEquals(ElfFile.EM_BPF, elf.machine());
        assertEquals(ElfFile.ET_REL, elf.fileType());

        // The reference: llvm-readelf's section names, in table order.
        List<String> referenceSections = readelf("--sections", obj).lines()
                .filter(l -> l.matches("\\s*\\[\\s*\\d+].*"))
                .map(l -> l.replaceFirst("\\s*\\[\\s*\\d+]\\s*", "").split("\\s+")[0])
                .collect(Collectors.toCollection(ArrayList::new));
        List<String> ours = elf.sections().stream().map(ElfSection::name).collect(Collectors.toCollection(ArrayList::new));
        ours.set(0, referenceSections.getFirst()); // readelf shows the null section with a placeholder
        assertEquals(referenceSections, ours);

        Set<String> referenceSymbols = readelf("--symbols", obj).lines()
                .map(String::trim).filter(l -> l.matches("\\d+:.*"))
                .map(l -> l.split("\\s+")).filter(f -> f.length >= 8 && !f[3].equals("SECTION")).map(f -> f[7])
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> ourSymbols = elf.symbols().stream()
                .filter(s -> s.type() != ElfSymbol.STT_SECTION).map(ElfSymbol::name).filter(n -> !n.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(referenceSymbols, ourSymbols);

        ElfSymbol prog = elf.symbols().stream().filter(s -> s.name().equals("count_packets")).findFirst().orElseThrow();
        assertEquals(ElfSymbol.STT_FUNC, prog.type());
        assertEquals("socket", elf.section(prog.sectionIndex()).name());
        assertTrue(elf.relocationSections().containsKey(prog.sectionIndex()), "the program references a map: it has relocations");
    }

    @Test
    @Requires(Requirement.CLANG)
    void truncatedFilesFailWithTheOffset() throws Exception {
        byte[] bytes = Files.readAllBytes(TestPrograms.compile("minimal.bpf.c"));
        for (int len : new int[] {0, 3, 10, 63, 64, bytes.length / 2, bytes.length - 1}) {
            byte[] cut = Arrays.copyOf(bytes, len);
            ElfFormatException e = assertThrows(ElfFormatException.class, () -> {
                ElfFile f = ElfFile.parse(cut);
                f.symbols();
                f.relocationSections().values().forEach(f::relocations);
            }, "length " + len);
            assertTrue(e.getMessage().contains("byte"), e.getMessage());
        }
    }

    @Test
    void notElfSaysSo() {
        ElfFormatException e = assertThrows(ElfFormatException.class,
                () -> ElfFile.parse("hello, this is text and not an object file at all......................".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(e.getMessage().contains("not an ELF file"), e.getMessage());
    }

    private static String readelf(String what, Path obj) throws IOException, InterruptedException {
        String exe = Files.isExecutable(Path.of("/usr/bin/llvm-readelf-19")) ? "/usr/bin/llvm-readelf-19" : "readelf";
        Process p = new ProcessBuilder(exe, "--wide", what, obj.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}

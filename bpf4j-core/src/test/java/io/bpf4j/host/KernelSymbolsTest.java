package io.bpf4j.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reading /proc/kallsyms-format text: the whole table, and the one-pass lookup of a few names. */
class KernelSymbolsTest {
    private static final String KALLSYMS = """
            0000000000031980 A runqueues
            ffffffff81000000 T _stext
            ffffffff8a4079c0 D jiffies
            ffffffff81234560 t helper
            ffffffff81234990 t helper
            ffffffffc0a01000 t helper\t[nf_conntrack]
            ffffffffc0a02000 d nf_ct_hook_data\t[nf_conntrack]
            ffffffff81234990 t helper
            """;

    @Test
    void addressesOfKeepsOnlyTheNamesAskedForWithEachDistinctAddress(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("kallsyms"), KALLSYMS);
        Map<String, List<Long>> found = KernelSymbols.addressesOf(file, Set.of("runqueues", "jiffies", "helper",
                "nf_ct_hook_data", "absent"));
        assertEquals(List.of(0x31980L), found.get("runqueues"));
        assertEquals(List.of(0xffffffff8a4079c0L), found.get("jiffies"));
        assertEquals(List.of(0xffffffff81234560L, 0xffffffff81234990L, 0xffffffffc0a01000L), found.get("helper"),
                "three distinct addresses, the repeated one once, the module's without its [module] tag");
        assertEquals(List.of(0xffffffffc0a02000L), found.get("nf_ct_hook_data"));
        assertEquals(4, found.size(), "nothing for absent, nothing not asked for (_stext)");
    }

    @Test
    void readIndexesFunctionsAndAddresses(@TempDir Path dir) throws Exception {
        KernelSymbols s = KernelSymbols.read(Files.writeString(dir.resolve("kallsyms"), KALLSYMS));
        assertEquals(Set.of("_stext", "helper"), s.functions());
        assertEquals(0xffffffff8a4079c0L, s.address("jiffies").getAsLong());
        assertEquals("runqueues", s.nameAt(0x31980L));
    }
}

package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfExt;
import io.bpf4j.btf.BtfExt.CoreRelocation;
import io.bpf4j.btf.BtfExt.CoreRelocationKind;
import io.bpf4j.elf.ElfFile;
import io.bpf4j.reloc.BpftoolTypes.Member;
import io.bpf4j.reloc.BpftoolTypes.Type;
import io.bpf4j.reloc.SplitBtfWriter.Field;
import io.bpf4j.spec.FunctionSpec;
import io.bpf4j.spec.ObjectBtf;
import io.bpf4j.spec.ObjectReader;
import io.bpf4j.spec.ObjectSpec;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CO-RE against a pretend kernel (core_fake_kernel.bpf.c compiled by clang, its BTF as the target)
 * and a hand-written split BTF standing in for a module: layouts this machine's kernel cannot
 * provide. Expected values come from bpftool's dump of the same BTF.
 */
@Requires({Requirement.CLANG, Requirement.BPFTOOL})
class CoreRelocatorSyntheticTest {
    private static Path kernelObject;
    private static Btf kernel;
    private static BpftoolTypes kernelTypes;
    private static ObjectSpec local;
    private static Btf localBtf;
    private static BtfExt localExt;

    @BeforeAll
    static void compile() throws Exception {
        kernelObject = TestPrograms.compile("core_fake_kernel.bpf.c");
        kernel = Btf.read(kernelObject);
        kernelTypes = BpftoolTypes.of(kernelObject.toString());
        local = ObjectReader.read(TestPrograms.compile("core_fake_local.bpf.c"));
        ObjectBtf ob = local.btf().orElseThrow();
        localBtf = ob.btf();
        localExt = ob.ext().orElseThrow();
    }

    private static FunctionSpec function(String name) {
        return local.functions().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    /** kind tag and clang's description of each relocation in a function, mapped to the patched value. */
    private static Map<String, Long> relocated(String function, List<Btf> targets) throws Exception {
        return relocated(function, new CoreRelocator(localBtf, targets));
    }

    private static Map<String, Long> relocated(String function, CoreRelocator relocator) throws Exception {
        FunctionSpec f = function(function);
        List<CoreRelocationAtIndex> relos = CoreRelocator.forFunction(f, localExt);
        CoreResult res = relocator.relocate(f.instructions(), relos, f.name());
        assertEquals(List.of(), res.failures());
        Map<String, Long> out = new HashMap<>();
        for (ObjdumpCoreRelocations.Line line : ObjdumpCoreRelocations.of(TestPrograms.compile("core_fake_local.bpf.c"))) {
            if (line.offset() < f.sectionOffset() || line.offset() >= f.sectionOffset() + f.instructionCount() * 8L) {
                continue;
            }
            int i = (int) ((line.offset() - f.sectionOffset()) / 8);
            RelocatedObject.Insn insn = new RelocatedObject.Insn(res.instructions(), i);
            long v = insn.code() == 0x18 ? insn.imm64() : Integer.toUnsignedLong(insn.imm());
            Long before = out.put(line.key(), v);
            assertTrue(before == null || before == v, line.key() + " relocated twice to different values");
        }
        return out;
    }

    @Test
    void anonymousMembersBitfieldsFlexibleArraysAndNestedArrays() throws Exception {
        Type rec = kernelTypes.named("STRUCT", "bpf4j_rec");
        Type arr = kernelTypes.named("STRUCT", "bpf4j_arr");
        Member mode = kernelTypes.member(rec, "mode");
        long modeSize = kernelTypes.sizeOf(mode.typeId());
        long modeByte = mode.bitsOffset() / 8 / modeSize * modeSize;
        Member tail = kernelTypes.member(rec, "tail");
        long intSize = kernelTypes.sizeOf(kernelTypes.type(tail.typeId()).attrs().containsKey("type_id")
                ? (int) kernelTypes.type(tail.typeId()).attr("type_id") : tail.typeId());
        long recSize = rec.attr("size");

        Map<String, Long> got = relocated("fake_reads", List.of(kernel));
        assertEquals(kernelTypes.member(rec, "c").bitsOffset() / 8, got.get("<byte_off> struct bpf4j_rec::c"));
        assertEquals(kernelTypes.member(rec, "b").bitsOffset() / 8, got.get("<byte_off> struct bpf4j_rec::b"));
        assertEquals(kernelTypes.member(rec, "d").bitsOffset() / 8, got.get("<byte_off> struct bpf4j_rec::d"));
        assertEquals(modeByte, got.get("<byte_off> struct bpf4j_rec::mode"));
        assertEquals(modeSize, got.get("<byte_sz> struct bpf4j_rec::mode"));
        assertEquals(64 - (mode.bitsOffset() - modeByte * 8 + mode.bitfieldSize()), got.get("<lshift_u64> struct bpf4j_rec::mode"));
        assertEquals(64 - mode.bitfieldSize(), got.get("<rshift_u64> struct bpf4j_rec::mode"));
        assertEquals(0L, got.get("<signed> struct bpf4j_rec::mode"));
        assertEquals(tail.bitsOffset() / 8 + 5 * intSize, got.get("<byte_off> struct bpf4j_rec::tail[5]"), "flexible array");
        assertEquals(kernelTypes.member(arr, "recs").bitsOffset() / 8 + 2 * recSize + kernelTypes.member(rec, "b").bitsOffset() / 8,
                got.get("<byte_off> struct bpf4j_arr::recs[2].b"));
        assertEquals(kernelTypes.enumValue("ENUM", "bpf4j_color", "BPF4J_GREEN"), got.get("<enumval_value> enum bpf4j_color::BPF4J_GREEN"));
        assertEquals(arr.attr("size"), got.get("<type_size> struct bpf4j_arr"));
        // A typedef is looked up as a typedef, then compared through to what it names.
        assertEquals(kernelTypes.sizeOf(kernelTypes.named("TYPEDEF", "bpf4j_rec_t").id()), got.get("<type_size> typedef bpf4j_rec_t"));
        assertEquals(1L, got.get("<type_exists> typedef bpf4j_rec_t"));
    }

    @Test
    void twoCandidatesWithDifferentAnswersAreAnError() {
        FunctionSpec f = function("ambiguous");
        CoreRelocationException e = assertThrows(CoreRelocationException.class, () -> new CoreRelocator(localBtf, List.of(kernel))
                .relocate(f.instructions(), CoreRelocator.forFunction(f, localExt), f.name()));
        assertTrue(e.getMessage().contains("ambiguous") && e.getMessage().contains("bpf4j_twin___a")
                && e.getMessage().contains("bpf4j_twin___b"), e.getMessage());
    }

    @Test
    void moduleTypesComeFromSplitBtfAndVmlinuxWins() throws Exception {
        byte[] baseRaw = baseRaw();
        int intId = kernelTypes.named("INT", "int").id();
        int charId = kernelTypes.named("INT", "char").id();
        byte[] split = new SplitBtfWriter(SplitBtfWriter.stringLength(baseRaw))
                .struct("bpf4j_mod_only", 12, new Field("pad", intId, 0), new Field("pad2", intId, 32), new Field("field", intId, 64))
                // Also in the base: the base's layout must win.
                .struct("bpf4j_rec", 1, new Field("c", charId, 0))
                .bytes();
        Path splitFile = Files.createTempFile(TestPrograms.outputDir(), "module", ".btf");
        Files.write(splitFile, split);
        Btf module = Btf.parse(split, kernel);
        BpftoolTypes moduleTypes = new BpftoolTypesWithBase(kernelObject, splitFile).types;
        Files.delete(splitFile);
        Type modOnly = moduleTypes.named("STRUCT", "bpf4j_mod_only");

        Map<String, Long> got = relocated("module_read", List.of(kernel, module));
        assertEquals(moduleTypes.member(modOnly, "field").bitsOffset() / 8, got.get("<byte_off> struct bpf4j_mod_only::field"));
        assertEquals((long) modOnly.id(), got.get("<target_type_id> struct bpf4j_mod_only"));

        // Module BTF is read only when vmlinux lacks a type, and then once.
        int[] reads = {0};
        java.util.function.Supplier<List<Btf>> lazy = () -> {
            reads[0]++;
            return List.of(module);
        };
        Map<String, Long> base = relocated("fake_reads", new CoreRelocator(localBtf, kernel, lazy));
        assertEquals(kernelTypes.member(kernelTypes.named("STRUCT", "bpf4j_rec"), "c").bitsOffset() / 8,
                base.get("<byte_off> struct bpf4j_rec::c"), "the base's bpf4j_rec, not the module's");
        assertEquals(0, reads[0]);
        CoreRelocator both = new CoreRelocator(localBtf, kernel, lazy);
        assertEquals(got, relocated("module_read", both));
        assertEquals(got, relocated("module_read", both));
        assertEquals(1, reads[0]);
    }

    /** bpftool's dump of a split BTF file on top of a base: {@code bpftool btf dump -B base file split}. */
    private record BpftoolTypesWithBase(BpftoolTypes types) {
        BpftoolTypesWithBase(Path base, Path split) {
            this(BpftoolTypes.parse(Bpftool.run("btf", "dump", "-B", base.toString(), "file", split.toString())));
        }
    }

    private static byte[] baseRaw() throws Exception {
        ElfFile elf = ElfFile.read(kernelObject);
        return elf.contents(elf.section(".BTF").orElseThrow());
    }

    @Test
    void malformedRecordsAndMisplacedRelocationsAreTypedErrors() {
        FunctionSpec f = function("fake_reads");
        CoreRelocator r = new CoreRelocator(localBtf, List.of(kernel));
        CoreRelocationAtIndex first = CoreRelocator.forFunction(f, localExt).getFirst();
        CoreRelocation good = first.relocation();
        byte[] code = f.instructions();

        for (String bad : List.of("0:99", "x", "0::1", "", "0:-1", "0:0:1")) {
            CoreRelocation rel = new CoreRelocation(good.insnOffset(), good.typeId(), bad, good.kind());
            CoreRelocationException e = assertThrows(CoreRelocationException.class,
                    () -> r.relocate(code, List.of(new CoreRelocationAtIndex(first.insnIndex(), rel)), "p"), bad);
            assertTrue(e.getMessage().contains("access string"), e.getMessage());
        }
        // The instruction does not hold what the object's BTF says it should: the record is misplaced.
        CoreRelocationException e = assertThrows(CoreRelocationException.class,
                () -> r.relocate(code, List.of(new CoreRelocationAtIndex(first.insnIndex() + 1, good)), "p"));
        assertTrue(e.getMessage().contains("program 'p' instruction #" + (first.insnIndex() + 1)), e.getMessage());
        assertThrows(CoreRelocationException.class,
                () -> r.relocate(code, List.of(new CoreRelocationAtIndex(code.length / 8, good)), "p"));
        assertThrows(CoreRelocationException.class, () -> r.relocate(new byte[7], List.of(), "p"));
        // An exit instruction cannot carry a relocation.
        int exit = code.length / 8 - 1;
        assertEquals(0x95, code[exit * 8] & 0xff);
        assertThrows(CoreRelocationException.class, () -> r.relocate(code,
                List.of(new CoreRelocationAtIndex(exit, new CoreRelocation(0, good.typeId(), "0", CoreRelocationKind.TYPE_SIZE))), "p"));
    }

    @Test
    void indicesOfAPlacedFunctionAreShifted() {
        FunctionSpec f = function("fake_reads");
        List<CoreRelocationAtIndex> at0 = CoreRelocator.forFunction(f, localExt);
        List<CoreRelocationAtIndex> at100 = CoreRelocator.forFunction(f, localExt, 100);
        assertEquals(at0.size(), at100.size());
        for (int i = 0; i < at0.size(); i++) {
            assertEquals(at0.get(i).insnIndex() + 100, at100.get(i).insnIndex());
            assertEquals(f.sectionOffset() + at0.get(i).insnIndex() * 8L, Integer.toUnsignedLong(at0.get(i).relocation().insnOffset()));
        }
    }

    @Test
    void flavorsAreStrippedAtTheLastTripleUnderscore() {
        assertEquals("task_struct", TypeRelations.essentialName("task_struct___old"));
        assertEquals("task_struct", TypeRelations.essentialName("task_struct"));
        assertEquals("a___b", TypeRelations.essentialName("a___b___c"));
        assertEquals("x____y", TypeRelations.essentialName("x____y"), "four underscores are not a flavor separator");
        assertEquals("___x", TypeRelations.essentialName("___x"));
        assertEquals("x___", TypeRelations.essentialName("x___"));
    }
}

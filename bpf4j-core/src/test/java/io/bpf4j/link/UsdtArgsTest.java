package io.bpf4j.link;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfKind;
import io.bpf4j.btf.BtfType;
import io.bpf4j.btf.KernelBtf;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import static io.bpf4j.link.UsdtArgs.Type.CONST;
import static io.bpf4j.link.UsdtArgs.Type.REG;
import static io.bpf4j.link.UsdtArgs.Type.REG_DEREF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The x86-64 SDT argument parser and the struct __bpf_usdt_spec bytes it produces. */
class UsdtArgsTest {
    private static UsdtArgs.Arg arg(String text) {
        return UsdtArgs.parseOne(text, "test");
    }

    @Test
    void constantsRegistersAndMemory() {
        assertEquals(new UsdtArgs.Arg("-4@$-5", CONST, -5, -1, true, 32), arg("-4@$-5"));
        assertEquals(new UsdtArgs.Arg("8@$0x10", CONST, 16, -1, false, 0), arg("8@$0x10"));
        assertEquals(new UsdtArgs.Arg("-8@%rbx", REG, 0, 40, true, 0), arg("-8@%rbx"));
        assertEquals(new UsdtArgs.Arg("-4@%edi", REG, 0, 112, true, 32), arg("-4@%edi"));
        assertEquals(new UsdtArgs.Arg("-2@%r12w", REG, 0, 24, true, 48), arg("-2@%r12w"));
        assertEquals(new UsdtArgs.Arg("1@%sil", REG, 0, 104, false, 56), arg("1@%sil"));
        assertEquals(new UsdtArgs.Arg("8@%r8", REG, 0, 72, false, 0), arg("8@%r8"));
        assertEquals(new UsdtArgs.Arg("1@-81(%rbp)", REG_DEREF, -81, 32, false, 56), arg("1@-81(%rbp)"));
        assertEquals(new UsdtArgs.Arg("-8@(%rax)", REG_DEREF, 0, 80, true, 0), arg("-8@(%rax)"));
        assertEquals(new UsdtArgs.Arg("2@0x10(%rsp)", REG_DEREF, 16, 152, false, 48), arg("2@0x10(%rsp)"));
        assertEquals(List.of(), UsdtArgs.parse("", "test"));
        assertEquals(3, UsdtArgs.parse(" -4@%edi  8@-8(%rbp) 4@$5 ", "test").size());
    }

    @Test
    void unsupportedArgumentsAreNamed() {
        Map<String, String> why = Map.of(
                "8@counter(%rip)", "%rip-relative",
                "8@-8(%rip)", "%rip-relative",
                "4@%ah", "high-byte",
                "3@%eax", "SIZE@OPERAND",
                "%eax", "SIZE@OPERAND",
                "8@(%rax,%rbx,8)", "not symbols, index registers or segments",
                "8@%fs:16", "not symbols, index registers or segments",
                "8@sym+4(%rbp)", "is not a number");
        why.forEach((text, reason) -> {
            AttachException e = assertThrows(AttachException.class, () -> UsdtArgs.parse("4@$1 " + text, "USDT p:n at 0x10"));
            assertTrue(e.getMessage().startsWith("USDT p:n at 0x10: bpf4j cannot parse the USDT argument '" + text + "'"), e.getMessage());
            assertTrue(e.getMessage().contains(reason), text + ": " + e.getMessage());
        });
        String thirteen = "4@$1 ".repeat(13);
        assertTrue(assertThrows(AttachException.class, () -> UsdtArgs.parse(thirteen, "p")).getMessage().contains("at most 12"));
    }

    @Test
    void specBytesFollowUsdtBpfH() {
        byte[] spec = UsdtArgs.spec(List.of(arg("-4@$-5"), arg("1@-81(%rbp)"), arg("-2@%r12w")), 0x1122);
        assertEquals(208, spec.length);
        ByteBuffer b = ByteBuffer.wrap(spec).order(ByteOrder.LITTLE_ENDIAN);
        // struct __bpf_usdt_arg_spec: val_off, arg_type, reg_off, arg_signed, arg_bitshift
        assertEquals(-5L, b.getLong(0));
        assertEquals(0, b.getInt(8));
        assertEquals(-1, b.getShort(12));
        assertEquals(1, b.get(14));
        assertEquals(32, b.get(15));
        assertEquals(-81L, b.getLong(16));
        assertEquals(2, b.getInt(24));
        assertEquals(32, b.getShort(28));
        assertEquals(0, b.get(30));
        assertEquals(56, b.get(31));
        assertEquals(1, b.getInt(40));
        assertEquals(24, b.getShort(44));
        assertEquals(48, b.get(47));
        assertEquals(0x1122L, b.getLong(192), "usdt_cookie");
        assertEquals(3, b.getShort(200), "arg_cnt");
    }

    /** The register offsets bpf4j keeps are those of the running kernel's struct pt_regs. */
    @Test
    @Requires(Requirement.KERNEL_BTF)
    void registerOffsetsMatchTheKernelsPtRegs() {
        Btf btf = KernelBtf.vmlinux();
        BtfType.Struct regs = (BtfType.Struct) btf.type(btf.findId("pt_regs", BtfKind.STRUCT).orElseThrow());
        Map<String, String> names = Map.ofEntries(Map.entry("rbp", "bp"), Map.entry("rbx", "bx"), Map.entry("rax", "ax"),
                Map.entry("rcx", "cx"), Map.entry("rdx", "dx"), Map.entry("rsi", "si"), Map.entry("rdi", "di"),
                Map.entry("rsp", "sp"), Map.entry("rip", "ip"), Map.entry("r8", "r8"), Map.entry("r11", "r11"),
                Map.entry("r12", "r12"), Map.entry("r15", "r15"));
        names.forEach((asm, field) -> {
            long bitOffset = regs.members().stream().filter(m -> m.name().equals(field)).findFirst().orElseThrow().bitOffset();
            assertEquals(bitOffset / 8, arg("8@%" + asm).regOff(), asm);
        });
    }
}

package io.bpf4j.link;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The x86-64 argument string of an SDT note ({@code -4@%edi 8@-8(%rbp) 4@$5}: SIZE@OPERAND, the size
 * in bytes, negative for a signed value, the operand in AT&T syntax) turned into the argument specs
 * libbpf's BPF-side header usdt.bpf.h reads from its {@code __bpf_usdt_specs} map. Pure.
 */
final class UsdtArgs {
    /** {@code BPF_USDT_MAX_ARG_CNT} of usdt.bpf.h: the size of {@code struct __bpf_usdt_spec.args}. */
    static final int MAX_ARGS = 12;
    /** sizeof(struct __bpf_usdt_arg_spec): u64 val_off, u32 arg_type, s16 reg_off, bool arg_signed, s8 arg_bitshift. */
    static final int ARG_SPEC_SIZE = 16;
    /** sizeof(struct __bpf_usdt_spec): the 12 args, u64 usdt_cookie, s16 arg_cnt, padded to 8. */
    static final int SPEC_SIZE = MAX_ARGS * ARG_SPEC_SIZE + 8 + 8;

    /** enum __bpf_usdt_arg_type of usdt.bpf.h. */
    enum Type {
        /** {@code $N}: the value is the constant, kept in val_off. */
        CONST,
        /** {@code %reg}: the value is the register, read from struct pt_regs at reg_off. */
        REG,
        /** {@code off(%reg)}: the value is in user memory at the register plus val_off. */
        REG_DEREF
    }

    /**
     * One argument as usdt.bpf.h takes it.
     *
     * @param valOff   the constant (CONST) or the memory offset (REG_DEREF)
     * @param regOff   offsetof(struct pt_regs, reg), -1 for CONST
     * @param bitShift 64 minus the size in bits: how far bpf_usdt_arg shifts left and back to drop
     *                 the bytes above the argument's size (and sign-extend signed ones)
     */
    record Arg(String text, Type type, long valOff, int regOff, boolean signed, int bitShift) {
    }

    /**
     * x86-64 {@code struct pt_regs} (arch/x86/include/asm/ptrace.h; what a uprobe program's context
     * points at): the offset of each 64-bit register. Its layout is fixed by the kernel's entry code.
     * Every name of a register maps to its 64-bit slot: the narrower names (%edi, %di, %dil) are its
     * low bytes on a little-endian machine, and the argument's size says how many of them count.
     */
    private static final Map<String, Integer> PT_REGS = ptRegs();

    private static Map<String, Integer> ptRegs() {
        Map<String, Integer> m = new java.util.HashMap<>();
        String[][] legacy = {
                // 64, 32, 16, 8-bit names, pt_regs field offset
                {"rbp", "ebp", "bp", "bpl", "32"}, {"rbx", "ebx", "bx", "bl", "40"}, {"rax", "eax", "ax", "al", "80"},
                {"rcx", "ecx", "cx", "cl", "88"}, {"rdx", "edx", "dx", "dl", "96"}, {"rsi", "esi", "si", "sil", "104"},
                {"rdi", "edi", "di", "dil", "112"}, {"rsp", "esp", "sp", "spl", "152"},
        };
        for (String[] r : legacy) {
            for (int i = 0; i < 4; i++) {
                m.put(r[i], Integer.parseInt(r[4]));
            }
        }
        // r15 at 0 down to r8 at 72: struct pt_regs starts with r15, r14, r13, r12, bp, bx, r11, r10, r9, r8.
        int[] offsets = {72, 64, 56, 48, 24, 16, 8, 0};
        for (int n = 8; n <= 15; n++) {
            int off = offsets[n - 8];
            for (String suffix : new String[]{"", "d", "w", "b"}) {
                m.put("r" + n + suffix, off);
            }
        }
        m.put("rip", 128);
        return Map.copyOf(m);
    }

    private static final Pattern ARG = Pattern.compile("(-?)(1|2|4|8)@(.+)");
    private static final Pattern CONST = Pattern.compile("\\$(-?(?:0x[0-9a-fA-F]+|\\d+))");
    private static final Pattern REG = Pattern.compile("%([a-z0-9]+)");
    private static final Pattern NUMBER = Pattern.compile("-?(?:0x[0-9a-fA-F]+|\\d+)");
    private static final Pattern DEREF = Pattern.compile("([^(%$]*)\\(%([a-z0-9]+)\\)");

    private UsdtArgs() {
    }

    /** Parses a note's whole argument string; {@code where} names the probe for messages. */
    static List<Arg> parse(String arguments, String where) {
        List<Arg> out = new ArrayList<>();
        for (String text : arguments.isBlank() ? new String[0] : arguments.strip().split("\\s+")) {
            out.add(parseOne(text, where));
        }
        if (out.size() > MAX_ARGS) {
            throw new AttachException(where + " has " + out.size() + " arguments; usdt.bpf.h holds at most " + MAX_ARGS);
        }
        return List.copyOf(out);
    }

    static Arg parseOne(String text, String where) {
        Matcher m = ARG.matcher(text);
        if (!m.matches()) {
            throw unsupported(text, where, "it is not SIZE@OPERAND with a size of 1, 2, 4 or 8 bytes (negative when signed)");
        }
        boolean signed = !m.group(1).isEmpty();
        int bitShift = 64 - 8 * Integer.parseInt(m.group(2));
        String op = m.group(3);
        Matcher c = CONST.matcher(op);
        if (c.matches()) {
            return new Arg(text, Type.CONST, Long.decode(c.group(1)), -1, signed, bitShift);
        }
        Matcher r = REG.matcher(op);
        if (r.matches()) {
            return new Arg(text, Type.REG, 0, register(r.group(1), text, where), signed, bitShift);
        }
        Matcher d = DEREF.matcher(op);
        if (d.matches()) {
            String reg = d.group(2);
            if (reg.equals("rip")) {
                // %rip-relative operands (GCC's way to pass a global: 8@counter(%rip)) count from the
                // next instruction, not from the probe's address the uprobe reports.
                throw unsupported(text, where, "%rip-relative memory operands (a global variable passed to the "
                        + "probe) are not supported; pass a local copy of the variable instead");
            }
            String off = d.group(1);
            if (!off.isEmpty() && !NUMBER.matcher(off).matches()) {
                throw unsupported(text, where, "the memory offset '" + off + "' is not a number");
            }
            return new Arg(text, Type.REG_DEREF, off.isEmpty() ? 0 : Long.decode(off), register(reg, text, where), signed, bitShift);
        }
        throw unsupported(text, where, "only constants ($N), registers (%reg) and memory at a register plus an "
                + "offset (N(%reg)) are supported, not symbols, index registers or segments");
    }

    private static int register(String name, String text, String where) {
        Integer off = PT_REGS.get(name);
        if (off == null) {
            throw unsupported(text, where, "%" + name + " is not a general-purpose x86-64 register bpf4j can read "
                    + "from struct pt_regs (the high-byte registers %ah..%dh are not supported)");
        }
        return off;
    }

    private static AttachException unsupported(String text, String where, String why) {
        return new AttachException(where + ": bpf4j cannot parse the USDT argument '" + text + "': " + why);
    }

    /** The {@code struct __bpf_usdt_spec} bytes for these arguments and the user's cookie. */
    static byte[] spec(List<Arg> args, long cookie) {
        ByteBuffer b = ByteBuffer.allocate(SPEC_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < args.size(); i++) {
            Arg a = args.get(i);
            b.position(i * ARG_SPEC_SIZE);
            b.putLong(a.valOff()).putInt(a.type().ordinal()).putShort((short) a.regOff())
                    .put((byte) (a.signed() ? 1 : 0)).put((byte) a.bitShift());
        }
        b.position(MAX_ARGS * ARG_SPEC_SIZE);
        b.putLong(cookie).putShort((short) args.size());
        return b.array();
    }
}

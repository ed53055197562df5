package io.bpf4j.asm;

import java.util.List;
import java.util.function.LongFunction;

import static io.bpf4j.asm.Opcodes.*;

/**
 * Prints instructions the way the kernel does: the verifier log and {@code bpftool prog dump xlated}
 * share the kernel's own notation ({@code r1 = *(u64 *)(r10 -8)}, {@code if r1 > 0x3 goto pc+5},
 * {@code call bpf_map_lookup_elem#1}) and number lines by 8-byte slot, so a wide LD_IMM64 skips a
 * number. Everything that does not depend on the kernel is fixed; how calls and 64-bit immediates
 * are named is the {@link Naming} strategy.
 */
public final class Disassembler {
    private static final String[] ALU_TEXT = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=",
            "s>>=", "endian"};
    private static final String[] JUMP_TEXT = {"jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=",
            "s<", "s<=", "cond"};
    private static final String[] ATOMIC_OP = {"add", "", "", "", "or", "and", "", "", "", "", "xor"};

    /** How a disassembly names calls and wide immediates. */
    public interface Naming {
        /** The name shown in {@code call NAME#imm} for a call that is not a bpf-to-bpf call. */
        String call(Instruction call);

        /** The text shown after {@code rN = } for an LD_IMM64. */
        String wideImmediate(Instruction ldImm64);
    }

    /**
     * Naming of an object file's or a loader's instructions, as the verifier log prints them: helpers
     * by id, map references as bpftool shows them ({@code map[id:5]}, {@code map[id:5][0]+16}).
     */
    public static final Naming BY_ID = new Naming() {
        @Override
        public String call(Instruction call) {
            return Helpers.name(call.imm32()).orElse(call.src() == PSEUDO_KFUNC_CALL ? "kernel-function" : "unknown");
        }

        @Override
        public String wideImmediate(Instruction insn) {
            return bpftoolImmediate(insn);
        }
    };

    /**
     * Naming of instructions read back from the kernel (BPF_OBJ_GET_INFO_BY_FD xlated_prog_insns): the
     * verifier has replaced each helper id with the helper's address relative to {@code __bpf_call_base},
     * so calls are named by looking up {@code callBase + imm} in the kernel's symbols, as bpftool does.
     *
     * @param callBase the address of {@code __bpf_call_base} (from /proc/kallsyms)
     * @param symbolAt the kernel symbol at an exact address, or null
     */
    public static Naming xlated(long callBase, LongFunction<String> symbolAt) {
        return new Naming() {
            @Override
            public String call(Instruction call) {
                long id = call.imm32();
                if (call.src() == 0 && id >= 0 && id < Helpers.maxId()) {
                    return Helpers.name(id).orElse("unknown");
                }
                long address = callBase + call.imm32();
                String sym = symbolAt.apply(address);
                return sym != null ? sym : "0x" + Long.toHexString(address);
            }

            @Override
            public String wideImmediate(Instruction insn) {
                return bpftoolImmediate(insn);
            }
        };
    }

    static String bpftoolImmediate(Instruction insn) {
        int lo = insn.imm32();
        int hi = (int) (insn.imm() >>> 32);
        return switch (insn.src()) {
            case PSEUDO_MAP_FD -> "map[id:" + lo + "]";
            case PSEUDO_MAP_VALUE -> "map[id:" + lo + "][0]+" + hi;
            case PSEUDO_MAP_IDX_VALUE -> "map[idx:" + lo + "]+" + hi;
            case PSEUDO_FUNC -> "subprog[" + signed(lo) + "]";
            default -> "0x" + Long.toHexString(insn.imm());
        };
    }

    private final Naming naming;

    public Disassembler(Naming naming) {
        this.naming = naming;
    }

    /** Disassembles with {@link #BY_ID} naming. */
    public Disassembler() {
        this(BY_ID);
    }

    /** The listing, one line per instruction, numbered by slot like bpftool: {@code "   0: (b7) r0 = 0"}. */
    public String listing(List<Instruction> insns) {
        StringBuilder sb = new StringBuilder();
        int slot = 0;
        for (Instruction insn : insns) {
            sb.append(String.format("% 4d: ", slot)).append(format(insn)).append('\n');
            slot += insn.slots();
        }
        return sb.toString();
    }

    /** One instruction without the slot number: {@code "(b7) r0 = 0"}. */
    public String format(Instruction insn) {
        int code = insn.opcode();
        String head = String.format("(%02x) ", code);
        return head + switch (code & CLASS_MASK) {
            case ALU, ALU64 -> alu(insn);
            case STX -> stx(insn);
            case ST -> st(insn);
            case LDX -> ldx(insn);
            case LD -> ld(insn);
            default -> jump(insn);
        };
    }

    private static String alu(Instruction insn) {
        int code = insn.opcode();
        boolean is64 = (code & CLASS_MASK) == ALU64;
        char r = is64 ? 'r' : 'w';
        int op = code & OP_MASK;
        int dst = insn.dst();
        int src = insn.src();
        boolean regSource = (code & SRC_MASK) == X;
        if (op == END) {
            if (is64) {
                return "r" + dst + " = bswap" + insn.imm32() + " r" + dst;
            }
            return "r" + dst + " = " + ((code & SRC_MASK) == TO_BE ? "be" : "le") + insn.imm32() + " r" + dst;
        }
        if (op == NEG) {
            return r + "" + dst + " = -" + r + dst;
        }
        if (code == (ALU64 | MOV | X) && insn.off() == 1) {
            int imm = insn.imm32();
            return "r" + dst + " = addr_space_cast(r" + src + ", " + (imm >> 16) + ", " + (imm & 0xffff) + ")";
        }
        if (code == (ALU64 | MOV | X) && insn.off() == -1) {
            return "r" + dst + " = &(void __percpu *)(r" + src + ")";
        }
        boolean signedDivMod = (op == DIV || op == MOD) && insn.off() == 1;
        String opText = signedDivMod ? (op == DIV ? "s/=" : "s%=") : ALU_TEXT[op >> 4];
        if (regSource) {
            boolean movsx = op == MOV && (insn.off() == 8 || insn.off() == 16 || insn.off() == 32);
            String cast = movsx ? "(s" + insn.off() + ")" : "";
            return r + "" + dst + " " + opText + " " + cast + r + src;
        }
        return r + "" + dst + " " + opText + " " + insn.imm32();
    }

    private static String stx(Instruction insn) {
        int code = insn.opcode();
        String size = sizeName(code);
        String addr = "(r" + insn.dst() + " " + signed(insn.off()) + ")";
        int mode = code & MODE_MASK;
        if (mode == MEM) {
            return "*(" + size + " *)" + addr + " = r" + insn.src();
        }
        if (mode != ATOMIC) {
            return "BUG_" + hex2(code);
        }
        int imm = insn.imm32();
        String width = (code & SIZE_MASK) == DW ? "64" : "";
        if (imm == ADD || imm == AND || imm == OR || imm == XOR) {
            return "lock *(" + size + " *)" + addr + " " + ALU_TEXT[imm >> 4] + " r" + insn.src();
        }
        if (imm == (ADD | FETCH) || imm == (AND | FETCH) || imm == (OR | FETCH) || imm == (XOR | FETCH)) {
            return "r" + insn.src() + " = atomic" + width + "_fetch_" + ATOMIC_OP[(imm & OP_MASK) >> 4] + "((" + size
                    + " *)" + addr + ", r" + insn.src() + ")";
        }
        if (imm == CMPXCHG) {
            return "r0 = atomic" + width + "_cmpxchg((" + size + " *)" + addr + ", r0, r" + insn.src() + ")";
        }
        if (imm == XCHG) {
            return "r" + insn.src() + " = atomic" + width + "_xchg((" + size + " *)" + addr + ", r" + insn.src() + ")";
        }
        if (imm == LOAD_ACQ) {
            return "r" + insn.dst() + " = load_acquire((" + size + " *)(r" + insn.src() + " " + signed(insn.off())
                    + "))";
        }
        if (imm == STORE_REL) {
            return "store_release((" + size + " *)" + addr + ", r" + insn.src() + ")";
        }
        return "BUG_" + hex2(code);
    }

    private static String st(Instruction insn) {
        int code = insn.opcode();
        if ((code & MODE_MASK) == MEM) {
            return "*(" + sizeName(code) + " *)(r" + insn.dst() + " " + signed(insn.off()) + ") = " + insn.imm32();
        }
        if ((code & MODE_MASK) == NOSPEC) {
            return "nospec";
        }
        return "BUG_st_" + hex2(code);
    }

    private static String ldx(Instruction insn) {
        int code = insn.opcode();
        int mode = code & MODE_MASK;
        if (mode != MEM && mode != MEMSX) {
            return "BUG_ldx_" + hex2(code);
        }
        String size = mode == MEM ? sizeName(code) : signedSizeName(code);
        return "r" + insn.dst() + " = *(" + size + " *)(r" + insn.src() + " " + signed(insn.off()) + ")";
    }

    private String ld(Instruction insn) {
        int code = insn.opcode();
        int mode = code & MODE_MASK;
        if (mode == ABS) {
            return "r0 = *(" + sizeName(code) + " *)skb[" + insn.imm32() + "]";
        }
        if (mode == IND) {
            return "r0 = *(" + sizeName(code) + " *)skb[r" + insn.src() + " + " + insn.imm32() + "]";
        }
        if (code == LD_IMM64) {
            return "r" + insn.dst() + " = " + naming.wideImmediate(insn);
        }
        return "BUG_ld_" + hex2(code);
    }

    private String jump(Instruction insn) {
        int code = insn.opcode();
        int op = code & OP_MASK;
        boolean is32 = (code & CLASS_MASK) == JMP32;
        char r = is32 ? 'w' : 'r';
        if (op == CALL) {
            if (insn.src() == PSEUDO_CALL) {
                return "call pc" + signed(insn.imm32());
            }
            return "call " + naming.call(insn) + "#" + insn.imm32();
        }
        if (code == (JMP | JA)) {
            return "goto pc" + signed(insn.off());
        }
        if (code == (JMP | JCOND) && insn.src() == MAY_GOTO) {
            return "may_goto pc" + signed(insn.off());
        }
        if (code == (JMP32 | JA)) {
            return "gotol pc" + signed(insn.imm32());
        }
        if (code == (JMP | EXIT)) {
            return "exit";
        }
        String opText = op >> 4 < JUMP_TEXT.length ? JUMP_TEXT[op >> 4] : "BUG";
        if ((code & SRC_MASK) == X) {
            return "if " + r + insn.dst() + " " + opText + " " + r + insn.src() + " goto pc" + signed(insn.off());
        }
        return "if " + r + insn.dst() + " " + opText + " 0x" + Integer.toHexString(insn.imm32()) + " goto pc"
                + signed(insn.off());
    }

    private static String sizeName(int code) {
        return switch (code & SIZE_MASK) {
            case W -> "u32";
            case H -> "u16";
            case B -> "u8";
            default -> "u64";
        };
    }

    private static String signedSizeName(int code) {
        return switch (code & SIZE_MASK) {
            case W -> "s32";
            case H -> "s16";
            case B -> "s8";
            default -> "s64";
        };
    }

    private static String signed(int v) {
        return v >= 0 ? "+" + v : Integer.toString(v);
    }

    private static String hex2(int code) {
        return String.format("%02x", code);
    }
}

package io.bpf4j.reloc;

import io.bpf4j.btf.Btf;
import io.bpf4j.btf.BtfExt;
import io.bpf4j.spec.FunctionSpec;
import io.bpf4j.spec.ObjectBtf;
import io.bpf4j.spec.ObjectReader;
import io.bpf4j.spec.ObjectSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every function of a test object run through {@link CoreRelocator} against the given kernel BTF. */
record RelocatedObject(ObjectSpec spec, Map<String, Function> functions) {
    /** One function before and after relocation. */
    record Function(FunctionSpec spec, List<CoreRelocationAtIndex> relocations, byte[] before, CoreResult result) {
        Insn after(int index) {
            return new Insn(result.instructions(), index);
        }
    }

    /** One relocated instruction, decoded. */
    record Insn(int code, short off, int imm, long imm64) {
        Insn(byte[] code, int index) {
            this(code[index * 8] & 0xff, le(code).getShort(index * 8 + 2), le(code).getInt(index * 8 + 4),
                    index * 8 + 12 < code.length ? Integer.toUnsignedLong(le(code).getInt(index * 8 + 4))
                            | (long) le(code).getInt(index * 8 + 12) << 32 : 0);
        }

        private static ByteBuffer le(byte[] b) {
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        }

        boolean isPoison() {
            return code == 0x85 && imm == 0xbad2310 && off == 0;
        }

        int memSize() {
            return switch (code & 0x18) {
                case 0x00 -> 4;
                case 0x08 -> 2;
                case 0x10 -> 1;
                default -> 8;
            };
        }
    }

    static RelocatedObject relocate(Path object, List<Btf> targets) throws Exception {
        ObjectSpec spec = ObjectReader.read(object);
        ObjectBtf ob = spec.btf().orElseThrow();
        BtfExt ext = ob.ext().orElseThrow();
        CoreRelocator relocator = new CoreRelocator(ob.btf(), targets);
        Map<String, Function> out = new LinkedHashMap<>();
        for (FunctionSpec f : spec.functions()) {
            List<CoreRelocationAtIndex> relos = CoreRelocator.forFunction(f, ext);
            out.put(f.name(), new Function(f, relos, f.instructions(), relocator.relocate(f.instructions(), relos, f.name())));
        }
        return new RelocatedObject(spec, out);
    }
}

package io.bpf4j.btf;

import io.bpf4j.elf.ElfFile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The .BTF.ext section of a BPF object (btf.rst section 4.2): per ELF section, the function info,
 * line info and CO-RE relocation records, with the strings they point to resolved against the
 * object's .BTF. Instruction offsets are kept as the file has them: in bytes from the start of
 * the section.
 *
 * @param funcInfos       section name to its function records
 * @param lineInfos       section name to its line records
 * @param coreRelocations section name to its CO-RE relocation records
 */
public record BtfExt(Map<String, List<FuncInfo>> funcInfos, Map<String, List<LineInfo>> lineInfos,
                     Map<String, List<CoreRelocation>> coreRelocations) {
    private static final int MIN_HEADER = 24;

    public BtfExt {
        funcInfos = Collections.unmodifiableMap(new LinkedHashMap<>(funcInfos));
        lineInfos = Collections.unmodifiableMap(new LinkedHashMap<>(lineInfos));
        coreRelocations = Collections.unmodifiableMap(new LinkedHashMap<>(coreRelocations));
    }

    /** bpf_func_info: the function (a FUNC type id) starting at {@code insnOffset}. */
    public record FuncInfo(int insnOffset, int typeId) {
    }

    /** bpf_line_info: the source line of the instruction at {@code insnOffset}. */
    public record LineInfo(int insnOffset, String fileName, String line, int lineNumber, int column) {
    }

    /** The bpf_core_relo_kind values of linux/bpf.h. */
    public enum CoreRelocationKind {
        FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS, FIELD_SIGNED, FIELD_LSHIFT_U64, FIELD_RSHIFT_U64,
        TYPE_ID_LOCAL, TYPE_ID_TARGET, TYPE_EXISTS, TYPE_SIZE, ENUMVAL_EXISTS, ENUMVAL_VALUE, TYPE_MATCHES
    }

    /**
     * bpf_core_relo: the instruction at {@code insnOffset} accesses, from the local type
     * {@code typeId}, the path {@code accessString} ("0:1:2": member/array indices).
     */
    public record CoreRelocation(int insnOffset, int typeId, String accessString, CoreRelocationKind kind) {
    }

    /** The .BTF.ext of an ELF object, if it has one; its strings resolve against {@code btf} (its .BTF). */
    public static Optional<BtfExt> fromElf(ElfFile elf, Btf btf) {
        return elf.section(".BTF.ext").map(s -> parse(elf.contents(s), btf));
    }

    /** Parses a .BTF.ext blob whose string offsets point into {@code btf}'s string section. */
    public static BtfExt parse(byte[] bytes, Btf btf) {
        if (bytes.length < MIN_HEADER) {
            throw ext(0, "the .BTF.ext is " + bytes.length + " bytes, shorter than its 24-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = Short.toUnsignedInt(b.getShort(0));
        if (magic != BtfParser.MAGIC) {
            if (Short.reverseBytes((short) magic) != (short) BtfParser.MAGIC) {
                throw ext(0, String.format("magic 0x%04x, expected 0xeb9f", magic));
            }
            b.order(ByteOrder.BIG_ENDIAN);
        }
        long hdrLen = Integer.toUnsignedLong(b.getInt(4));
        if (hdrLen < MIN_HEADER || hdrLen > bytes.length) {
            throw ext(4, "hdr_len " + hdrLen + ", expected at least 24 and within the " + bytes.length + "-byte section");
        }
        Reader r = new Reader(b, (int) hdrLen, btf);
        Map<String, List<FuncInfo>> funcs = r.records(8, 8, (at, sec) -> new FuncInfo(b.getInt(at), checkedType(btf, b.getInt(at + 4), at)));
        Map<String, List<LineInfo>> lines = r.records(16, 16, (at, sec) -> {
            int col = b.getInt(at + 12);
            return new LineInfo(b.getInt(at), r.string(b.getInt(at + 4), at + 4), r.string(b.getInt(at + 8), at + 8),
                    col >>> 10, col & 0x3ff);
        });
        Map<String, List<CoreRelocation>> relos = Map.of();
        if (hdrLen >= 32) {
            relos = r.records(24, 16, (at, sec) -> {
                int kind = b.getInt(at + 12);
                if (kind < 0 || kind >= CoreRelocationKind.values().length) {
                    throw ext(at + 12, "CO-RE relocation kind " + kind + ", expected 0.." + (CoreRelocationKind.values().length - 1));
                }
                return new CoreRelocation(b.getInt(at), checkedType(btf, b.getInt(at + 4), at + 4),
                        r.string(b.getInt(at + 8), at + 8), CoreRelocationKind.values()[kind]);
            });
        }
        return new BtfExt(funcs, lines, relos);
    }

    private static int checkedType(Btf btf, int id, int at) {
        if (id < 0 || id >= btf.typeCount()) {
            throw ext(at, "type id " + Integer.toUnsignedLong(id) + ", expected one below the type count " + btf.typeCount());
        }
        return id;
    }

    static BtfFormatException ext(long offset, String what) {
        return new BtfFormatException("malformed .BTF.ext at byte " + offset + ": " + what);
    }

    private interface RecordReader<T> {
        T read(int at, String section);
    }

    /** Walks one of the three info blocks: a record size, then per section a name, a count and records. */
    private record Reader(ByteBuffer b, int hdrLen, Btf btf) {
        String string(int offset, int at) {
            try {
                return btf.strings().get(offset, at, "string");
            } catch (BtfFormatException e) {
                throw ext(at, "string offset " + Integer.toUnsignedLong(offset) + " is past the .BTF string section of "
                        + btf.strings().totalLength() + " bytes");
            }
        }

        <T> Map<String, List<T>> records(int headerField, int minRecordSize, RecordReader<T> reader) {
            long off = Integer.toUnsignedLong(b.getInt(headerField));
            long len = Integer.toUnsignedLong(b.getInt(headerField + 4));
            Map<String, List<T>> out = new LinkedHashMap<>();
            if (len == 0) {
                return out;
            }
            long start = hdrLen + off;
            long end = start + len;
            if (end > b.capacity()) {
                throw ext(headerField, "info block (" + len + " bytes at " + start + ") runs past the end of the "
                        + b.capacity() + "-byte section");
            }
            if (len < 4) {
                throw ext(start, "info block of " + len + " bytes has no record size");
            }
            long recSize = Integer.toUnsignedLong(b.getInt((int) start));
            if (recSize < minRecordSize || recSize > 1024 || (recSize & 3) != 0) {
                throw ext(start, "record size " + recSize + ", expected a multiple of 4 of at least " + minRecordSize);
            }
            long pos = start + 4;
            while (pos < end) {
                if (end - pos < 8) {
                    throw ext(pos, "section header (8 bytes) runs past the end of the info block at " + end);
                }
                String sec = string(b.getInt((int) pos), (int) pos);
                long count = Integer.toUnsignedLong(b.getInt((int) pos + 4));
                pos += 8;
                if (count * recSize > end - pos) {
                    throw ext(pos - 4, count + " records of " + recSize + " bytes for section " + sec
                            + " run past the end of the info block at " + end);
                }
                List<T> list = out.computeIfAbsent(sec, k -> new ArrayList<>());
                for (long i = 0; i < count; i++) {
                    list.add(reader.read((int) pos, sec));
                    pos += recSize;
                }
            }
            out.replaceAll((k, v) -> List.copyOf(v));
            return out;
        }
    }
}

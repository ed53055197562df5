package io.bpf4j.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The source line of each instruction of one linked program, from the object's line_info: used to say
 * where in the C source the verifier stopped.
 */
final class SourceLines {
    record Line(int insn, String file, int number, String text) {
        String describe() {
            String f = file.substring(file.lastIndexOf('/') + 1);
            return f + ":" + number + (text.isBlank() ? "" : ": " + text.strip());
        }
    }

    /** "123: (85) call ..." lines of a verifier log: the instruction being checked. */
    private static final Pattern INSN = Pattern.compile("^(\\d+): \\([0-9a-f]{2}\\)", Pattern.MULTILINE);

    private final List<Line> lines = new ArrayList<>();

    void add(int insn, String file, int number, String text) {
        lines.add(new Line(insn, file, number, text));
    }

    /** The line of the last instruction at or before {@code insn}. */
    Optional<Line> at(int insn) {
        Line best = null;
        for (Line l : lines) {
            if (l.insn() <= insn && (best == null || l.insn() >= best.insn())) {
                best = l;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The line nearest to {@code insn} whose source text names {@code word} (as a whole identifier).
     * clang often schedules the constant of a CO-RE access before the line record of its statement,
     * so the record at or before the instruction can be the previous statement; the statement that
     * names the field is the one the user wrote.
     */
    Optional<Line> nearestNaming(int insn, String word) {
        Pattern named = Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(word) + "(?![A-Za-z0-9_])");
        Optional<Line> at = at(insn);
        if (at.isPresent() && named.matcher(at.get().text()).find()) {
            return at;
        }
        // Only nearby statements: a field of the same name read elsewhere in the program is not this one.
        Line best = null;
        for (Line l : lines) {
            int distance = Math.abs(l.insn() - insn);
            if (distance <= NEARBY && named.matcher(l.text()).find() && (best == null || distance < Math.abs(best.insn() - insn))) {
                best = l;
            }
        }
        return Optional.ofNullable(best);
    }

    /** How far (in instructions) clang moves a CO-RE constant from its statement, with room to spare. */
    private static final int NEARBY = 32;

    /** The last instruction a verifier log shows being checked: where it failed. */
    static Optional<Integer> lastInstruction(String log) {
        Matcher m = INSN.matcher(log);
        Integer last = null;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return Optional.ofNullable(last);
    }
}

package io.bpf4j.link;

import java.util.regex.Pattern;

/** The globs of kprobe.multi and uprobe.multi sections ({@code *} any run, {@code ?} one character). */
final class Globs {
    private Globs() {
    }

    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    /** "1 function", "3 functions": how many a glob matched, for link descriptions. */
    static String functionCount(int n) {
        return n + (n == 1 ? " function" : " functions");
    }
}

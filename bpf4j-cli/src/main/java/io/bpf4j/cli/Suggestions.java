package io.bpf4j.cli;

import java.util.Collection;
import java.util.List;

/** "Did you mean ...?" for a mistyped verb or option: the known names a couple of edits away. */
final class Suggestions {
    private Suggestions() {
    }

    static String of(String typed, Collection<String> known) {
        List<String> close = known.stream().filter(k -> distance(typed, k) <= Math.max(2, typed.length() / 3)
                || (typed.length() >= 3 && k.startsWith(typed))).toList();
        return close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

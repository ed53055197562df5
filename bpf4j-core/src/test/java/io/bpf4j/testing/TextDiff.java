package io.bpf4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

/** Compares long texts (whole headers, dumps) and reports the first differing line, not megabytes. */
public final class TextDiff {
    private TextDiff() {
    }

    public static void assertSameText(String expected, String actual, String what) {
        if (expected.equals(actual)) {
            return;
        }
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        int n = Math.min(e.length, a.length);
        int i = 0;
        while (i < n && e[i].equals(a[i])) {
            i++;
        }
        StringBuilder sb = new StringBuilder(what).append(" differs at line ").append(i + 1)
                .append(" (expected ").append(e.length).append(" lines, got ").append(a.length).append(")\n");
        for (int k = Math.max(0, i - 3); k < Math.min(Math.max(e.length, a.length), i + 4); k++) {
            sb.append(String.format("%6d expected: %s%n", k + 1, k < e.length ? e[k] : "<end>"));
            sb.append(String.format("%6d actual:   %s%n", k + 1, k < a.length ? a[k] : "<end>"));
        }
        fail(sb.toString());
    }
}

package io.bpf4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @FILE} on the command line stands for the words in FILE, as javac and clang read them: words
 * are separated by white space, '...' and "..." keep spaces inside one word, a line starting with '#'
 * is a comment. Long --set and --attach lists live in a file that way. {@code @@x} is the word
 * {@code @x}; nothing after {@code --} (the command 'bpf4j run' starts) is expanded.
 */
final class ArgFiles {
    private ArgFiles() {
    }

    /** The words with every @FILE replaced by its words; errors name {@code top}, the command whose help applies. */
    static List<String> expand(List<String> words, Args top) {
        List<String> out = new ArrayList<>();
        boolean rest = false;
        for (String w : words) {
            if (rest || w.length() < 2 || w.charAt(0) != '@') {
                rest |= w.equals("--");
                out.add(w);
            } else if (w.charAt(1) == '@') {
                out.add(w.substring(1));
            } else {
                out.addAll(read(Path.of(w.substring(1)), top));
            }
        }
        return out;
    }

    private static List<String> read(Path file, Args top) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException(top, "@" + file + ": cannot read the argument file (" + e.getMessage() + ")");
        }
        List<String> words = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.strip().startsWith("#")) {
                continue;
            }
            split(line, file, words, top);
        }
        return words;
    }

    private static void split(String line, Path file, List<String> words, Args top) {
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new UsageException(top, "@" + file + ": a " + quote + " is not closed on the line: " + line.strip());
        }
        if (word != null) {
            words.add(word.toString());
        }
    }
}

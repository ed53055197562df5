package io.bpf4j.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    record Run(int code, String out, String err) {
    }

    /** Runs the CLI in-process with standard output and error captured. */
    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void helpListsEveryVerb() {
        Run r = run("--help");
        assertEquals(0, r.code());
        for (var sub : Main.commandLine().getSubcommands().keySet()) {
            assertTrue(r.out().contains("  " + sub), "help lists " + sub + ":\n" + r.out());
        }
    }

    @Test
    void unknownVerbIsAUsageError() {
        Run r = run("frobnicate");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("frobnicate"), r.err());
        assertFalse(r.err().contains("at io.bpf4j"), "no stack trace: " + r.err());
    }

    @Test
    void badOptionIsAUsageError() {
        Run r = run("doctor", "--no-such-option");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--no-such-option"), r.err());
    }

    @Test
    void versionNamesTheProject() {
        Run r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("bpf4j "), r.out());
    }

    @Test
    void doctorJsonIsOneObjectWithChecks() {
        Run r = run("doctor", "--json");
        assertEquals(0, r.code());
        String json = r.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        assertTrue(json.contains("\"name\": \"btf\""), json);
        assertTrue(json.contains("\"failures\": "), json);
    }
}

package io.bpf4j.cli;

import io.bpf4j.testing.TestPrograms;
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
        Args top = new Args("bpf4j");
        new Main().declare(top);
        assertTrue(top.verbs.size() >= 8, top.verbs.keySet().toString());
        for (var sub : top.verbs.keySet()) {
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
    void aMistypedVerbGetsASuggestion() {
        Run r = run("docter");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown command 'docter'; did you mean doctor?"), r.err());
        assertTrue(r.err().contains("Try 'bpf4j --help'"), r.err());
    }

    @Test
    void eachVerbHasItsHelpByFlagOrByHelpVerb() {
        Run flag = run("run", "--help");
        assertEquals(0, flag.code());
        assertTrue(flag.out().startsWith("Usage: bpf4j run [OPTIONS] FILE [CMD...]"), flag.out());
        assertTrue(flag.out().contains("--attach=PROG=TARGET") && flag.out().contains("--set=NAME=VALUE"), flag.out());
        Run verb = run("help", "prog", "load");
        assertEquals(0, verb.code());
        assertTrue(verb.out().startsWith("Usage: bpf4j prog load [OPTIONS] OBJ PINDIR"), verb.out());
        Run group = run("prog");
        assertEquals(0, group.code());
        assertTrue(group.out().contains("Commands:") && group.out().contains("  unload"), group.out());
    }

    @Test
    void missingAndMalformedValuesAreUsageErrors() {
        Run missing = run("object", "info");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("missing OBJ") && missing.err().contains("Try 'bpf4j object info --help'"), missing.err());
        Run notANumber = run("test-run", "x.bpf.o", "--repeat=lots");
        assertEquals(2, notANumber.code());
        assertTrue(notANumber.err().contains("invalid value for --repeat: 'lots'"), notANumber.err());
        Run noValue = run("btf", "dump", "-o");
        assertEquals(2, noValue.code());
        assertTrue(noValue.err().contains("option '-o' needs a value"), noValue.err());
        Run flagWithValue = run("doctor", "--json=yes");
        assertEquals(2, flagWithValue.code());
        assertTrue(flagWithValue.err().contains("option '--json' takes no value"), flagWithValue.err());
        Run extra = run("object", "disasm", "a.o", "prog", "more");
        assertEquals(2, extra.code());
        assertTrue(extra.err().contains("unexpected argument 'more'"), extra.err());
        Run twice = run("test-run", "x.bpf.o", "--repeat", "2", "--repeat", "3");
        assertEquals(2, twice.code());
        assertTrue(twice.err().contains("option '--repeat' is given twice"), twice.err());
        Run forgotten = run("run", "x.bpf.o", "--pin", "--json");
        assertEquals(2, forgotten.code());
        assertTrue(forgotten.err().contains("option '--pin' needs a value"), forgotten.err());
        Run dumpWords = run("btf", "dump", "a", "b", "c");
        assertEquals(2, dumpWords.code());
        assertTrue(dumpWords.err().contains("unexpected arguments"), dumpWords.err());
    }

    @Test
    @io.bpf4j.testing.Requires(io.bpf4j.testing.Requirement.CLANG)
    void shortOptionsTakeTheirValueAttachedOrNext(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        byte[] btf = java.nio.file.Files.readAllBytes(TestPrograms.compile("run_probe.bpf.c"));
        java.nio.file.Path obj = java.nio.file.Files.write(dir.resolve("m.o"), btf);
        for (String[] form : new String[][] {{"-o" + dir.resolve("a.h")}, {"-o=" + dir.resolve("b.h")}, {"-o", dir.resolve("c.h").toString()},
                {"--output=" + dir.resolve("d.h")}}) {
            String[] args = new String[form.length + 3];
            args[0] = "btf";
            args[1] = "dump";
            args[2] = obj.toString();
            System.arraycopy(form, 0, args, 3, form.length);
            Run r = run(args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
        }
        for (String name : new String[] {"a.h", "b.h", "c.h", "d.h"}) {
            assertTrue(java.nio.file.Files.readString(dir.resolve(name)).contains("#ifndef __VMLINUX_H__"), name);
        }
    }

    @Test
    void helpNeverRunsTheVerb() {
        Run afterDashes = run("help", "run", "--");
        assertEquals(0, afterDashes.code(), afterDashes.err());
        assertTrue(afterDashes.out().startsWith("Usage: bpf4j run"), afterDashes.out());
        Run withArgs = run("prog", "show", "1", "2", "--help");
        assertEquals(0, withArgs.code(), withArgs.err());
        assertTrue(withArgs.out().startsWith("Usage: bpf4j prog show"), withArgs.out());
        Run unknown = run("help", "frob");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("has no command 'frob'"), unknown.err());
    }

    /** The launcher's AOT training run: hidden from the help, and it leaves nothing loaded. */
    @Test
    @io.bpf4j.testing.Requires({io.bpf4j.testing.Requirement.ROOT, io.bpf4j.testing.Requirement.CLANG})
    void aotTrainingRunsHiddenAndLeavesNothingLoaded() {
        assertFalse(run("--help").out().contains("aot"), "not a verb for users");
        int before = io.bpf4j.sys.Bpf.ids(io.bpf4j.sys.ObjectKind.PROG).length;
        Run r = run("__aot-training");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("aot training: vmlinux.h, compiled, loaded and closed"), r.err());
        assertEquals(before, io.bpf4j.sys.Bpf.ids(io.bpf4j.sys.ObjectKind.PROG).length, "the training's program was unloaded");
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

    /** @FILE reads words from a file, as javac and clang do; not after "--", and @@ escapes. */
    @Test
    void argumentFilesAreExpanded(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path words = dir.resolve("args");
        java.nio.file.Files.writeString(words, "# what to list\nobject sections\n  --json\n");
        Run listed = run("@" + words);
        assertEquals(0, listed.code(), listed.err());
        assertTrue(listed.out().strip().startsWith("[") && listed.out().contains("\"section\": \"tracepoint+\""), listed.out());

        java.nio.file.Path quoted = dir.resolve("quoted");
        java.nio.file.Files.writeString(quoted, "object info '" + dir.resolve("no such file.o") + "'\n");
        Run one = run("@" + quoted);
        assertEquals(1, one.code(), one.err());
        assertTrue(one.err().contains(dir.resolve("no such file.o") + ": no such file"), "one word, spaces kept: " + one.err());

        Run missing = run("@" + dir.resolve("absent"));
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("@" + dir.resolve("absent") + ": cannot read the argument file"), missing.err());

        Run escaped = run("object", "info", "@@x.o");
        assertEquals(1, escaped.code());
        assertTrue(escaped.err().contains("@x.o: no such file"), escaped.err());
    }
}

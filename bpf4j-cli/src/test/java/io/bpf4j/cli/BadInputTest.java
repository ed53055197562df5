package io.bpf4j.cli;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Input a user gets wrong: one clear message, exit 1, no stack trace, nothing loaded. */
@Requires({Requirement.ROOT, Requirement.CLANG})
class BadInputTest {
    @Test
    void unknownSectionNameSaysWhichNamesExist() throws Exception {
        Path obj = TestPrograms.compile("unknown_section.bpf.c");
        CliProcess.Result r = CliProcess.run("test-run", obj.toString());
        assertEquals(1, r.code(), r.output());
        assertTrue(r.output().contains("unknown section name 'not_a_section/anything'"), r.output());
        assertTrue(r.output().contains("tracepoint/CATEGORY/NAME"), "names the known forms: " + r.output());
        assertFalse(r.output().contains("\tat "), r.output());
        // The command the message points at lists every name, with what it loads as.
        assertTrue(r.output().contains("'bpf4j object sections' lists them all"), r.output());
        CliProcess.Result sections = CliProcess.run("object", "sections");
        assertEquals(0, sections.code(), sections.output());
        assertTrue(sections.output().lines().anyMatch(l -> l.matches("tracepoint\\+ +tracepoint +- +tracepoint, where the section says")),
                sections.output());
        assertTrue(sections.output().lines().anyMatch(l -> l.matches("uprobe\\.session\\.s\\+ +kprobe +trace_uprobe_session +yes .*")),
                sections.output());
    }

    @Test
    void corruptObjectIsAFormatError(@TempDir Path dir) throws Exception {
        byte[] good = Files.readAllBytes(TestPrograms.compile("run_probe.bpf.c"));
        Path bad = dir.resolve("cut.bpf.o");
        Files.write(bad, java.util.Arrays.copyOf(good, good.length / 3));
        CliProcess.Result r = CliProcess.run("object", "info", bad.toString());
        assertEquals(1, r.code(), r.output());
        assertTrue(r.output().contains("malformed ELF"), r.output());
        assertFalse(r.output().contains("\tat "), r.output());
    }

    /** As nobody (no capabilities), loading fails with the fix; doctor still reports, as failures with fixes. */
    @Test
    void nonRootUserIsToldWhatToDo(@TempDir Path dir) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            throw new AssertionError("setpriv (util-linux) is needed to run as another user");
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        String classpath = readableCopy(dir);
        Path obj = dir.resolve("probe.bpf.o");
        Files.copy(TestPrograms.compile("run_probe.bpf.c"), obj);
        obj.toFile().setReadable(true, false);

        CliProcess.Result load = asNobody(classpath, "test-run", obj.toString());
        assertEquals(1, load.code(), load.output());
        assertTrue(load.output().contains("root") && load.output().contains("CAP_BPF"), load.output());
        assertFalse(load.output().contains("\tat "), load.output());

        CliProcess.Result doctor = asNobody(classpath, "doctor");
        assertEquals(0, doctor.code(), doctor.output());
        assertTrue(doctor.output().contains("FAIL  cap_bpf"), doctor.output());
        assertTrue(doctor.output().contains("fix: run as root"), doctor.output());
    }

    private static CliProcess.Result asNobody(String classpath, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classpath, "io.bpf4j.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).directory(new File("/")).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new CliProcess.Result(p.waitFor(), out);
    }

    /** The test class path, copied where user nobody can read it (~/.m2 is root's own). */
    private static String readableCopy(Path dir) throws Exception {
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(e);
            if (!Files.exists(src)) {
                continue;
            }
            Path dst = dir.resolve("cp" + i++ + (Files.isDirectory(src) ? "" : ".jar"));
            if (Files.isDirectory(src)) {
                try (Stream<Path> walk = Files.walk(src)) {
                    for (Path p : walk.toList()) {
                        Path t = dst.resolve(src.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                        }
                        t.toFile().setReadable(true, false);
                        t.toFile().setExecutable(Files.isDirectory(t), false);
                    }
                }
            } else {
                Files.copy(src, dst);
                dst.toFile().setReadable(true, false);
            }
            entries.add(dst.toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}

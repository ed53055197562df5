package io.bpf4j.testing.qemu;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A file put into the guest's initramfs at an absolute guest path.
 *
 * @param guestPath  where it appears in the guest, e.g. {@code /job/app.jar}
 * @param content    its bytes
 * @param executable whether it gets mode 0755 rather than 0644
 */
public record GuestFile(String guestPath, byte[] content, boolean executable) {
    public GuestFile {
        GuestJob.checkGuestPath(guestPath);
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /** A host file's current bytes, keeping its executable bit. */
    public static GuestFile copyOf(Path hostFile, String guestPath) {
        try {
            return new GuestFile(guestPath, Files.readAllBytes(hostFile), Files.isExecutable(hostFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + hostFile + " for the guest", e);
        }
    }

    public static GuestFile text(String guestPath, String text) {
        return new GuestFile(guestPath, text.getBytes(StandardCharsets.UTF_8), false);
    }

    /** Where {@link #testClasspath()} puts its jar in the guest. */
    public static final String TEST_CLASSPATH_JAR = "/job/test-classpath.jar";

    /**
     * The module under test's {@code target/classes} and {@code target/test-classes} as one jar at
     * {@link #TEST_CLASSPATH_JAR}: with {@link GuestRuntime#javaCommand} a test runs a {@code main}
     * of its own test sources, calling bpf4j, inside the guest. JUnit is not in it: such mains must
     * not use JUnit classes.
     */
    public static GuestFile testClasspath() {
        Path classes = Path.of("target/classes").toAbsolutePath();
        Path testClasses = Path.of("target/test-classes").toAbsolutePath();
        return jar(TEST_CLASSPATH_JAR, Stream.of(classes, testClasses).filter(Files::isDirectory).toArray(Path[]::new));
    }

    /**
     * A jar of the class files under the given directories (e.g. {@code target/classes}), so
     * that code built on the host, bpf4j's own included, runs in the guest's JVM.
     */
    public static GuestFile jar(String guestPath, Path... classDirectories) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            for (Path dir : classDirectories) {
                try (Stream<Path> s = Files.walk(dir)) {
                    for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                        String name = dir.relativize(p).toString().replace('\\', '/');
                        if (name.equals("META-INF/MANIFEST.MF")) {
                            continue;
                        }
                        jar.putNextEntry(new JarEntry(name));
                        jar.write(Files.readAllBytes(p));
                        jar.closeEntry();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build a jar for the guest from " + java.util.Arrays.toString(classDirectories), e);
        }
        return new GuestFile(guestPath, bytes.toByteArray(), false);
    }
}

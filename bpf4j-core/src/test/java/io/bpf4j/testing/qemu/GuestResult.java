package io.bpf4j.testing.qemu;

import java.time.Duration;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The outcome of a {@link GuestJob}.
 *
 * @param exitCode      the job script's exit code in the guest
 * @param consoleOutput everything the guest printed on its serial console (BIOS noise included)
 * @param jobOutput     only what the job script printed (stdout and stderr), line ends normalized to \n
 * @param files         the collected guest files that existed, by guest path
 * @param elapsed       from QEMU's start to its exit
 */
public record GuestResult(int exitCode, String consoleOutput, String jobOutput, Map<String, byte[]> files,
                          Duration elapsed) {
    public GuestResult {
        files = Map.copyOf(files);
    }

    /** A collected file, or empty when it did not exist in the guest. */
    public Optional<byte[]> file(String guestPath) {
        return Optional.ofNullable(files.get(guestPath)).map(byte[]::clone);
    }

    /**
     * For the test log: how long the boot took, the {@code TIME ...} lines the guest program printed,
     * and its whole output; {@code what} says what the boot did ("boot + ksym checks").
     */
    public String report(String what) {
        return "QEMU guest: " + what + " took " + elapsed.toMillis() + " ms; in the guest: "
                + String.join(", ", jobOutput.lines().filter(l -> l.startsWith("TIME ")).toList())
                + "\nthe guest's output:\n" + jobOutput;
    }

    /** A collected file that must exist. */
    public byte[] requireFile(String guestPath) {
        return file(guestPath).orElseThrow(() -> new NoSuchElementException(
                "the guest had no " + guestPath + "; job output:\n" + jobOutput));
    }
}

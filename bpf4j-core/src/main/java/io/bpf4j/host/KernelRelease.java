package io.bpf4j.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The running kernel's release string and its numeric version. */
public final class KernelRelease {
    private static final Pattern NUMBERS = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    private KernelRelease() {
    }

    /** uname -r, e.g. "6.18.44-fc-v782". */
    public static String current() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    /**
     * The version as the kernel's KERNEL_VERSION(a, b, c) macro encodes it, with the sublevel capped
     * at 255 the way the kernel itself caps LINUX_VERSION_CODE.
     */
    public static int versionCode(String release) {
        Matcher m = NUMBERS.matcher(release);
        if (!m.find()) {
            return 0;
        }
        int a = Integer.parseInt(m.group(1));
        int b = Integer.parseInt(m.group(2));
        int c = m.group(3) == null ? 0 : Math.min(255, Integer.parseInt(m.group(3)));
        return (a << 16) + (b << 8) + c;
    }
}

package io.bpf4j.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel's build configuration, read from /proc/config.gz (CONFIG_IKCONFIG_PROC) or
 * /boot/config-RELEASE. Used by doctor, by the loader for {@code .kconfig} externs and by attach
 * code to explain why a kind of probe is missing.
 */
public final class KernelConfig {
    private final Map<String, String> values;
    private final String source;

    private KernelConfig(Map<String, String> values, String source) {
        this.values = Collections.unmodifiableMap(values);
        this.source = source;
    }

    private static volatile KernelConfig running;

    /** The running kernel's config, read once; empty (source "none") when neither file is readable. */
    public static KernelConfig running() {
        KernelConfig k = running;
        if (k == null) {
            k = readRunning();
            running = k;
        }
        return k;
    }

    private static KernelConfig readRunning() {
        Path gz = Path.of("/proc/config.gz");
        if (Files.isReadable(gz)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                return parse(in, gz.toString());
            } catch (IOException ignored) {
                // fall through to /boot
            }
        }
        Path boot = Path.of("/boot/config-" + KernelRelease.current());
        if (Files.isReadable(boot)) {
            try (InputStream in = Files.newInputStream(boot)) {
                return parse(in, boot.toString());
            } catch (IOException ignored) {
                // neither is readable
            }
        }
        return new KernelConfig(Map.of(), "none");
    }

    /** Parses the "CONFIG_X=y" / "# CONFIG_X is not set" text of a kernel .config. */
    public static KernelConfig parse(InputStream in, String source) throws IOException {
        Map<String, String> map = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("CONFIG_")) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        map.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                } else if (line.startsWith("# CONFIG_") && line.endsWith(" is not set")) {
                    map.put(line.substring(2, line.length() - " is not set".length()), "n");
                }
            }
        }
        return new KernelConfig(map, source);
    }

    /** Where the config came from ("/proc/config.gz", a /boot path, or "none"). */
    public String source() {
        return source;
    }

    public boolean available() {
        return !values.isEmpty();
    }

    /** The raw value ("y", "m", "n", a number or a quoted string) when the option is mentioned. */
    public Optional<String> value(String option) {
        return Optional.ofNullable(values.get(option));
    }

    /** True when the option is built in or a module. */
    public boolean enabled(String option) {
        String v = values.get(option);
        return "y".equals(v) || "m".equals(v);
    }
}

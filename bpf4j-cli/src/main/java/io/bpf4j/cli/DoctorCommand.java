package io.bpf4j.cli;

import io.bpf4j.host.Capabilities;
import io.bpf4j.host.Check;
import io.bpf4j.host.Doctor;
import io.bpf4j.link.AttachProbes;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class DoctorCommand implements Verb {
    boolean json;
    boolean noProbes;

    @Override
    public void declare(Args a) {
        a.describe("Check what this machine can do with BPF, and how to fix what is missing.")
                .flag("--json", "Print the checks as one JSON object.", () -> json = true)
                .flag("--no-probes", "Skip the lines that load and attach test programs.", () -> noProbes = true);
    }

    @Override
    public Integer call() {
        List<Check> checks = new ArrayList<>(Doctor.run());
        if (!noProbes) {
            if (Capabilities.ofCurrentProcess().has(Capabilities.Cap.CAP_BPF)) {
                checks.addAll(AttachProbes.run());
            } else {
                checks.add(Check.fail("probes", "program and attach probes skipped: they need CAP_BPF",
                        "run as root (sudo ./bpf4j doctor) to see which program types and attach kinds work"));
            }
        }
        PrintStream out = System.out;
        if (json) {
            List<Object> rows = new ArrayList<>();
            for (Check c : checks) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", c.name());
                row.put("status", c.status().name().toLowerCase(java.util.Locale.ROOT));
                row.put("detail", c.detail());
                if (!c.fix().isEmpty()) {
                    row.put("fix", c.fix());
                }
                rows.add(row);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("checks", rows);
            doc.put("failures", checks.stream().filter(c -> c.status() == Check.Status.FAIL).count());
            out.println(Json.write(doc));
        } else {
            int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(10);
            for (Check c : checks) {
                String status = switch (c.status()) {
                    case OK -> "ok  ";
                    case WARN -> "warn";
                    case FAIL -> "FAIL";
                };
                out.printf("%s  %-" + width + "s  %s%n", status, c.name(), c.detail());
                if (!c.fix().isEmpty()) {
                    out.printf("      %" + width + "s  fix: %s%n", "", c.fix());
                }
            }
            long fails = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
            long warns = checks.stream().filter(c -> c.status() == Check.Status.WARN).count();
            out.printf("%d ok, %d warnings, %d failures%n", checks.size() - fails - warns, warns, fails);
        }
        // Doctor reports; it does not fail the shell because the machine lacks an optional feature.
        return 0;
    }
}

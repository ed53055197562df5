package io.bpf4j.cli;

import io.bpf4j.host.Check;
import io.bpf4j.host.Doctor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "doctor", description = "Check what this machine can do with BPF, and how to fix what is missing.")
final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the checks as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        List<Check> checks = Doctor.run();
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

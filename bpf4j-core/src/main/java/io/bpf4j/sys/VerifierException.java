package io.bpf4j.sys;

/**
 * The kernel refused a program (BPF_PROG_LOAD) or a BTF blob (BPF_BTF_LOAD), with EACCES or EINVAL.
 * {@link #log()} is the verifier's full log; the message carries its last lines, where the reason is.
 */
public final class VerifierException extends BpfException {
    private static final long serialVersionUID = 1L;
    private static final int TAIL_LINES = 20;

    private final String log;
    private final String objectName;

    VerifierException(String command, int errno, String objectName, String log) {
        super(command, errno, message(command, errno, objectName, log));
        this.log = log;
        this.objectName = objectName;
    }

    /** The verifier log as the kernel wrote it (empty when none was requested and none could be fetched). */
    public String log() {
        return log;
    }

    /** The program or BTF object named in the load, e.g. "program 'count_packets'". */
    public String objectName() {
        return objectName;
    }

    private static String message(String command, int errno, String objectName, String log) {
        String what = command.equals("BPF_BTF_LOAD") ? "the kernel rejected the BTF of " : "the verifier rejected ";
        StringBuilder sb = new StringBuilder(what).append(objectName).append(" (").append(Errno.of(errno))
                .append(")");
        String tail = tail(log);
        if (tail.isEmpty()) {
            sb.append(" and wrote no log; load it again with log level 1 or 2 to see why");
        } else {
            sb.append(":\n").append(tail);
            sb.append("\nFix the code at the last instruction shown; the full log is in VerifierException.log()");
        }
        return sb.toString();
    }

    static String tail(String log) {
        String[] lines = log.strip().split("\n");
        if (lines.length == 1 && lines[0].isEmpty()) {
            return "";
        }
        int from = Math.max(0, lines.length - TAIL_LINES);
        StringBuilder sb = new StringBuilder();
        if (from > 0) {
            sb.append("  ... (").append(from).append(" earlier lines)\n");
        }
        for (int i = from; i < lines.length; i++) {
            sb.append("  ").append(lines[i]);
            if (i < lines.length - 1) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}

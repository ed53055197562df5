package io.bpf4j.host;

/**
 * One line of {@code bpf4j doctor}: what was checked, how it went, what was found and, for a warning
 * or a failure, what to do about it.
 */
public record Check(String name, Status status, String detail, String fix) {
    public enum Status { OK, WARN, FAIL }

    public static Check ok(String name, String detail) {
        return new Check(name, Status.OK, detail, "");
    }

    public static Check warn(String name, String detail, String fix) {
        return new Check(name, Status.WARN, detail, fix);
    }

    public static Check fail(String name, String detail, String fix) {
        return new Check(name, Status.FAIL, detail, fix);
    }
}

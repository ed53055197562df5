package io.bpf4j.sys;

/** The errno values the bpf(2), perf_event_open(2) and friends report, with their Linux numbers. */
public enum Errno {
    EPERM(1, "operation not permitted"),
    ENOENT(2, "no such element or object"),
    ESRCH(3, "no such process"),
    EINTR(4, "interrupted"),
    EIO(5, "I/O error"),
    E2BIG(7, "argument list too long / too big"),
    EBADF(9, "bad file descriptor"),
    EAGAIN(11, "try again"),
    ENOMEM(12, "out of memory"),
    EACCES(13, "permission denied"),
    EFAULT(14, "bad address"),
    EBUSY(16, "device or resource busy"),
    EEXIST(17, "already exists"),
    ENODEV(19, "no such device"),
    ENOTDIR(20, "not a directory"),
    EINVAL(22, "invalid argument"),
    ENFILE(23, "file table overflow"),
    EMFILE(24, "too many open files"),
    ENOTTY(25, "inappropriate ioctl for device"),
    ENOSPC(28, "no space left"),
    ERANGE(34, "out of range"),
    ENOSYS(38, "function not implemented"),
    ELOOP(40, "too many symbolic links / loop detected"),
    EOPNOTSUPP(95, "operation not supported"),
    ENOTSUPP(524, "operation not supported (kernel-internal ENOTSUPP)"),
    UNKNOWN(-1, "unknown error");

    private final int number;
    private final String description;

    Errno(int number, String description) {
        this.number = number;
        this.description = description;
    }

    public int number() {
        return number;
    }

    public String description() {
        return description;
    }

    /** The constant for an errno number; {@link #UNKNOWN} when this table does not name it. */
    public static Errno of(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return e;
            }
        }
        return UNKNOWN;
    }
}

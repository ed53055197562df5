package io.bpf4j.sys;

import io.bpf4j.Bpf4jException;

/**
 * A bpf(2) (or perf_event_open, ioctl, mmap) call failed. Carries the errno and the command; the
 * message names the object involved, the cause and what to do. The nested subclasses let callers
 * catch the cases they handle (a missing key, a missing feature) without parsing messages.
 */
public sealed class BpfException extends Bpf4jException permits BpfException.PermissionDenied,
        BpfException.NotFound, BpfException.AlreadyExists, BpfException.BadFd, BpfException.NotSupported,
        BpfException.OutOfMemory, BpfException.TooBig, BpfException.BadAddress, BpfException.LogTooSmall,
        BpfException.InvalidArgument, VerifierException {
    private static final long serialVersionUID = 1L;

    private final Errno errno;
    private final int errnoNumber;
    private final String command;

    BpfException(String command, int errnoNumber, String message) {
        super(message);
        this.command = command;
        this.errnoNumber = errnoNumber;
        this.errno = Errno.of(errnoNumber);
    }

    /** The errno constant; {@link Errno#UNKNOWN} for numbers outside the table (see {@link #errnoNumber()}). */
    public Errno errno() {
        return errno;
    }

    public int errnoNumber() {
        return errnoNumber;
    }

    /** The failed call, e.g. "BPF_MAP_CREATE" or "perf_event_open". */
    public String command() {
        return command;
    }

    /** EPERM: the process lacks the capability, or the system forbids BPF for it. */
    public static final class PermissionDenied extends BpfException {
        private static final long serialVersionUID = 1L;

        PermissionDenied(String command, int errno, String message) {
            super(command, errno, message);
        }
    }

    /** ENOENT: no such key, id, path or object. */
    public static final class NotFound extends BpfException {
        private static final long serialVersionUID = 1L;

        NotFound(String command, int errno, String message) {
            super(command, errno, message);
        }
    }

    /** EEXIST: the key (with BPF_NOEXIST) or the pin path already exists. */
    public static final class AlreadyExists extends BpfException {
        private static final long serialVersionUID = 1L;

        AlreadyExists(String command, int errno, String message) {
            super(command, errno, message);
        }
    }

    /** EBADF: the fd is not open, or not the kind of object the command wants. */
    public static final class BadFd extends BpfException {
        private static final long serialVersionUID = 1L;

        BadFd(String command, int errno, String message) {
            super(command, errno, message);
        }
    }

    /** ENOTSUPP (524) or EOPNOTSUPP: this kernel, map or program type does not support the operation. */
    public static final class NotSupported extends BpfException {
        private static final long serialVersionUID = 1L;

        NotSupported(String command, int errno, String message) {
            super(command, errno, message);
        }
    }

    /** ENOMEM: the kernel could not allocate (map too large, memlock/memcg limit). */
    public static final class OutOfMemory extends BpfException {
        private static final long serialVersionUID = 1L;

        OutOfMemory(String command, int errno, String message) {
            super(command, errno, message);
        }
    }

    /** E2BIG: map full, program too large, or an attr field the kernel does not know yet. */
    public static final class TooBig extends BpfException {
        private static final long serialVersionUID = 1L;

        TooBig(String command, int errno, String message) {
            super(command, errno, message);
        }
    }

    /** EFAULT: the kernel could not read or write a buffer we passed (a bug in bpf4j). */
    public static final class BadAddress extends BpfException {
        private static final long serialVersionUID = 1L;

        BadAddress(String command, int errno, String message) {
            super(command, errno, message);
        }
    }

    /** EINVAL (outside program/BTF loading), and any errno without a dedicated class. */
    public static final class InvalidArgument extends BpfException {
        private static final long serialVersionUID = 1L;

        InvalidArgument(String command, int errno, String message) {
            super(command, errno, message);
        }
    }

    /**
     * ENOSPC from PROG_LOAD/BTF_LOAD: the verifier log did not fit the buffer. {@link #logTrueSize()}
     * is the size the kernel needed (0 on kernels before 6.4); retry with a bigger buffer.
     */
    public static final class LogTooSmall extends BpfException {
        private static final long serialVersionUID = 1L;
        private final int logTrueSize;
        private final String partialLog;

        LogTooSmall(String command, int errno, String message, int logTrueSize, String partialLog) {
            super(command, errno, message);
            this.logTrueSize = logTrueSize;
            this.partialLog = partialLog;
        }

        public int logTrueSize() {
            return logTrueSize;
        }

        public String partialLog() {
            return partialLog;
        }
    }
}

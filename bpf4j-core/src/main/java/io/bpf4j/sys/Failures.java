package io.bpf4j.sys;

/** Turns a failed call (command, errno, the object involved) into the typed exception with the fix. */
final class Failures {
    private Failures() {
    }

    /**
     * @param command the call, e.g. "BPF_MAP_CREATE"
     * @param what    the object, e.g. "map 'counters'" or "program fd 7"
     */
    static BpfException of(String command, int errno, String what) {
        String head = command + " on " + what + " failed: " + Errno.of(errno).description() + " (" + name(errno) + "). ";
        return switch (Errno.of(errno)) {
            case EPERM -> new BpfException.PermissionDenied(command, errno, head
                    + "Run as root, or give the process CAP_BPF (plus CAP_PERFMON for tracing programs, CAP_NET_ADMIN"
                    + " for networking ones); check that sysctl kernel.unprivileged_bpf_disabled allows it and that"
                    + " kernel lockdown (/sys/kernel/security/lockdown) is not 'confidentiality'.");
            case EACCES -> new BpfException.PermissionDenied(command, errno, head
                    + "The kernel refused access: run as root (CAP_BPF/CAP_SYS_ADMIN); for a pinned object check the"
                    + " bpffs path's permissions.");
            case ENOENT -> new BpfException.NotFound(command, errno, head
                    + "The key, id, path or object does not exist (it may have been deleted or unpinned).");
            case EEXIST -> new BpfException.AlreadyExists(command, errno, head
                    + "It already exists: use BPF_ANY to overwrite an element, or remove the pinned file first.");
            case EBADF -> new BpfException.BadFd(command, errno, head
                    + "The file descriptor is closed or is not a BPF object of the expected kind.");
            case ENOTSUPP, EOPNOTSUPP -> new BpfException.NotSupported(command, errno, head
                    + "This kernel (or this map/program type) does not support the operation; check the kernel"
                    + " version and configuration with 'bpf4j doctor'.");
            case ENOMEM -> new BpfException.OutOfMemory(command, errno, head
                    + "The kernel could not allocate memory: make the map smaller (max_entries), or raise the memory"
                    + " cgroup limit (RLIMIT_MEMLOCK on kernels before 5.11).");
            case E2BIG -> new BpfException.TooBig(command, errno, head
                    + "The map is full, the program or value is too large, or an attribute is set that this older"
                    + " kernel does not know; delete elements, raise max_entries or drop the newer option.");
            case EFAULT -> new BpfException.BadAddress(command, errno, head
                    + "The kernel could not access a buffer passed to it; this is a bug in bpf4j, please report it.");
            case ENOSPC -> new BpfException.InvalidArgument(command, errno, head
                    + "The kernel ran out of space for the operation (a full map or buffer).");
            case EINVAL -> new BpfException.InvalidArgument(command, errno, head
                    + "The kernel refused an argument: check the map/program type, sizes and flags against what this"
                    + " kernel supports ('bpf4j doctor').");
            default -> new BpfException.InvalidArgument(command, errno, head
                    + "See the man page of bpf(2) for what this errno means for " + command + ".");
        };
    }

    /** The same exception type with the tail of a verifier log appended to its message. */
    static BpfException withLog(BpfException e, String log) {
        String tail = VerifierException.tail(log);
        if (tail.isEmpty()) {
            return e;
        }
        String message = e.getMessage() + "\nThe verifier log ends with:\n" + tail;
        return switch (e) {
            case BpfException.PermissionDenied p -> new BpfException.PermissionDenied(e.command(), e.errnoNumber(), message);
            case BpfException.NotFound p -> new BpfException.NotFound(e.command(), e.errnoNumber(), message);
            case BpfException.AlreadyExists p -> new BpfException.AlreadyExists(e.command(), e.errnoNumber(), message);
            case BpfException.BadFd p -> new BpfException.BadFd(e.command(), e.errnoNumber(), message);
            case BpfException.NotSupported p -> new BpfException.NotSupported(e.command(), e.errnoNumber(), message);
            case BpfException.OutOfMemory p -> new BpfException.OutOfMemory(e.command(), e.errnoNumber(), message);
            case BpfException.TooBig p -> new BpfException.TooBig(e.command(), e.errnoNumber(), message);
            case BpfException.BadAddress p -> new BpfException.BadAddress(e.command(), e.errnoNumber(), message);
            default -> new BpfException.InvalidArgument(e.command(), e.errnoNumber(), message);
        };
    }

    static String name(int errno) {
        Errno e = Errno.of(errno);
        return e == Errno.UNKNOWN ? "errno " + errno : e.name();
    }
}

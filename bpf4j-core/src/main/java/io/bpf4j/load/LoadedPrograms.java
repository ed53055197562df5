package io.bpf4j.load;

import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.ObjectKind;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Programs already in the kernel (loaded by bpf4j, libbpf or anything else), found by what a user can type. */
public final class LoadedPrograms {
    /** The kernel keeps a program's name in 16 bytes, the last a NUL (BPF_OBJ_NAME_LEN). */
    private static final int NAME_LEN = 15;
    private static final String FORMS = "give a pinned path (/sys/fs/bpf/...), id:N or the name of a loaded program "
            + "('bpftool prog show' lists them)";

    private LoadedPrograms() {
    }

    /** Opens the program {@code ref} names: a pinned path, {@code id:N}, or the name of exactly one loaded program. */
    public static Fd open(String ref) {
        if (ref.startsWith("/")) {
            return pinned(Path.of(ref));
        }
        if (ref.startsWith("id:")) {
            return byId(ref.substring(3));
        }
        return byName(ref);
    }

    private static Fd pinned(Path path) {
        if (!Files.exists(path)) {
            throw new LoadException("nothing is pinned at " + path + "; " + FORMS);
        }
        Fd fd;
        try {
            fd = Bpf.objGet(path, 0);
        } catch (BpfException.PermissionDenied e) {
            // What bpffs answers for a path that is not a pin (a directory, say), even to root.
            throw new LoadException(path + " is not a pinned BPF object" + (Files.isDirectory(path) ? "; name the program's pin "
                    + "inside it, e.g. " + path.resolve("PROG") : "") + "; " + FORMS, e);
        }
        String kind = fd.objectKind();
        if (!kind.equals("bpf-prog")) {
            fd.close();
            throw new LoadException(path + " is not a pinned program (it is a pinned " + kind + "); " + FORMS);
        }
        return fd;
    }

    private static Fd byId(String digits) {
        int id;
        try {
            id = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new LoadException("id:" + digits + " is not a program id; " + FORMS);
        }
        try {
            return Bpf.fdById(ObjectKind.PROG, id);
        } catch (BpfException.NotFound e) {
            throw new LoadException("no program has id " + id + "; " + FORMS, e);
        }
    }

    private static Fd byName(String name) {
        String kept = name.length() > NAME_LEN ? name.substring(0, NAME_LEN) : name;
        List<Integer> ids = new ArrayList<>();
        Fd found = null;
        for (int id : Bpf.ids(ObjectKind.PROG)) {
            Fd fd;
            try {
                fd = Bpf.fdById(ObjectKind.PROG, id);
            } catch (BpfException.NotFound e) {
                continue; // unloaded since the ids were listed
            }
            boolean named;
            try {
                named = Bpf.progInfo(fd).name().equals(kept);
            } catch (RuntimeException e) {
                fd.close();
                if (found != null) {
                    found.close();
                }
                throw e;
            }
            if (named) {
                ids.add(id);
                if (found == null) {
                    found = fd;
                    continue;
                }
            }
            fd.close();
        }
        if (ids.size() == 1) {
            return found;
        }
        if (found != null) {
            found.close();
        }
        if (ids.isEmpty()) {
            throw new LoadException("no loaded program is named " + name + "; " + FORMS);
        }
        throw new LoadException(ids.size() + " loaded programs are named " + name + " (ids "
                + String.join(", ", ids.stream().map(String::valueOf).toList()) + "): give id:N for one of them");
    }
}

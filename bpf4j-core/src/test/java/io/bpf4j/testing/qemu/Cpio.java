package io.bpf4j.testing.qemu;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The "newc" cpio format (the one the kernel unpacks as an initramfs): a writer for building guest
 * images and a reader for the archive the guest writes back. Format facts from the kernel's
 * Documentation/driver-api/early-userspace/buffer-format.rst: a 110-byte ASCII header of "070701"
 * and thirteen 8-digit hex fields, the NUL-terminated name, the data, each padded to 4 bytes, and a
 * final entry named "TRAILER!!!".
 */
final class Cpio {
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    private static final String MAGIC = "070701";
    private static final String TRAILER = "TRAILER!!!";
    private static final int HEADER_SIZE = 110;

    private Cpio() {
    }

    /** Streams entries to an output; parent directories are created implicitly, once each. */
    static final class Writer implements AutoCloseable {
        private final OutputStream out;
        private final Set<String> directories = new HashSet<>();
        private long written;
        private int inode = 1;

        Writer(OutputStream out) {
            this.out = out;
            directories.add("");
        }

        void directory(String path) throws IOException {
            String p = relative(path);
            if (directories.contains(p)) {
                return;
            }
            parents(p);
            directories.add(p);
            entry(p, S_IFDIR | 0755, new byte[0]);
        }

        void file(String path, byte[] content, boolean executable) throws IOException {
            String p = relative(path);
            parents(p);
            entry(p, S_IFREG | (executable ? 0755 : 0644), content);
        }

        void symlink(String path, String target) throws IOException {
            String p = relative(path);
            parents(p);
            entry(p, S_IFLNK | 0777, target.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws IOException {
            entry(TRAILER, 0, new byte[0]);
            out.flush();
        }

        private void parents(String p) throws IOException {
            int slash = p.lastIndexOf('/');
            if (slash > 0) {
                directory(p.substring(0, slash));
            }
        }

        private void entry(String name, int mode, byte[] data) throws IOException {
            byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
            StringBuilder h = new StringBuilder(HEADER_SIZE).append(MAGIC);
            // ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
            long[] fields = {inode++, mode, 0, 0, (mode & S_IFDIR) == S_IFDIR ? 2 : 1, 0, data.length, 0, 0, 0, 0,
                    nameBytes.length, 0};
            for (long f : fields) {
                h.append(String.format("%08x", f));
            }
            write(h.toString().getBytes(StandardCharsets.US_ASCII));
            write(nameBytes);
            pad();
            write(data);
            pad();
        }

        private void write(byte[] b) throws IOException {
            out.write(b);
            written += b.length;
        }

        private void pad() throws IOException {
            while (written % 4 != 0) {
                out.write(0);
                written++;
            }
        }

        private static String relative(String path) {
            String p = path;
            while (p.startsWith("/")) {
                p = p.substring(1);
            }
            while (p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            if (p.isEmpty() || p.contains("//") || p.contains("\0")) {
                throw new IllegalArgumentException("bad archive path '" + path + "'");
            }
            return p;
        }
    }

    /**
     * Reads the regular files of a newc archive that starts at offset 0 of {@code bytes}, up to the
     * trailer; names are made absolute ("./a/b" and "a/b" become "/a/b").
     */
    static Map<String, byte[]> readFiles(byte[] bytes) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        int pos = 0;
        while (true) {
            if (pos + HEADER_SIZE > bytes.length) {
                throw new IllegalStateException("cpio archive truncated at offset " + pos + " (no trailer)");
            }
            String magic = new String(bytes, pos, 6, StandardCharsets.US_ASCII);
            if (!magic.equals(MAGIC)) {
                throw new IllegalStateException("no newc cpio header at offset " + pos + " (found '" + magic + "')");
            }
            int mode = hexField(bytes, pos, 1);
            int size = hexField(bytes, pos, 6);
            int nameSize = hexField(bytes, pos, 11);
            int nameStart = pos + HEADER_SIZE;
            if (nameSize < 1 || nameStart + nameSize > bytes.length) {
                throw new IllegalStateException("cpio entry name out of bounds at offset " + pos);
            }
            String name = new String(bytes, nameStart, nameSize - 1, StandardCharsets.UTF_8);
            int dataStart = align4(nameStart + nameSize);
            if (name.equals(TRAILER)) {
                return files;
            }
            if (size < 0 || dataStart + (long) size > bytes.length) {
                throw new IllegalStateException("cpio entry '" + name + "' data out of bounds at offset " + pos);
            }
            if ((mode & 0170000) == S_IFREG) {
                byte[] data = new byte[size];
                System.arraycopy(bytes, dataStart, data, 0, size);
                files.put(absolute(name), data);
            }
            pos = align4(dataStart + size);
        }
    }

    private static String absolute(String name) {
        String n = name.startsWith("./") ? name.substring(1) : name;
        return n.startsWith("/") ? n : "/" + n;
    }

    private static int hexField(byte[] bytes, int entry, int index) {
        String s = new String(bytes, entry + 6 + 8 * index, 8, StandardCharsets.US_ASCII);
        try {
            return (int) Long.parseLong(s, 16);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("bad cpio header field '" + s + "' at offset " + entry);
        }
    }

    private static int align4(int v) {
        return (v + 3) & ~3;
    }
}

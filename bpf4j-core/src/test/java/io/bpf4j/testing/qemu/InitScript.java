package io.bpf4j.testing.qemu;

import java.util.List;

/**
 * Writes the guest's /init: mount the pseudo file systems bpf4j needs, insmod the job's modules,
 * run the job between two console markers, copy the collected files onto the output disk (a raw
 * virtio disk, as a newc cpio archive: the serial console moves ~100 KB/s under emulation, far too
 * slow for a 5 MB vmlinux BTF), then power off. Every marker carries a per-boot nonce, so no job
 * output or kernel message can be mistaken for one.
 */
final class InitScript {
    static final String JOB_SCRIPT = "/bpf4j/job.sh";
    static final String OUTPUT_DEVICE = "/dev/vda";
    /** The modules the output disk needs (the Debian cloud kernels build virtio as modules). */
    static final List<String> OUTPUT_DISK_MODULES = List.of("virtio_pci", "virtio_blk");

    private InitScript() {
    }

    static String modulePath(KernelModule m) {
        return "/bpf4j/modules/" + m.name() + ".ko";
    }

    /**
     * @param marker        the per-boot marker prefix
     * @param jobModules    insmod'ed before the job, in order
     * @param outputModules insmod'ed after the job when files are collected, in order
     * @param collect       guest paths to copy back
     */
    static String write(String marker, List<KernelModule> jobModules, List<KernelModule> outputModules,
                        List<String> collect) {
        StringBuilder s = new StringBuilder();
        s.append("""
                #!/bin/sh
                export PATH=/bin:/opt/java/bin HOME=/root
                M=%s
                fail() { echo "$M:FAILED:$*"; poweroff -f; }
                mount -t proc proc /proc
                mount -t sysfs sysfs /sys
                mount -t devtmpfs devtmpfs /dev
                mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
                mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
                mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
                mount -t bpf bpf /sys/fs/bpf 2>/dev/null
                """.formatted(marker));
        for (KernelModule m : jobModules) {
            s.append("insmod ").append(modulePath(m)).append(" || fail insmod ").append(m.name()).append('\n');
        }
        s.append("""
                echo "$M:JOB-BEGIN"
                cd /root
                /bin/sh %s </dev/null 2>&1
                echo "$M:JOB-END:$?"
                cd /
                """.formatted(JOB_SCRIPT));
        if (!collect.isEmpty()) {
            for (KernelModule m : outputModules) {
                s.append("insmod ").append(modulePath(m)).append(" || fail insmod ").append(m.name()).append('\n');
            }
            s.append("mkdir -p /bpf4j/out\n");
            for (String p : collect) {
                String parent = p.substring(0, p.lastIndexOf('/') + 1);
                // cat, not cp: sysfs and procfs files report sizes (or 0) that are not their contents.
                s.append("if [ -f ").append(p).append(" ]; then mkdir -p /bpf4j/out").append(parent)
                        .append(" && cat ").append(p).append(" > /bpf4j/out").append(p)
                        .append(" || fail copy ").append(p).append("; else echo \"$M:MISSING:").append(p)
                        .append("\"; fi\n");
            }
            s.append("""
                    i=0
                    while [ ! -b %1$s ] && [ $i -lt 200 ]; do usleep 50000; i=$((i+1)); done
                    [ -b %1$s ] || fail no output disk %1$s
                    (cd /bpf4j/out && find . -type f | cpio -o -H newc > /bpf4j/out.cpio) || fail cpio
                    cat /bpf4j/out.cpio > %1$s || fail write %1$s
                    sync
                    echo "$M:COLLECTED:$(wc -c < /bpf4j/out.cpio):$(sha256sum /bpf4j/out.cpio | cut -d' ' -f1)"
                    """.formatted(OUTPUT_DEVICE));
        }
        s.append("echo \"$M:DONE\"\npoweroff -f\n");
        return s.toString();
    }
}

/**
 * BTF, the BPF Type Format (kernel Documentation/bpf/btf.rst): the type information of the kernel
 * (/sys/kernel/btf/vmlinux), of kernel modules (split BTF on top of vmlinux) and of BPF objects
 * (their .BTF and .BTF.ext sections).
 *
 * <ul>
 *   <li>{@link io.bpf4j.btf.Btf} parses and holds a blob: types by id as {@link io.bpf4j.btf.BtfType}
 *       records, name lookups, resolution through typedefs and modifiers, size and alignment,
 *       re-encoding ({@code encode()}, {@code withType}, {@code of}) for the loader.</li>
 *   <li>{@link io.bpf4j.btf.BtfExt} reads .BTF.ext: func_info, line_info and CO-RE relocations per
 *       ELF section.</li>
 *   <li>{@link io.bpf4j.btf.CHeaderWriter} writes a C header (vmlinux.h) and
 *       {@link io.bpf4j.btf.RawDumpWriter} the raw listing, both as bpftool 7.1 prints them.</li>
 * </ul>
 *
 * Malformed input of any kind ends in {@link io.bpf4j.btf.BtfFormatException}.
 */
package io.bpf4j.btf;

package io.bpf4j.sys;

/**
 * A BTF object as the kernel describes it ({@code struct bpf_btf_info}).
 *
 * @param name       "vmlinux", a module name, or "" for a BTF blob loaded by a program's loader
 * @param kernelBtf  whether it is the kernel's or a module's own BTF
 */
public record BtfInfo(int id, int size, String name, boolean kernelBtf) {
}

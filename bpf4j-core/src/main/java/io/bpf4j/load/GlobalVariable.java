package io.bpf4j.load;

/**
 * A global variable of an object: where it lives (a data section and an offset in it) and its BTF type
 * in the object's BTF.
 *
 * @param name    the C name
 * @param section .data, .rodata, .bss, .data.NAME, .rodata.NAME
 * @param offset  byte offset in the section
 * @param size    size in bytes
 * @param typeId  BTF type id in the object's BTF
 */
public record GlobalVariable(String name, String section, int offset, int size, int typeId) {
    /** True for variables the program may only read (const volatile in .rodata): settable only before load. */
    public boolean readOnly() {
        return section.startsWith(".rodata");
    }
}

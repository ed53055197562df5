package io.bpf4j.sys;

/** The kinds of kernel BPF object that have ids: each has its own GET_NEXT_ID and GET_FD_BY_ID commands. */
public enum ObjectKind {
    PROG(BpfCommand.PROG_GET_NEXT_ID, BpfCommand.PROG_GET_FD_BY_ID),
    MAP(BpfCommand.MAP_GET_NEXT_ID, BpfCommand.MAP_GET_FD_BY_ID),
    BTF(BpfCommand.BTF_GET_NEXT_ID, BpfCommand.BTF_GET_FD_BY_ID),
    LINK(BpfCommand.LINK_GET_NEXT_ID, BpfCommand.LINK_GET_FD_BY_ID);

    final BpfCommand nextId;
    final BpfCommand fdById;

    ObjectKind(BpfCommand nextId, BpfCommand fdById) {
        this.nextId = nextId;
        this.fdById = fdById;
    }

    String kind() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

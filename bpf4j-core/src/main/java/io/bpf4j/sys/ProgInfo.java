package io.bpf4j.sys;

/**
 * A program as the kernel describes it ({@code struct bpf_prog_info}).
 *
 * @param type          the program type's number ({@link #progType()} names it)
 * @param tag           the 8-byte program tag as 16 hex digits, as bpftool prints it
 * @param loadTimeNs    ns since boot at load time
 * @param mapIds        ids of the maps the program uses
 * @param xlatedInsns   the kernel's translated instructions when requested, else an empty array
 * @param runTimeNs     total run time while stats are enabled (BPF_ENABLE_STATS)
 */
public record ProgInfo(int type, int id, String tag, int jitedProgLen, int xlatedProgLen, long loadTimeNs,
                       int createdByUid, int[] mapIds, String name, int ifindex, int btfId, long runTimeNs,
                       long runCnt, long recursionMisses, int verifiedInsns, int attachBtfObjId, int attachBtfId,
                       byte[] xlatedInsns) {
    public ProgType progType() {
        return ProgType.ofValue(type);
    }
}

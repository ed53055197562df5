package io.bpf4j.sys;

/** A map as the kernel describes it ({@code struct bpf_map_info}). */
public record MapInfo(int type, int id, int keySize, int valueSize, int maxEntries, int flags, String name,
                      int ifindex, int btfVmlinuxValueTypeId, int btfId, int btfKeyTypeId, int btfValueTypeId,
                      long mapExtra) {
    public MapType mapType() {
        return MapType.ofValue(type);
    }
}

package io.bpf4j.sys;

/**
 * A bpf_link as the kernel describes it ({@code struct bpf_link_info}): the common part and the
 * per-type target.
 */
public record LinkInfo(int type, int id, int progId, Target target) {
    public LinkType linkType() {
        return LinkType.ofValue(type);
    }

    /** What the link is attached to; the variant follows the link type. */
    public sealed interface Target {
    }

    public record RawTracepoint(String name) implements Target {
    }

    public record Tracing(int attachType, int targetObjId, int targetBtfId) implements Target {
    }

    public record Cgroup(long cgroupId, int attachType) implements Target {
    }

    public record Iter(String targetName, int mapId) implements Target {
    }

    public record Netns(int netnsIno, int attachType) implements Target {
    }

    public record Xdp(int ifindex) implements Target {
    }

    /** The raw bytes of the per-type union for link types this record does not decode. */
    public record Other(byte[] raw) implements Target {
    }
}

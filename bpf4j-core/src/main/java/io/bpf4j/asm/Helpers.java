package io.bpf4j.asm;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** BPF helper functions by id ({@code enum bpf_func_id} of linux/bpf.h) and by name. */
public final class Helpers {
    private static final Map<String, Integer> BY_NAME = new HashMap<>();

    static {
        for (int id = 1; id < HelperNames.BY_ID.length; id++) {
            BY_NAME.put("bpf_" + HelperNames.BY_ID[id], id);
        }
    }

    private Helpers() {
    }

    /** The helper's C name with its prefix, e.g. "bpf_map_lookup_elem" for 1; empty for unknown ids and 0. */
    public static Optional<String> name(long id) {
        if (id <= 0 || id >= HelperNames.BY_ID.length) {
            return Optional.empty();
        }
        return Optional.of("bpf_" + HelperNames.BY_ID[(int) id]);
    }

    /** The id of a helper by its C name ("bpf_ktime_get_ns"). */
    public static OptionalInt id(String name) {
        Integer id = BY_NAME.get(name);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** One past the largest id this table knows (the header's __BPF_FUNC_MAX_ID). */
    public static int maxId() {
        return HelperNames.BY_ID.length;
    }
}

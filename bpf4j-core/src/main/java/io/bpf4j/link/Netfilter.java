package io.bpf4j.link;

import io.bpf4j.load.BpfProgram;
import io.bpf4j.sys.AttachType;
import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.BpfException;
import io.bpf4j.sys.Fd;
import io.bpf4j.sys.LinkCreateAttr;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * netfilter programs (Linux 6.4+) on a hook of the IPv4 or IPv6 stack of bpf4j's network namespace:
 * target {@code FAMILY:HOOK[:PRIORITY][:defrag]}, e.g. {@code ipv4:output} or {@code ipv6:input:-100:defrag}.
 */
final class Netfilter {
    /** NFPROTO_* of linux/netfilter.h. */
    private static final Map<String, Integer> FAMILIES = Map.of("ipv4", 2, "ipv6", 10);
    /** NF_INET_* of linux/netfilter.h, by the names iptables and nft use. */
    private static final Map<String, Integer> HOOKS = Map.of("prerouting", 0, "input", 1, "forward", 2, "output", 3,
            "postrouting", 4);
    /** BPF_F_NETFILTER_IP_DEFRAG: the program sees reassembled packets. */
    private static final int DEFRAG = 1;
    private static final String FORMAT = "FAMILY:HOOK[:PRIORITY][:defrag] with FAMILY ipv4 or ipv6 and HOOK one of "
            + "prerouting, input, forward, output, postrouting (e.g. ipv4:input or ipv6:output:-50)";

    private Netfilter() {
    }

    /** The parsed target; priority 0 (nftables' filter priority) unless given. */
    record Hook(int family, int hook, int priority, boolean defrag) {
        static Hook parse(String target) {
            String[] parts = target.toLowerCase(Locale.ROOT).split(":");
            if (parts.length < 2 || parts.length > 4 || !FAMILIES.containsKey(parts[0]) || !HOOKS.containsKey(parts[1])) {
                throw new AttachException("netfilter target '" + target + "' is not " + FORMAT);
            }
            int priority = 0;
            boolean defrag = false;
            for (int i = 2; i < parts.length; i++) {
                if (parts[i].equals("defrag")) {
                    defrag = true;
                } else {
                    try {
                        priority = Integer.parseInt(parts[i]);
                    } catch (NumberFormatException e) {
                        throw new AttachException("netfilter target '" + target + "': '" + parts[i]
                                + "' is neither a priority (an integer) nor 'defrag'; the format is " + FORMAT);
                    }
                }
            }
            // The kernel keeps the extreme priorities for itself (NF_IP_PRI_FIRST and _LAST).
            if (priority == Integer.MIN_VALUE || priority == Integer.MAX_VALUE) {
                throw new AttachException("netfilter priority " + priority + " is reserved; use a value between them");
            }
            return new Hook(FAMILIES.get(parts[0]), HOOKS.get(parts[1]), priority, defrag);
        }
    }

    static Link attach(BpfProgram p, String target) {
        Hook h = Hook.parse(target);
        try {
            Fd link = Bpf.linkCreate(new LinkCreateAttr(p.fd(), 0, AttachType.NETFILTER, 0,
                    new LinkCreateAttr.Netfilter(h.family(), h.hook(), h.priority(), h.defrag() ? DEFRAG : 0)));
            return new Link(p, "netfilter " + target.toLowerCase(Locale.ROOT), link, List.of());
        } catch (BpfException.InvalidArgument | BpfException.NotSupported e) {
            throw new AttachException("program " + p.name() + ": the kernel refused netfilter hook " + target + " ("
                    + e.getMessage() + "); netfilter links need Linux 6.4+ with CONFIG_NETFILTER_BPF_LINK, and "
                    + "defrag needs Linux 6.6+ and a priority above -400 (after defragmentation)", e);
        }
    }
}

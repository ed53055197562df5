package io.bpf4j.link;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The message for a kernel whose active LSMs lack bpf; {@link GuestAttachTest} shows it on a real one. */
class BpfLsmTest {
    @Test
    void activeWhenBpfIsListed() {
        assertEquals(Optional.empty(), BpfLsm.whyInactive(List.of("lockdown", "capability", "bpf")));
    }

    @Test
    void inactiveNamesTheBootParameterWithTheCurrentListKept() {
        String why = BpfLsm.whyInactive(List.of("lockdown", "capability", "landlock", "yama", "apparmor")).orElseThrow();
        assertTrue(why.contains("lsm=lockdown,capability,landlock,yama,apparmor,bpf"), why);
        assertTrue(why.contains("CONFIG_BPF_LSM"), why);
    }
}

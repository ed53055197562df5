package io.bpf4j.link;

import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import io.bpf4j.testing.qemu.GuestFile;
import io.bpf4j.testing.qemu.GuestJob;
import io.bpf4j.testing.qemu.GuestLines;
import io.bpf4j.testing.qemu.GuestResult;
import io.bpf4j.testing.qemu.GuestRuntime;
import io.bpf4j.testing.qemu.QemuGuest;
import io.bpf4j.testing.qemu.SharedBoot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * struct_ops for real, on Debian's 6.1 kernel in QEMU ({@link StructOpsGuestCheck} runs there): this
 * host refuses BPF trampolines, so struct_ops cannot load here (StructOpsTest checks the error). A TCP
 * congestion control written in BPF is registered, carries a loopback connection, and is gone when
 * unregistered. One boot serves every test.
 */
@Requires({Requirement.QEMU, Requirement.CLANG})
class StructOpsGuestTest {
    private static final String OBJECT = "/job/struct_ops_cc.bpf.o";
    private static final SharedBoot BOOT = new SharedBoot(StructOpsGuestTest::runInGuest);

    private static GuestResult runInGuest() {
        QemuGuest guest = QemuGuest.defaultGuest();
        // The guest's loopback starts down; busybox brings it up.
        GuestResult r = guest.run(GuestJob.of("ip link set lo up && " + GuestRuntime.javaCommand(StructOpsGuestCheck.class.getName(), OBJECT))
                .withFiles(GuestFile.testClasspath(), GuestFile.copyOf(TestPrograms.compile("struct_ops_cc.bpf.c"), OBJECT))
                .withTimeout(Duration.ofSeconds(180)));
        System.err.println(r.report("boot + struct_ops checks"));
        return r;
    }

    private static GuestLines output() {
        return GuestLines.ofSuccessful(BOOT.get());
    }

    private static Map<String, String> pairs(String tag) {
        return output().pairs(tag);
    }

    private static List<String> list(String tag, String key) {
        return Arrays.asList(pairs(tag).get(key).split(","));
    }

    @Test
    void ranOnDebian61AndLoadedWithoutFailure() {
        assertTrue(pairs("KERNEL").get("release").startsWith("6.1."), output().rest("KERNEL"));
        String all = BOOT.get().jobOutput();
        assertFalse(all.lines().anyMatch(l -> l.startsWith("FAILED ")), all);
        assertFalse(list("BEFORE", "available").contains("bpf4j_cc"));
    }

    /** 6.1 has no struct_ops links (6.4+): the .struct_ops.link map is made without BPF_F_LINK and says so. */
    @Test
    void theLinkMapFallsBackToAMapUpdateOn61WithAWarning() {
        Map<String, String> l = pairs("LOADED");
        assertEquals("false", l.get("link_map_with_link"), output().rest("LOADED"));
        assertEquals("false", l.get("plain_map_with_link"));
        assertEquals("1", l.get("warnings"));
        assertTrue(output().rest("WARNING").contains("cc_link") && output().rest("WARNING").contains("6.4"), output().rest("WARNING"));
        assertEquals("false", pairs("REGISTERED").get("bpf_link"));
    }

    @Test
    void registeredTheCongestionControlIsListedAndTheProgramCountsAsAttached() {
        assertEquals("true", pairs("LOADED").get("unregistered_why"), "unregistered: whyNotAttachable explains");
        assertTrue(list("REGISTERED", "available").contains("bpf4j_cc"), output().rest("REGISTERED"));
        assertEquals("false", pairs("REGISTERED").get("registered_why"), "registered: nothing to explain");
        assertEquals("bpf4j_cc", pairs("DEFAULT").get("now"));
    }

    /** A loopback connection with bpf4j_cc as the default: init once per socket, cong_avoid on the ACKs. */
    @Test
    void theOperationsRanForTheLoopbackConnection() {
        Map<String, String> c = pairs("COUNTS");
        assertEquals(String.valueOf(64 * 16 * 1024), c.get("sent"));
        assertTrue(Long.parseLong(c.get("init")) >= 2, "client and accepted socket: " + output().rest("COUNTS"));
        assertTrue(Long.parseLong(c.get("cong_avoid")) > 0, output().rest("COUNTS"));
        assertTrue(Long.parseLong(c.get("last_acked")) > 0, output().rest("COUNTS"));
    }

    @Test
    void unregisteredItIsGoneAndThePreviousDefaultIsBack() {
        assertFalse(list("UNREGISTERED", "available").contains("bpf4j_cc"), output().rest("UNREGISTERED"));
        assertEquals(pairs("BEFORE").get("default"), pairs("UNREGISTERED").get("default"));
        assertEquals("true", pairs("UNREGISTERED").get("why_again"));
    }

    /** The plain .struct_ops map: a map update registers, its Link's delete unregisters, and so does closing the object. */
    @Test
    void thePlainMapRegistersByUpdateAndClosingTheObjectUnregistersIt() {
        assertTrue(list("PLAIN", "registered").contains("bpf4j_cc2"), output().rest("PLAIN"));
        assertEquals("false", pairs("PLAIN").get("bpf_link"));
        assertFalse(list("PLAIN-CLOSED", "available").contains("bpf4j_cc2"), output().rest("PLAIN-CLOSED"));
        assertTrue(list("LEFT", "registered").contains("bpf4j_cc2"));
        assertFalse(list("CLOSED", "available").contains("bpf4j_cc2"), output().rest("CLOSED"));
        assertEquals(pairs("BEFORE").get("available"), pairs("CLOSED").get("available"));
    }
}

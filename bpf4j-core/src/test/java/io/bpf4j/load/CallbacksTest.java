package io.bpf4j.load;

import io.bpf4j.sys.Bpf;
import io.bpf4j.sys.TestRun;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import io.bpf4j.testing.TestPrograms;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Subprograms the kernel calls back (callbacks.bpf.c): bpf4j must link them and point the function
 * pointer loads at them, as for bpf_loop. The timer's callback runs later, in the kernel's timer
 * context; the per-element one once per array slot.
 */
@Requires({Requirement.ROOT, Requirement.CLANG})
class CallbacksTest {
    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    @Test
    void aTimerCallbackFiresAfterTheProgramArmedIt() throws IOException, InterruptedException {
        try (BpfObject o = BpfObject.open(TestPrograms.compile("callbacks.bpf.c")).load()) {
            assertEquals(2, o.program("arm_timer").testRun(TestRun.ofData(new byte[64])).retval(), "XDP_PASS");
            for (int i = 0; i < 100 && !Long.valueOf(1).equals(o.globalValue("fired")); i++) {
                Thread.sleep(10);
            }
            assertEquals(1L, o.globalValue("fired"), "the callback ran once, in the kernel's timer context");
        }
    }

    @Test
    void forEachMapElemVisitsEverySlot() throws IOException {
        try (BpfObject o = BpfObject.open(TestPrograms.compile("callbacks.bpf.c")).load()) {
            long[] values = {3, 5, 7, 11};
            for (int i = 0; i < values.length; i++) {
                o.map("numbers").update(u32(i), u64(values[i]), Bpf.ANY);
            }
            o.program("sum_numbers").testRun(TestRun.ofData(new byte[64]));
            assertEquals(4, ((Number) o.globalValue("visited")).intValue());
            assertEquals(26L, o.globalValue("sum"));
        }
    }
}

package io.bpf4j.sys;

/**
 * BPF_PROG_TEST_RUN input: run the program {@code repeat} times on {@code dataIn} (a packet) and/or
 * {@code ctxIn} (the context struct), optionally on one CPU.
 *
 * @param dataOutSize bytes to reserve for the output packet (0: none)
 * @param ctxOutSize  bytes to reserve for the output context (0: none)
 * @param flags       BPF_F_TEST_RUN_ON_CPU (1), BPF_F_TEST_XDP_LIVE_FRAMES (2)
 */
public record TestRun(byte[] dataIn, int dataOutSize, byte[] ctxIn, int ctxOutSize, int repeat, int flags, int cpu) {
    public static final int F_RUN_ON_CPU = 1;

    /** Runs once on a packet, with room for the same size of output packet. */
    public static TestRun ofData(byte[] data) {
        return new TestRun(data, data.length, null, 0, 1, 0, 0);
    }

    public TestRun withRepeat(int n) {
        return new TestRun(dataIn, dataOutSize, ctxIn, ctxOutSize, n, flags, cpu);
    }

    /**
     * The outcome: the program's return value, the mean duration per run in ns, and the outputs.
     * {@code ctxInAfter} is the context input as the run left it: syscall programs write their context
     * back there (they have no ctx_out); empty without a context input.
     */
    public record Result(int retval, int durationNs, byte[] dataOut, byte[] ctxOut, byte[] ctxInAfter) {
    }
}

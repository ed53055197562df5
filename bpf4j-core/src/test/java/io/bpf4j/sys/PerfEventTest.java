package io.bpf4j.sys;

import io.bpf4j.asm.Helpers;
import io.bpf4j.asm.Instruction;
import io.bpf4j.asm.Opcodes;
import io.bpf4j.testing.Bpftool;
import io.bpf4j.testing.Requirement;
import io.bpf4j.testing.Requires;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Requires({Requirement.ROOT, Requirement.BPFTOOL})
class PerfEventTest {
    static long tracepointId(String category, String name) throws Exception {
        return Long.parseLong(Files.readString(
                Path.of("/sys/kernel/tracing/events", category, name, "id")).strip());
    }

    static Fd tracepointProgram(String name) {
        return Bpf.progLoad(ProgLoadAttr.of(ProgType.TRACEPOINT,
                Instruction.encode(Instruction.mov64(0, 0), Instruction.exit()), "GPL").withName(name));
    }

    @Test
    void setBpfRunsTheProgramOnEveryGetpid() throws Exception {
        long id = tracepointId("syscalls", "sys_enter_getpid");
        try (Fd prog = tracepointProgram("bpf4j_tp_ioctl");
             Fd event = PerfEvent.open(PerfEventAttr.tracepoint(id).withFlags(PerfEventAttr.DISABLED),
                     Os.gettid(), -1, -1, 0);
             Fd stats = Bpf.enableStats()) {
            PerfEvent.setBpf(event, prog);
            PerfEvent.enable(event);
            long before = Bpf.progInfo(prog).runCnt();
            // The event follows this thread (pid = its tid, any CPU), so each call here is one run.
            for (int i = 0; i < 100; i++) {
                Os.getpid();
            }
            long ran = Bpf.progInfo(prog).runCnt() - before;
            PerfEvent.disable(event);
            assertTrue(ran >= 100, "ran " + ran);
            assertTrue(stats.isOpen());
        }
    }

    @Test
    @SuppressWarnings("try")
    void perfEventLinkIsSeenByBpftoolAndCountsRuns() throws Exception {
        long id = tracepointId("syscalls", "sys_enter_getpid");
        try (Fd prog = tracepointProgram("bpf4j_tp_link");
             Fd event = PerfEvent.open(PerfEventAttr.tracepoint(id), Os.gettid(), -1, -1, 0);
             Fd link = Bpf.linkCreate(new LinkCreateAttr(prog, event.value(), AttachType.PERF_EVENT, 0,
                     new LinkCreateAttr.PerfEvent(0x1234)));
             Fd stats = Bpf.enableStats()) {
            LinkInfo info = Bpf.linkInfo(link);
            assertEquals(LinkType.PERF_EVENT, info.linkType());
            assertEquals(Bpf.progInfo(prog).id(), info.progId());
            String json = Bpftool.run("-j", "link", "show", "id", Integer.toString(info.id()));
            assertTrue(json.contains("\"prog_id\":" + info.progId()), json);
            long before = Bpf.progInfo(prog).runCnt();
            for (int i = 0; i < 50; i++) {
                Os.getpid();
            }
            // The event follows this thread, on whichever CPU the calls ran: every call counts.
            assertTrue(Bpf.progInfo(prog).runCnt() - before >= 50,
                    "run_cnt grew by " + (Bpf.progInfo(prog).runCnt() - before));
            // Perf event links cannot be detached while open: the kernel says EOPNOTSUPP.
            assertThrows(BpfException.NotSupported.class, () -> Bpf.linkDetach(link));
        }
    }

    @Test
    void netnsLinkDetachLeavesADefunctLink() {
        // SK_LOOKUP program "return SK_PASS" attached to this network namespace.
        byte[] insns = Instruction.encode(Instruction.mov64(0, 1), Instruction.exit());
        try (Fd prog = Bpf.progLoad(ProgLoadAttr.of(ProgType.SK_LOOKUP, insns, "GPL")
                .withExpectedAttachType(AttachType.SK_LOOKUP).withName("bpf4j_sklookup"));
             Fd netns = Os.open(Path.of("/proc/self/ns/net"), Os.O_RDONLY);
             Fd link = Bpf.linkCreate(new LinkCreateAttr(prog, netns.value(), AttachType.SK_LOOKUP, 0, null))) {
            LinkInfo.Netns target = assertInstanceOf(LinkInfo.Netns.class, Bpf.linkInfo(link).target());
            assertEquals(AttachType.SK_LOOKUP.value(), target.attachType());
            assertTrue(target.netnsIno() != 0);
            Bpf.linkDetach(link);
            assertEquals(0, assertInstanceOf(LinkInfo.Netns.class, Bpf.linkInfo(link).target()).netnsIno());
        }
    }

    @Test
    void rawTracepointOpenGivesALink() {
        byte[] insns = Instruction.encode(Instruction.mov64(0, 0), Instruction.exit());
        try (Fd prog = Bpf.progLoad(ProgLoadAttr.of(ProgType.RAW_TRACEPOINT, insns, "GPL").withName("bpf4j_raw"));
             Fd link = Bpf.rawTracepointOpen("sys_enter", prog)) {
            LinkInfo info = Bpf.linkInfo(link);
            assertEquals(LinkType.RAW_TRACEPOINT, info.linkType());
            assertEquals("sys_enter", assertInstanceOf(LinkInfo.RawTracepoint.class, info.target()).name());
        }
    }

    @Test
    void ringBufferWakesEpollAndIsReadableThroughMmap() {
        int size = 4096;
        try (Fd ring = Bpf.mapCreate(MapCreateAttr.of(MapType.RINGBUF, 0, 0, size).withName("bpf4j_ring"));
             Epoll epoll = Epoll.create(4)) {
            // *(u64 *)(r10 -8) = 0x1122334455667788 via r1; bpf_ringbuf_output(ring, r10-8, 8, 0); r0 = 0
            byte[] insns = Instruction.encode(
                    Instruction.loadImm64(1, 0x1122334455667788L),
                    Instruction.store(Opcodes.DW, 10, -8, 1),
                    Instruction.loadMapFd(1, ring.value()),
                    Instruction.mov64Reg(2, 10),
                    Instruction.alu64(Opcodes.ADD, 2, -8),
                    Instruction.mov64(3, 8),
                    Instruction.mov64(4, 0),
                    Instruction.call(Helpers.id("bpf_ringbuf_output").orElseThrow()),
                    Instruction.mov64(0, 0),
                    Instruction.exit());
            epoll.add(ring, Epoll.EPOLLIN, 77);
            assertEquals(0, epoll.await(0));
            try (Fd prog = Bpf.progLoad(ProgLoadAttr.of(ProgType.SOCKET_FILTER, insns, "GPL"))) {
                Bpf.progTestRun(prog, TestRun.ofData(new byte[64]));
            }
            assertEquals(1, epoll.await(1000));
            assertEquals(77, epoll.data(0));
            // Layout (kernel/bpf/ringbuf.c, Documentation/bpf/ringbuf.rst): page 0 consumer position
            // (read-write), page 1 producer position, then the data pages, mapped twice (read-only).
            long page = 4096;
            try (MappedMemory consumer = MappedMemory.map(ring, page, MappedMemory.PROT_READ
                    | MappedMemory.PROT_WRITE, 0);
                 MappedMemory producer = MappedMemory.map(ring, page + 2L * size, MappedMemory.PROT_READ, page)) {
                MemorySegment p = producer.segment();
                assertEquals(0L, consumer.segment().get(JAVA_LONG, 0));
                assertEquals(16L, p.get(JAVA_LONG, 0), "producer position after one 8-byte record + header");
                int header = p.get(JAVA_INT, page);
                assertEquals(8, header & 0x3fffffff, "record length");
                assertEquals(0x1122334455667788L, p.get(JAVA_LONG, page + 8));
            }
        }
    }
}

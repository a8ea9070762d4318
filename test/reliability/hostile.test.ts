/**
 * Hostile traffic on the mirror port, through the real service: a SYN flood of tens of thousands of
 * 4-tuples, garbage on the SCCP and QBE ports, floods of tiny out-of-order segments and headers claiming
 * huge lengths, mixed with a real Call Back scenario. Memory stays under the caps, the event loop stays
 * responsive, the real signalling is still decoded and the pressure alarm says what happened.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import type { CapturedFrame, FrameSink } from "../../src/capture/frame.js";
import { readCaptureFile } from "../../src/capture/pcapFile.js";
import { PcapFileWriter } from "../../src/capture/pcapWriter.js";
import { loadConfig } from "../../src/config/load.js";
import { configureLogging } from "../../src/logging/logger.js";
import { ProtocolDispatcher } from "../../src/protocol/dispatcher.js";
import { describeWindow, PRESSURE_ALARM, ReassemblyPressure } from "../../src/protocol/pressure.js";
import { QBE_HEADER_SIZE } from "../../src/qbe/codec.js";
import { QbeFramer } from "../../src/qbe/framer.js";
import { SccpFramer } from "../../src/sccp/framer.js";
import { CallbackService } from "../../src/service/callbackService.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { buildTcpFrame } from "../../src/wire/build.js";
import { type ReassemblyStats, SEGMENT_OVERHEAD_BYTES, TcpReassembler } from "../../src/wire/reassembly.js";
import { TcpFlag } from "../../src/wire/types.js";
import { type Office, startOffice } from "../e2e/helpers.js";
import { RecordingConsumer, seg } from "../helpers/segments.js";
import { needTool } from "../helpers/tools.js";
import {
    feedBatched,
    garbage,
    hugeLengths,
    interleave,
    noise,
    qbeHeader,
    sccpHeader,
    synFlood,
    tinyOutOfOrder,
} from "./hostile.js";

const skip = needTool("xmllint", "libxml2-utils");
/** An empty ACK of no tracked connection: moves capture time on, ignored by reassembly. */
const ackFrame = buildTcpFrame({
    srcAddr: "10.9.9.9",
    dstAddr: "10.1.1.1",
    srcPort: 1,
    dstPort: 2000,
    seq: 1,
    ack: 1,
    flags: TcpFlag.ACK,
});
const MiB = 1024 * 1024;
const ACTIVATED = "Call Back is activated on 1002. Press Cancel to deactivate. Press Exit to quit this screen.";

/** The figures the RELIABILITY fragment quotes (printed as TAP comments). */
function report(t: { comment(...args: unknown[]): void }, what: string, figures: Record<string, number>): void {
    t.comment(
        `${what}: ${Object.entries(figures)
            .map(([k, v]) => `${k}=${Math.round(v * 10) / 10}`)
            .join(" ")}`,
    );
}

t.test(
    "a CallBack scenario inside a SYN flood, garbage, tiny out-of-order segments and huge lengths",
    { skip },
    async (t) => {
        const caps = { maxConnections: 5000, memoryCapBytes: 4 * MiB };
        const alarms: Array<{ id: string; action: string; details: string }> = [];
        const o: Office = await startOffice(
            [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }],
            { reassembly: caps },
            undefined,
            false,
            { onAlarm: (id, action, details) => alarms.push({ id, action, details }) },
        );
        t.teardown(() => o.stop());
        const sccpPort = o.service.config.capture.sccpPorts[0]!;
        const qbePort = o.service.config.cti.port;

        // The flood runs in the background, in live-capture-sized batches, while the office lives on.
        let stop = false;
        const attack = interleave(
            synFlood(30_000, sccpPort),
            synFlood(10_000, qbePort, "10.1.1.2", 50_000),
            garbage(200, 20, 200, sccpPort),
            garbage(100, 20, 200, qbePort, 150_000),
            tinyOutOfOrder(500, 200, sccpPort),
            hugeLengths(500, sccpPort, qbePort),
        );
        const feeding = feedBatched(attack, o.service.onFrame, {
            ts: () => o.clock.now() / 1000,
            stop: () => stop,
        });

        await o.branch.call("1001", "1002");
        await o.branch.answer("1002");
        await o.branch.call("1003", "1002");
        await o.until(() => o.branch.phone("1003").tone === 0x23, "the busy tone");
        await o.branch.press("1003", "CallBack");
        await o.until(() => o.screenTexts("1003").includes(ACTIVATED), "the activated screen on 1003");
        await o.branch.hangUp("1003");
        await o.branch.hangUp("1002");
        await o.until(
            () => o.screenTexts("1003").some((s) => s.startsWith("1002 has become available")),
            "the notification on 1003",
        );
        const fed = await feeding;
        stop = true;
        t.equal(fed.frames, 30_000 + 10_000 + 300 * 21 - 150 + 500 * 201 + 500 * 5, "every hostile frame was fed");

        const st = o.service.pipeline.reassembler.stats;
        report(t, "mixed flood", {
            frames: fed.frames,
            evicted: st.connectionsClosed.evicted,
            bufferedHighWaterKiB: st.bufferedBytesHighWater / 1024,
            memoryCapDrops: st.memoryCapDrops,
            memoryCapGaps: st.memoryCapGaps,
        });
        // Bounded: at most maxConnections tracked and out-of-order data under the memory cap, whatever 150,000
        // frames carried (the heap this costs and how long batches take are measured by the benchmarks, not
        // asserted here: a loaded machine is slower, not wrong).
        t.ok(st.activeConnections <= caps.maxConnections, `${st.activeConnections} connections tracked`);
        t.ok(st.connectionsClosed.evicted >= 40_000 - caps.maxConnections, "the flood was evicted at the cap");
        t.ok(st.bufferedBytesHighWater <= caps.memoryCapBytes, "buffered payload under the memory cap");
        t.ok(st.memoryCapDrops + st.memoryCapGaps > 0, "the memory cap was hit");
        // Still decoding the real signalling: the notification above, and no phone invented from garbage.
        t.equal(o.service.model.allDevices().length, 3, "garbage did not invent devices");
        t.equal(o.service.counters.notifications, 1, "the caller was notified once");

        // Alarmed within a window (10 s of capture time) of the flood, cleared after a window without it.
        await o.until(
            () => alarms.some((a) => a.id === PRESSURE_ALARM && a.action === "raise"),
            "the pressure alarm",
            30_000,
        );
        const raised = alarms.find((a) => a.id === PRESSURE_ALARM && a.action === "raise");
        t.match(raised?.details, /\d+ connections evicted at the connection cap; .* holes given up at the memory cap/);
        const quietFrom = o.clock.now();
        await o.until(
            () => alarms.some((a) => a.id === PRESSURE_ALARM && a.action === "clear"),
            "the pressure alarm to clear",
            60_000,
        );
        t.ok(o.clock.now() - quietFrom >= 5_000, "cleared only after a quiet window");
        t.equal(alarms.at(-1)?.action, "clear", "the last word is a clear");
        t.ok(alarms.length <= 4, `${alarms.length} alarm transitions (a slow machine may see one quiet window)`);
    },
);

t.test("150,000 tiny out-of-order segments: what is held stays flat under the cap", async (t) => {
    configureLogging({ level: "silent" });
    const config = loadConfig({
        env: {},
        overrides: {
            http: { listen: "127.0.0.1:0" },
            reassembly: { memoryCapBytes: 2 * MiB, maxConnections: 4096 },
            log: { level: "silent" },
        },
    });
    const alarms: string[] = [];
    const service = new CallbackService({
        config,
        fs: new MemoryFlashFs(),
        timeMode: "capture",
        onAlarm: (id, action, details) => alarms.push(`${id} ${action} ${details}`),
    });
    await service.start();
    t.teardown(() => service.stop());
    let ts = 1_700_000_000;
    const step = async (conns: number, per: number, first: number, fromK = 0) =>
        // 0.2 s of capture time a batch: the 150 batches span the pressure monitor's 10 s windows
        feedBatched(tinyOutOfOrder(conns, per, 2000, first, fromK), service.onFrame, { ts: () => (ts += 0.2) });
    const st = service.pipeline.reassembler.stats;
    // 1,000 connections × 50 one-byte segments, each behind a hole: 50,000 segments a round, six times
    // what the cap can hold (the 600,000 of bench/hostile.mjs only cost the test time).
    const r1 = await step(1000, 50, 0);
    const afterFirst = { ...st, connectionsClosed: { ...st.connectionsClosed } };
    // the same connections go on: only the segments grow, three times as many
    const r2 = await step(1000, 50, 0, 50);
    const r3 = await step(1000, 50, 0, 100);
    const frames = r1.frames + r2.frames + r3.frames;
    report(t, "tiny out-of-order", {
        frames,
        bufferedHighWaterKiB: st.bufferedBytesHighWater / 1024,
    });
    t.ok(frames >= 150_000, `${frames} frames`);
    t.ok(st.outOfOrderSegments > 125_000, "they were out of order");
    // The cap counts the ~300 bytes a buffered segment really costs: 2 MiB of cap is ~8,000 segments.
    t.ok(st.bufferedBytesHighWater <= (2 * MiB) / SEGMENT_OVERHEAD_BYTES, "buffered segments bounded by the cap");
    t.ok(st.bufferedBytes <= (2 * MiB) / SEGMENT_OVERHEAD_BYTES, "and still bounded at the end");
    t.ok(st.memoryCapDrops + st.memoryCapGaps > 0, "the cap was reached and enforced");
    // Flat: what is held after 150,000 segments is what was held after 50,000 (how many bytes of heap that
    // is belongs to the benchmarks; here the structures that hold it must not grow).
    t.equal(st.bufferedBytesHighWater, afterFirst.bufferedBytesHighWater, "no higher water mark with 3x the segments");
    t.equal(st.activeConnections, afterFirst.activeConnections, "no connection added by more segments");
    t.ok(st.memoryCapDrops + st.memoryCapGaps > afterFirst.memoryCapDrops + afterFirst.memoryCapGaps, "enforced again");
    service.tick();
    t.ok(
        alarms.some((a) => a.startsWith(`${PRESSURE_ALARM} raise`) && a.includes("at the memory cap")),
        "the pressure alarm names the memory cap",
    );
});

t.test("garbage on the SCCP and QBE ports raises the alarm with the bytes skipped", async (t) => {
    configureLogging({ level: "silent" });
    const config = loadConfig({
        env: {},
        overrides: { http: { listen: "127.0.0.1:0" }, log: { level: "silent" } },
    });
    const alarms: string[] = [];
    const service = new CallbackService({
        config,
        fs: new MemoryFlashFs(),
        timeMode: "capture",
        onAlarm: (id, action, details) => alarms.push(`${id} ${action} ${details}`),
    });
    await service.start();
    t.teardown(() => service.stop());
    let ts = 1_700_000_000;
    const r = await feedBatched(
        interleave(garbage(2000, 10, 500, 2000), garbage(2000, 10, 500, 2748, 10_000)),
        service.onFrame,
        { ts: () => (ts += 0.5) },
    );
    service.pipeline.finish(); // closing the connections ends their hunts: the skipped bytes are counted
    // capture time moves with frames only: one more (an ACK nobody tracks) ends the window
    service.onFrame({ ts: ts + 11, linkType: 1, bytes: ackFrame, origLen: ackFrame.length, ifIndex: 0 });
    const st = service.pipeline.reassembler.stats;
    report(t, "garbage", { frames: r.frames, bufferedHighWaterKiB: st.bufferedBytesHighWater / 1024 });
    t.equal(service.model.allDevices().length, 0, "no device invented from 20 MB of garbage");
    t.equal(st.activeConnections, 0, "every garbage connection closed");
    t.ok(st.bufferedBytesHighWater <= config.reassembly.memoryCapBytes, "buffered payload under the memory cap");
    t.ok(
        alarms.some((a) => a.startsWith(`${PRESSURE_ALARM} raise`) && /bytes of garbage/.test(a)),
        "the alarm says garbage was skipped",
    );
});

t.test("a real capture interleaved with a flood in one pcap file decodes exactly as the clean capture", async (t) => {
    configureLogging({ level: "silent" });
    const fixture = join(import.meta.dirname, "../fixtures/captures/pyskinny_cm_call_from_pyskinny_to_7912.pcapng");
    const real: CapturedFrame[] = [];
    await readCaptureFile(fixture, (f) => real.push({ ...f, bytes: f.bytes.slice() }));
    /** Cluster events of one run, as comparable text. */
    const run = async (feed: (sink: FrameSink) => Promise<void>) => {
        const events: string[] = [];
        const config = loadConfig({
            env: {},
            overrides: {
                http: { listen: "127.0.0.1:0" },
                reassembly: { maxConnections: 2000 },
                log: { level: "silent" },
            },
        });
        const service = new CallbackService({
            config,
            fs: new MemoryFlashFs(),
            timeMode: "capture",
            onEvent: (e) => {
                // cluster events (they carry their capture time `t`), not engine effects
                if ("t" in e) events.push(JSON.stringify(e));
            },
        });
        await service.start();
        await feed(service.onFrame);
        service.pipeline.finish();
        service.tick();
        await service.stop();
        return { events, stats: service.pipeline.reassembler.stats };
    };
    const clean = await run(async (sink) => {
        for (const f of real) sink(f);
    });
    t.ok(clean.events.length >= 5, `${clean.events.length} cluster events from the real capture`);

    // The same frames in a pcap file, with up to 30 hostile frames after each real one (80,850 in all).
    const dir = mkdtempSync(join(tmpdir(), "cbk-hostile-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "mixed.pcap");
    const writer = new PcapFileWriter(file, 1, 65535, 1 << 20, { fsync: false });
    const attack = interleave(
        synFlood(40_000, 2000, "10.0.0.180"),
        garbage(300, 30, 300, 2000),
        tinyOutOfOrder(200, 150, 2000),
        hugeLengths(300, 2000, 2748),
    )((b, seq, flags, payload) => {
        const out = b.build(seq, 0, flags, payload ?? undefined);
        writer.write(ts, out);
    });
    let ts = 0;
    let hostile = 0;
    for (const f of real) {
        writer.write(f.ts, f.bytes, f.origLen);
        ts = f.ts;
        for (let i = 0; i < 30 && attack.next().done !== true; i++) hostile++;
    }
    writer.close();
    const mixed = await run(async (sink) => {
        await readCaptureFile(file, sink);
    });
    report(t, "real capture + flood from a pcap file", {
        realFrames: real.length,
        hostileFrames: hostile,
        evicted: mixed.stats.connectionsClosed.evicted,
    });
    t.ok(hostile > 80_000, `${hostile} hostile frames`);
    t.ok(mixed.stats.connectionsClosed.evicted > 30_000, "the flood went past the connection cap");
    t.same(mixed.events, clean.events, "the real signalling decodes to the same cluster events");
});

t.test("regressions found by the hostile runs", async (t) => {
    t.test("a SYN flood evicts half-open connections before established ones", async (t) => {
        const rec = new RecordingConsumer();
        const r = new TcpReassembler(rec, { maxConnections: 10 });
        // A phone's long-lived connection, quiet for a while.
        r.push(seg({ srcAddr: "10.0.0.9", srcPort: 50000, seq: 1, payload: "keepalive", ts: 1000 }));
        for (let i = 0; i < 100; i++) {
            r.push(seg({ srcAddr: `10.200.0.${i}`, srcPort: 40000 + i, seq: 7, flags: TcpFlag.SYN, ts: 1001 + i }));
        }
        t.equal(r.stats.connectionsClosed.evicted, 91);
        const phone = [...r.connections()].find((c) => c.client.addr === "10.0.0.9");
        t.ok(phone, "the established connection survived the flood");
        // Only when every tracked connection carried data does the oldest go.
        const r2 = new TcpReassembler(new RecordingConsumer(), { maxConnections: 2 });
        for (let i = 0; i < 3; i++) r2.push(seg({ srcAddr: `10.0.0.${i}`, seq: 1, payload: "x", ts: 1000 + i }));
        t.same(
            [...r2.connections()].map((c) => c.client.addr),
            ["10.0.0.1", "10.0.0.2"],
        );
    });

    t.test("the memory cap charges each buffered segment its overhead", async (t) => {
        const r = new TcpReassembler(new RecordingConsumer(), { memoryCapBytes: 10 * SEGMENT_OVERHEAD_BYTES });
        r.push(seg({ seq: 1, payload: "a" }));
        for (let k = 0; k < 100; k++) r.push(seg({ seq: 3 + k, payload: "b" }));
        // Before: 100 one-byte segments "fit" a 2,560-byte cap while costing ~30 KB of heap.
        t.ok(r.stats.bufferedBytes <= 10, `${r.stats.bufferedBytes} segments buffered`);
        t.ok(r.stats.memoryCapGaps > 0, "holes given up at the memory cap are counted");
    });

    t.test("a half-open connection makes no protocol decoder", async (t) => {
        let made = 0;
        const d = new ProtocolDispatcher(
            [
                {
                    ports: [2000],
                    factory: () => {
                        made++;
                        return { data() {}, gap() {}, close() {} };
                    },
                },
            ],
            () => {},
        );
        const r = new TcpReassembler(d);
        for (let i = 0; i < 50; i++) r.push(seg({ srcPort: 40000 + i, seq: 1, flags: TcpFlag.SYN }));
        t.equal(made, 0, "50 SYNs: no decoder");
        r.push(seg({ srcPort: 40000, seq: 2, payload: "x" }));
        t.equal(made, 1, "made with the first bytes");
        r.push(seg({ srcPort: 41000, dstPort: 9, seq: 2, payload: "x" }));
        r.push(seg({ srcPort: 41000, dstPort: 9, seq: 3, payload: "y" }));
        t.equal(made, 1, "an unclaimed port: no decoder");
        r.flush(2000);
        t.equal(made, 50, "the half-open ones get one only to report their close, and do not keep it");
        t.equal([...r.connections()].length, 0);
    });

    t.test("a QBE header claiming 200 KiB costs nothing until the bytes arrive", async (t) => {
        const framers: QbeFramer[] = [];
        for (let i = 0; i < 2000; i++) {
            const f = new QbeFramer({ onFrame() {} });
            f.push(qbeHeader(200 * 1024));
            f.push(noise(64, i + 1));
            framers.push(f);
        }
        t.ok(
            framers.every((f) => f.capacity <= 1024 && f.bufferedBytes === QBE_HEADER_SIZE + 64),
            "each of 2,000 framers waiting for a 200 KiB frame holds what arrived (96 bytes), not 200 KiB",
        );
        // The frame still arrives whole when its bytes do.
        let got = 0;
        const f = new QbeFramer({ onFrame: (_b, s, e) => (got = e - s) });
        f.push(qbeHeader(100_000));
        for (let i = 0; i < 100; i++) f.push(noise(1000 - (i === 99 ? 32 : 0), i));
        t.equal(got, 100_000);
        t.equal(framers.length, 2000);
    });

    t.test("an SCCP header claiming 8 KiB costs nothing until the bytes arrive", async (t) => {
        const framers: SccpFramer[] = [];
        const sink = { onMessage() {} };
        for (let i = 0; i < 4000; i++) {
            const f = new SccpFramer();
            f.push(sccpHeader(8000, 0x0000), sink);
            f.push(noise(16, i + 1), sink);
            framers.push(f);
        }
        t.ok(
            framers.every((f) => f.capacity < 1024),
            "each buffer holds what arrived",
        );
        // The message still arrives whole when its bytes do, in any slicing.
        let got = -1;
        const f = new SccpFramer();
        const msg = new Uint8Array([...sccpHeader(8000, 0x0000), ...noise(7996, 3)]);
        for (let p = 0; p < msg.length; p += 97)
            f.push(msg.subarray(p, p + 97), { onMessage: (_hv, _id, _b, s, e) => (got = e - s) });
        t.equal(got, 7996);
    });

    t.test("the pressure monitor: windows, thresholds, texts", async (t) => {
        const stats = {
            connectionsClosed: { evicted: 0 },
            memoryCapDrops: 0,
            memoryCapGaps: 0,
        } as unknown as ReassemblyStats & { connectionsClosed: { evicted: number } };
        const seen: string[] = [];
        const p = new ReassemblyPressure(
            () => stats,
            (a, d) => seen.push(`${a}: ${d}`),
            {
                windowMs: 1000,
                garbageBytes: 100,
            },
        );
        p.check(0);
        p.onRecord({ t: 0, proto: "sccp", src: "a", dst: "b", name: "Resync", fields: { skippedBytes: 99 } });
        p.onRecord({ t: 0, proto: "sccp", src: "a", dst: "b", name: "KeepAliveReq", fields: {} });
        p.check(500);
        p.check(1000);
        t.same(seen, [], "below the garbage threshold, and checked once per window");
        p.onRecord({ t: 0, proto: "qbe", src: "a", dst: "b", name: "Resync", fields: { skippedBytes: 100 } });
        p.check(2000);
        t.ok(p.active);
        stats.connectionsClosed.evicted = 3;
        p.check(3000);
        p.check(4000);
        t.notOk(p.active);
        t.equal(p.windowsWithPressure, 2);
        t.same(seen, [
            "raise: 100 bytes of garbage skipped on the SCCP/QBE ports in the last 1 s",
            "clear: no reassembly pressure for 1 s",
        ]);
        t.equal(
            describeWindow({ evicted: 2, memoryCapDrops: 1, memoryCapGaps: 0, garbageBytes: 0 }, 10_000),
            "2 connections evicted at the connection cap; 1 segments dropped and 0 holes given up at the memory cap in the last 10 s",
        );
    });
    t.end();
});

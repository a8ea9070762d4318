/**
 * Fuzzing of everything between capture bytes and reassembled streams: the pcap/pcapng reader, the
 * link/IP/TCP decoder, TCP reassembly, and the whole decode pipeline (capture → wire → SCCP/QBE) on
 * mutated real captures.
 */
import fc from "fast-check";
import t from "tap";
import type { CapturedFrame } from "../../src/capture/frame.js";
import { CaptureFileParser, type CaptureFileStats } from "../../src/capture/pcapFile.js";
import { ProtocolDispatcher } from "../../src/protocol/dispatcher.js";
import { qbeRoute } from "../../src/qbe/stream.js";
import { sccpRoute } from "../../src/sccp/stream.js";
import { buildTcpFrame } from "../../src/wire/build.js";
import { decodeFrame } from "../../src/wire/decodeFrame.js";
import { WirePipeline } from "../../src/wire/pipeline.js";
import { type StreamConsumer, TcpReassembler } from "../../src/wire/reassembly.js";
import { newWireCounters, TcpFlag, type TcpSegment } from "../../src/wire/types.js";
import { chunking, ensure, mutated, runTargets, split, strict, type Target } from "./lib.js";
import { captureSeeds, frameSeeds } from "./seeds.js";

const MAX_CAPLEN = 16384;
const MAX_BLOCK = 65536;

interface ParseResult {
    frames: CapturedFrame[];
    stats: CaptureFileStats | undefined;
    code: string | undefined;
}

/** Parses `parts` pushed one by one; checks the stash bound after each push. */
function parseParts(parts: readonly Uint8Array[]): ParseResult {
    const parser = new CaptureFileParser({ maxCapLen: MAX_CAPLEN, maxBlockSize: MAX_BLOCK });
    const limit = Math.max(MAX_BLOCK, MAX_CAPLEN + 16, 24);
    const frames: CapturedFrame[] = [];
    const sink = (f: CapturedFrame): void => {
        ensure(f.bytes.length <= MAX_CAPLEN, `frame of ${f.bytes.length} bytes above maxCapLen`);
        frames.push({ ...f, bytes: f.bytes.slice() });
    };
    let code: string | undefined;
    const stats = strict(() => {
        for (const p of parts) {
            parser.push(p, sink);
            const stash = parser.stashCapacity;
            ensure(stash <= limit, `stash grew to ${stash} bytes (limit ${limit})`);
        }
        return parser.end();
    });
    if (stats === undefined) code = "typed error";
    return { frames, stats, code };
}

const pcap: Target<{ bytes: Uint8Array; sizes: number[] }> = {
    name: "pcap",
    runs: 1000,
    save: "json",
    arb: fc.record({ bytes: mutated(captureSeeds(), 8), sizes: chunking }),
    check({ bytes, sizes }) {
        const whole = parseParts([bytes]);
        const chunked = parseParts(split(bytes, sizes));
        ensure(whole.code === chunked.code, `one push: ${whole.code}, chunked: ${chunked.code}`);
        if (whole.stats === undefined || chunked.stats === undefined) return;
        ensure(whole.stats.frames === whole.frames.length, "stats.frames differs from frames delivered");
        const keys = ["frames", "malformed", "skippedBlocks", "truncatedTail", "corrupt", "bytes"] as const;
        for (const k of keys) {
            ensure(
                whole.stats[k] === chunked.stats[k],
                `${k}: ${whole.stats[k]} in one push, ${chunked.stats[k]} chunked`,
            );
        }
        for (let i = 0; i < whole.frames.length; i++) {
            const a = whole.frames[i]!;
            const b = chunked.frames[i]!;
            ensure(
                a.ts === b.ts && a.ifIndex === b.ifIndex && a.linkType === b.linkType && a.origLen === b.origLen,
                `frame ${i} metadata differs`,
            );
            ensure(Buffer.compare(a.bytes, b.bytes) === 0, `frame ${i} bytes differ when chunked`);
        }
    },
};

const LINK_TYPES = [0, 1, 101, 108, 113, 228, 229, 276, 2, 147];

const frameArb: fc.Arbitrary<{ linkType: number; bytes: Uint8Array; origLen: number }> = fc.oneof(
    fc.record({
        linkType: fc.constantFrom(...LINK_TYPES),
        bytes: mutated(
            frameSeeds().map((f) => f.bytes),
            6,
            128,
        ),
        origLen: fc.nat({ max: 2000 }),
    }),
    fc
        .record({
            linkType: fc.constant(1),
            frame: fc.record({
                srcAddr: fc.constantFrom("10.0.0.1", "10.0.0.2"),
                dstAddr: fc.constantFrom("10.0.0.9", "10.0.0.1"),
                srcPort: fc.constantFrom(2000, 2748, 51000),
                dstPort: fc.constantFrom(2000, 2748, 51000),
                seq: fc.nat({ max: 0xffffffff }),
                ack: fc.constant(0),
                flags: fc.nat({ max: 0xff }),
                payload: fc.uint8Array({ maxLength: 64 }),
            }),
            mut: fc.array(fc.record({ at: fc.nat(), v: fc.nat({ max: 255 }) }), { maxLength: 4 }),
            cut: fc.nat({ max: 200 }),
        })
        .map(({ linkType, frame, mut, cut }) => {
            const b = buildTcpFrame(frame);
            for (const m of mut) b[m.at % b.length] = m.v;
            return {
                linkType,
                bytes: b.slice(0, Math.max(0, b.length - (cut % 8 === 0 ? cut % 60 : 0))),
                origLen: b.length,
            };
        }),
);

const wire: Target<{ linkType: number; bytes: Uint8Array; origLen: number }[]> = {
    name: "wire",
    runs: 1000,
    save: "json",
    arb: fc.array(frameArb, { minLength: 1, maxLength: 20 }),
    check(frames) {
        const c = newWireCounters();
        for (const f of frames) {
            const seg = decodeFrame({ ts: 1, ifIndex: 0, ...f }, c);
            if (seg !== null) {
                ensure(seg.payload.buffer === f.bytes.buffer, "payload is not a view of the frame");
                ensure(
                    seg.payload.byteOffset >= f.bytes.byteOffset &&
                        seg.payload.byteOffset + seg.payload.length <= f.bytes.byteOffset + f.bytes.length,
                    "payload outside the frame",
                );
                ensure(seg.srcPort >= 0 && seg.srcPort < 65536 && seg.dstPort < 65536, "port out of range");
                ensure(seg.seq >= 0 && seg.seq <= 0xffffffff, "seq out of range");
            }
        }
        const sum = c.tcp + c.unsupportedLinkType + c.nonIp + c.nonTcp + c.ipFragments + c.malformed;
        ensure(
            c.frames === frames.length && sum === c.frames,
            `counters ${JSON.stringify(c)} for ${frames.length} frames`,
        );
    },
};

interface SegSpec {
    conn: number;
    dir: number;
    off: number;
    len: number;
    flags: number;
    dt: number;
}

const segArb: fc.Arbitrary<SegSpec> = fc.record({
    conn: fc.nat({ max: 3 }),
    dir: fc.nat({ max: 1 }),
    off: fc.oneof(fc.nat({ max: 4000 }), fc.integer({ min: -3000, max: 0 }), fc.nat({ max: 0xffffffff })),
    len: fc.oneof(fc.nat({ max: 64 }), fc.nat({ max: 3000 })),
    flags: fc.oneof(fc.constant(TcpFlag.ACK), fc.constant(TcpFlag.ACK | TcpFlag.PSH), fc.nat({ max: 0x3f })),
    dt: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 3, noNaN: true }), fc.constantFrom(-5, 400)),
});

const OPTS = {
    maxConnections: 3,
    maxOutOfOrderBytesPerDirection: 8192,
    maxOutOfOrderSegmentsPerDirection: 8,
    gapTimeoutMs: 500,
    idleTimeoutS: 60,
    memoryCapBytes: 20000,
};

/** A consumer that checks the callback order and counts what it got. */
function checkingConsumer() {
    const open = new Set<number>();
    let delivered = 0;
    let missed = 0;
    const consumer: StreamConsumer = {
        onOpen(conn) {
            ensure(!open.has(conn.id), `connection ${conn.id} opened twice`);
            open.add(conn.id);
        },
        onData(conn, _dir, bytes) {
            ensure(open.has(conn.id), "data on a connection not open");
            ensure(bytes.length > 0, "empty data callback");
            delivered += bytes.length;
        },
        onGap(conn, _dir, n) {
            ensure(open.has(conn.id), "gap on a connection not open");
            ensure(n >= 0, "negative gap");
            missed += n;
        },
        onClose(conn) {
            ensure(open.delete(conn.id), `close of connection ${conn.id} not open`);
        },
    };
    return { consumer, open, totals: () => ({ delivered, missed }) };
}

const reassembly: Target<SegSpec[]> = {
    name: "reassembly",
    runs: 800,
    save: "json",
    arb: fc.array(segArb, { maxLength: 120 }),
    check(specs) {
        const c = checkingConsumer();
        const r = new TcpReassembler(c.consumer, OPTS);
        let ts = 1000;
        const base = [0xfffff000, 1000, 0x7ffffff0, 5];
        const payload = new Uint8Array(3000);
        for (const s of specs) {
            ts += s.dt;
            const client = s.dir === 0;
            const seg: TcpSegment = {
                ts,
                ipVersion: 4,
                srcAddr: client ? `10.0.0.${s.conn + 1}` : "10.0.0.100",
                dstAddr: client ? "10.0.0.100" : `10.0.0.${s.conn + 1}`,
                srcPort: client ? 50000 + s.conn : 2000,
                dstPort: client ? 2000 : 50000 + s.conn,
                seq: ((base[s.conn] as number) + s.off) >>> 0,
                ack: 0,
                flags: s.flags,
                window: 0,
                options: {},
                payload: payload.subarray(0, s.len),
            };
            r.push(seg);
            const st = r.stats;
            ensure(st.bufferedBytes <= OPTS.memoryCapBytes, `buffered ${st.bufferedBytes} above the memory cap`);
            ensure(st.activeConnections <= OPTS.maxConnections, "more connections than maxConnections");
            ensure(st.activeConnections === c.open.size, "activeConnections differs from open connections");
            for (const conn of r.connections()) {
                for (const d of conn.dirs) {
                    ensure(d.pendingBytes <= OPTS.maxOutOfOrderBytesPerDirection, "per-direction byte cap exceeded");
                    ensure(d.pending.length <= OPTS.maxOutOfOrderSegmentsPerDirection, "segment cap exceeded");
                }
            }
        }
        r.flush(ts);
        const st = r.stats;
        const closed = Object.values(st.connectionsClosed).reduce((a, b) => a + b, 0);
        ensure(st.activeConnections === 0 && c.open.size === 0, "connections left after flush");
        ensure(st.connectionsOpened === closed, `opened ${st.connectionsOpened}, closed ${closed}`);
        ensure(st.bufferedBytes === 0, "bytes still buffered after flush");
        ensure(st.bytesDelivered === c.totals().delivered, "bytesDelivered differs from delivered bytes");
        ensure(st.segments === specs.length, "segments miscounted");
    },
};

/** A stream cut into segments, sent shuffled within a small window and with retransmissions: delivered intact. */
const inOrder: Target<{ len: number; cuts: number[]; swaps: number[]; dups: number[] }> = {
    name: "reassembly-exact",
    runs: 300,
    save: "json",
    arb: fc.record({
        len: fc.integer({ min: 1, max: 6000 }),
        cuts: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 10 }),
        swaps: fc.array(fc.nat(), { maxLength: 6 }),
        dups: fc.array(fc.nat(), { maxLength: 4 }),
    }),
    check({ len, cuts, swaps, dups }) {
        const stream = new Uint8Array(len);
        for (let i = 0; i < len; i++) stream[i] = (i * 7 + (i >> 8)) & 0xff;
        const isn = 0xffffff00; // crosses the 2^32 wrap
        const segs: { seq: number; data: Uint8Array }[] = [];
        let k = 0;
        for (let i = 0; i < len; ) {
            const n = cuts[k++ % cuts.length] as number;
            segs.push({ seq: (isn + 1 + i) >>> 0, data: stream.subarray(i, i + n) });
            i += n;
        }
        for (const s of swaps) {
            const i = s % segs.length;
            const j = Math.min(segs.length - 1, i + 1 + (s % 3));
            [segs[i], segs[j]] = [segs[j]!, segs[i]!];
        }
        for (const d of dups) segs.splice(d % (segs.length + 1), 0, segs[d % segs.length]!);
        const got: Uint8Array[] = [];
        const consumer: StreamConsumer = {
            onOpen() {},
            onData(_c, dir, bytes) {
                if (dir === 0) got.push(bytes.slice());
            },
            onGap(_c, _d, n) {
                throw new Error(`unexpected gap of ${n} bytes`);
            },
            onClose() {},
        };
        const r = new TcpReassembler(consumer, { maxOutOfOrderSegmentsPerDirection: 64 });
        const seg = (seq: number, flags: number, payload: Uint8Array): TcpSegment => ({
            ts: 10,
            ipVersion: 4,
            srcAddr: "10.0.0.1",
            dstAddr: "10.0.0.2",
            srcPort: 40000,
            dstPort: 2000,
            seq,
            ack: 0,
            flags,
            window: 0,
            options: {},
            payload,
        });
        r.push(seg(isn, TcpFlag.SYN, new Uint8Array(0)));
        for (const s of segs) r.push(seg(s.seq, TcpFlag.ACK, s.data));
        r.flush(11);
        ensure(Buffer.compare(Buffer.concat(got), stream) === 0, "reassembled stream differs from the original");
    },
};

/** The whole decode path on mutated captures: nothing throws, and every frame is counted once. */
const pipeline: Target<Uint8Array> = {
    name: "pipeline",
    runs: 300,
    arb: mutated(captureSeeds(), 10),
    check(bytes) {
        let records = 0;
        const dispatcher = new ProtocolDispatcher([sccpRoute([2000]), qbeRoute([2748])], () => {
            records++;
        });
        const wire = new WirePipeline(dispatcher, { memoryCapBytes: 1 << 20, maxConnections: 64 });
        let frames = 0;
        const stats = strict(() => {
            const parser = new CaptureFileParser({ maxCapLen: MAX_CAPLEN, maxBlockSize: MAX_BLOCK });
            parser.push(bytes, (f) => {
                frames++;
                wire.onFrame(f);
            });
            return parser.end();
        });
        wire.finish();
        const c = wire.counters;
        ensure(c.frames === frames, "wire frames differ from capture frames");
        const sum = c.tcp + c.unsupportedLinkType + c.nonIp + c.nonTcp + c.ipFragments + c.malformed;
        ensure(sum === c.frames, "a frame was not counted exactly once");
        ensure(stats === undefined || stats.frames === frames, "capture stats differ from frames delivered");
        ensure(wire.reassembler.stats.activeConnections === 0, "connections left after finish");
        ensure(records >= 0, "");
    },
};

runTargets(t, "capture", [pcap, wire, reassembly, inOrder, pipeline] as never[]);

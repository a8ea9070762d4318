import fc from "fast-check";
import t from "tap";
import { Direction, SEGMENT_OVERHEAD_BYTES, TcpReassembler } from "../../src/wire/reassembly.js";
import { TcpFlag } from "../../src/wire/types.js";
import { RecordingConsumer, reverse, seg } from "../helpers/segments.js";
import "../helpers/seed.js";

const C2S = Direction.ClientToServer;
const S2C = Direction.ServerToClient;
const { SYN, ACK, FIN, RST } = TcpFlag;

function handshake(r: TcpReassembler, isnC = 100, isnS = 5000, ts = 1000) {
    const c = seg({ seq: isnC, flags: SYN, ts });
    r.push(c);
    r.push(seg({ ...reverse(c), seq: isnS, flags: SYN | ACK, ts }));
    r.push(seg({ seq: isnC + 1, flags: ACK, ts }));
}

t.test("in-order delivery after a handshake, both directions, FIN close", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec);
    handshake(r);
    r.push(seg({ seq: 101, payload: "hello " }));
    r.push(seg({ seq: 107, payload: "world" }));
    r.push(seg({ srcAddr: "10.0.0.2", dstAddr: "10.0.0.1", srcPort: 2000, dstPort: 50000, seq: 5001, payload: "ok" }));
    r.push(seg({ seq: 112, flags: FIN | ACK }));
    t.equal(r.stats.activeConnections, 1, "half-closed stays open");
    r.push(
        seg({ srcAddr: "10.0.0.2", dstAddr: "10.0.0.1", srcPort: 2000, dstPort: 50000, seq: 5003, flags: FIN | ACK }),
    );
    t.equal(rec.text(1, C2S), "hello world");
    t.equal(rec.text(1, S2C), "ok");
    t.same(rec.events[0], {
        kind: "open",
        conn: 1,
        client: "10.0.0.1:50000",
        server: "10.0.0.2:2000",
        midstream: false,
    });
    t.same(rec.events.at(-1), { kind: "close", conn: 1, reason: "fin" });
    t.equal(r.stats.activeConnections, 0);
    t.equal(r.stats.connectionsClosed.fin, 1);
    t.equal(r.stats.bytesDelivered, 13);
    // A late ACK for a closed connection creates nothing.
    r.push(seg({ seq: 113, flags: ACK }));
    t.equal(r.stats.ignoredSegments, 1);
    t.equal(r.stats.connectionsOpened, 1);
});

t.test("reordering is repaired, retransmissions and overlaps are delivered once", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec);
    handshake(r);
    r.push(seg({ seq: 106, payload: "FGHIJ" }));
    r.push(seg({ seq: 111, payload: "KLMNO" }));
    r.push(seg({ seq: 106, payload: "FGHIJ" })); // duplicate of a buffered segment
    t.equal(rec.text(1, C2S), "", "nothing before the hole is filled");
    r.push(seg({ seq: 101, payload: "ABCDE" }));
    t.equal(rec.text(1, C2S), "ABCDEFGHIJKLMNO");
    r.push(seg({ seq: 101, payload: "ABCDE" })); // full retransmission
    r.push(seg({ seq: 114, payload: "NOPQR" })); // overlaps 2 bytes
    r.push(seg({ seq: 121, payload: "UV" })); // out of order, ...
    r.push(seg({ seq: 117, payload: "QRSTU" })); // ... overlapping both sides
    t.equal(rec.text(1, C2S), "ABCDEFGHIJKLMNOPQRSTUV");
    t.equal(r.stats.gaps, 0);
    t.equal(r.stats.bufferedBytes, 0);
    t.equal(r.stats.duplicateBytes, 5 + 5 + 2 + 2 + 1);
    t.equal(r.connections().next().value?.stats(C2S).bytes, 22);
});

t.test("mid-stream join: roles from the server port, first byte taken as the start", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec);
    // The server speaks first in our capture.
    r.push(seg({ srcAddr: "10.0.0.9", srcPort: 2000, dstAddr: "10.0.0.50", dstPort: 51515, seq: 7, payload: "xyz" }));
    r.push(
        seg({
            srcAddr: "10.0.0.50",
            srcPort: 51515,
            dstAddr: "10.0.0.9",
            dstPort: 2000,
            seq: 4000000000,
            payload: "ab",
        }),
    );
    t.same(rec.events[0], {
        kind: "open",
        conn: 1,
        client: "10.0.0.50:51515",
        server: "10.0.0.9:2000",
        midstream: true,
    });
    t.equal(rec.text(1, S2C), "xyz");
    t.equal(rec.text(1, C2S), "ab");
    t.equal(r.stats.midstreamJoins, 1);
    // Unknown ports: the lower port is the server.
    r.push(seg({ srcAddr: "::1", dstAddr: "::2", srcPort: 80, dstPort: 40000, seq: 1, payload: "a", ipVersion: 6 }));
    t.same(rec.events.at(-2), { kind: "open", conn: 2, client: "[::2]:40000", server: "[::1]:80", midstream: true });
});

t.test("sequence numbers wrap around 2^32", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec);
    handshake(r, 0xfffffffa);
    r.push(seg({ seq: 0xfffffffb, payload: "0123" }));
    r.push(seg({ seq: 3, payload: "89" })); // ahead, after the wrap
    r.push(seg({ seq: 0xffffffff, payload: "4567" })); // fills the hole across the wrap
    t.equal(rec.text(1, C2S), "0123456789");
    t.equal(r.stats.gaps, 0);
});

t.test("a hole is declared a gap at the out-of-order bound", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec, { maxOutOfOrderSegmentsPerDirection: 2 });
    handshake(r);
    r.push(seg({ seq: 101, payload: "AB" }));
    // "CD" (103) is lost.
    r.push(seg({ seq: 105, payload: "EF" }));
    r.push(seg({ seq: 107, payload: "GH" }));
    t.equal(rec.text(1, C2S), "AB");
    r.push(seg({ seq: 109, payload: "IJ" })); // third buffered segment: over the bound
    t.equal(rec.text(1, C2S), "AB??EFGHIJ");
    t.same(
        rec.events.find((e) => e.kind === "gap"),
        {
            kind: "gap",
            conn: 1,
            dir: C2S,
            missed: 2,
            reason: "out-of-order-limit",
        },
    );
    // The lost segment arrives late: it is old news.
    r.push(seg({ seq: 103, payload: "CD" }));
    t.equal(rec.text(1, C2S), "AB??EFGHIJ");
    t.equal(r.stats.missedBytes, 2);
    t.equal(r.connections().next().value?.stats(C2S).missedBytes, 2);
});

t.test("the byte bound per direction also forces a gap", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec, { maxOutOfOrderBytesPerDirection: 5 });
    handshake(r);
    r.push(seg({ seq: 111, payload: "abc" }));
    r.push(seg({ seq: 114, payload: "def" }));
    t.equal(rec.text(1, C2S), "??????????abcdef");
});

t.test("a hole older than the gap timeout is declared a gap (by capture time)", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec, { gapTimeoutMs: 500 });
    handshake(r, 100, 5000, 1000);
    r.push(seg({ seq: 105, payload: "late", ts: 1000.1 }));
    r.push(seg({ seq: 101, flags: ACK, ts: 1000.3 })); // pure ACK, still inside the timeout
    t.equal(rec.text(1, C2S), "");
    r.push(seg({ seq: 101, flags: ACK, ts: 1000.7 }));
    t.equal(rec.text(1, C2S), "????late");
    t.equal(r.stats.gaps, 1);
    // sweep() applies the timeout when the connection itself is quiet.
    r.push(seg({ seq: 115, payload: "x", ts: 1000.8 }));
    r.sweep(1001.5);
    t.equal(rec.text(1, C2S), "????late??????x");
});

t.test("the global memory cap bounds buffered bytes", async (t) => {
    const rec = new RecordingConsumer();
    // room for the payload bytes and the per-segment overhead of two segments
    const r = new TcpReassembler(rec, { memoryCapBytes: 10 + 2 * SEGMENT_OVERHEAD_BYTES });
    handshake(r);
    r.push(seg({ seq: 111, payload: "0123456" })); // buffered: 7
    r.push(seg({ seq: 121, payload: "abcdef" })); // would exceed 10: first hole given up
    t.ok(r.stats.bufferedBytes <= 10);
    t.equal(rec.text(1, C2S), "??????????0123456");
    // A segment larger than the cap itself cannot be buffered at all.
    const other = { srcPort: 50001 };
    r.push(seg({ ...other, seq: 1, payload: "a" }));
    r.push(seg({ ...other, seq: 100, payload: "this is far too long" }));
    t.equal(r.stats.memoryCapDrops, 1);
    t.ok(r.stats.bufferedBytesHighWater <= 10);
});

t.test("RST closes at once and flushes buffered data behind a gap", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec);
    handshake(r);
    r.push(seg({ seq: 104, payload: "tail" }));
    r.push(seg({ ...reverse(seg({ seq: 0 })), seq: 5001, flags: RST }));
    t.equal(rec.text(1, C2S), "???tail");
    t.same(rec.events.at(-1), { kind: "close", conn: 1, reason: "rst" });
    t.same(rec.events.at(-3), { kind: "gap", conn: 1, dir: C2S, missed: 3, reason: "closed" });
});

t.test("a new SYN on a known 4-tuple replaces the old connection; a retransmitted SYN does not", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec);
    handshake(r);
    r.push(seg({ seq: 100, flags: SYN })); // retransmitted SYN
    t.equal(r.stats.connectionsOpened, 1);
    r.push(seg({ seq: 101, payload: "old" }));
    handshake(r, 9000, 7000);
    t.equal(r.stats.connectionsClosed.reused, 1);
    r.push(seg({ seq: 9001, payload: "new" }));
    t.equal(rec.text(1, C2S), "old");
    t.equal(rec.text(2, C2S), "new");
});

t.test("idle connections expire, LRU eviction at the connection cap", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec, { idleTimeoutS: 60, maxConnections: 3 });
    for (let i = 0; i < 3; i++) r.push(seg({ srcPort: 40000 + i, seq: 1, payload: "k", ts: 1000 + i * 10 }));
    r.push(seg({ srcPort: 40000, seq: 2, payload: "k", ts: 1030 })); // refreshes the first
    r.push(seg({ srcPort: 40003, seq: 1, payload: "k", ts: 1031 })); // evicts the least recent (40001)
    t.equal(r.stats.connectionsClosed.evicted, 1);
    t.same(
        rec.events.filter((e) => e.kind === "close"),
        [{ kind: "close", conn: 2, reason: "evicted" }],
    );
    r.sweep(1085); // 40002 last seen at 1020, 40000 at 1030, 40003 at 1031
    t.equal(r.stats.connectionsClosed.idle, 1);
    r.sweep(1200);
    t.equal(r.stats.activeConnections, 0);
    t.equal(r.stats.connectionsClosed.idle, 3);
});

t.test("flush delivers buffered data and closes everything", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec);
    r.push(seg({ seq: 1, payload: "a" }));
    r.push(seg({ seq: 5, payload: "e" }));
    r.flush(2000);
    t.equal(rec.text(1, C2S), "a???e");
    t.equal(r.stats.connectionsClosed.end, 1);
    t.equal(r.stats.bufferedBytes, 0);
});

t.test("data beyond a completed FIN is ignored", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec);
    handshake(r);
    r.push(seg({ seq: 101, payload: "ab", flags: ACK | FIN }));
    r.push(seg({ seq: 110, payload: "zz" }));
    t.equal(rec.text(1, C2S), "ab");
    t.equal(r.stats.bufferedBytes, 0);
});

t.test("many interleaved connections stay separate", async (t) => {
    const rec = new RecordingConsumer();
    const r = new TcpReassembler(rec);
    const n = 50;
    for (let round = 0; round < 4; round++) {
        for (let i = 0; i < n; i++) {
            r.push(
                seg({
                    srcAddr: `10.1.0.${i}`,
                    seq: 1000 * i + round * 3,
                    payload: `${String(i).padStart(2, "0")}${round}`,
                }),
            );
        }
    }
    t.equal(r.stats.activeConnections, n);
    for (let i = 0; i < n; i++) {
        const id = String(i).padStart(2, "0");
        t.equal(rec.text(i + 1, C2S), `${id}0${id}1${id}2${id}3`);
    }
});

t.test("property: any reordering, duplication and overlap of a stream reassembles exactly", async (t) => {
    fc.assert(
        fc.property(
            fc.uint8Array({ minLength: 1, maxLength: 400 }),
            fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 50 }),
            fc.integer({ min: 0, max: 0xffffffff }),
            fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 60 }),
            fc.array(fc.nat(), { maxLength: 20 }),
            (data, cuts, isn, swaps, dups) => {
                const pieces: Array<{ off: number; len: number }> = [];
                let off = 0;
                let i = 0;
                while (off < data.length) {
                    const len = Math.min(cuts[i++ % cuts.length]!, data.length - off);
                    pieces.push({ off, len });
                    off += len;
                }
                // Overlapping retransmissions: a piece extended backwards over its predecessor.
                for (const d of dups) {
                    const p = pieces[d % pieces.length]!;
                    const back = Math.min(p.off, 3);
                    pieces.push({ off: p.off - back, len: p.len + back });
                }
                for (const [a, b] of swaps) {
                    const x = a % pieces.length;
                    const y = b % pieces.length;
                    [pieces[x], pieces[y]] = [pieces[y]!, pieces[x]!];
                }
                const rec = new RecordingConsumer();
                const r = new TcpReassembler(rec, { maxOutOfOrderSegmentsPerDirection: 1000 });
                r.push(seg({ seq: isn, flags: SYN }));
                for (const p of pieces) {
                    r.push(seg({ seq: (isn + 1 + p.off) >>> 0, payload: data.subarray(p.off, p.off + p.len) }));
                }
                const got = rec.streams.get(`1:${C2S}`) ?? [];
                return got.length === data.length && got.every((b, k) => b === data[k]) && r.stats.bufferedBytes === 0;
            },
        ),
        { numRuns: 300 },
    );
    t.pass("300 random cases held");
});

t.test("property: with loss, delivered bytes sit at their true offsets and gaps count the rest", async (t) => {
    fc.assert(
        fc.property(
            fc.uint8Array({ minLength: 1, maxLength: 300 }),
            fc.integer({ min: 1, max: 40 }),
            fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
            fc.integer({ min: 1, max: 8 }),
            (data, size, lostMask, bound) => {
                const rec = new RecordingConsumer();
                const r = new TcpReassembler(rec, { maxOutOfOrderSegmentsPerDirection: bound });
                r.push(seg({ seq: 0, flags: SYN }));
                let k = 0;
                for (let off = 0; off < data.length; off += size, k++) {
                    if (lostMask[k % lostMask.length] && off > 0) continue;
                    r.push(seg({ seq: 1 + off, payload: data.subarray(off, off + size) }));
                }
                r.flush(2000);
                const got = rec.streams.get(`1:${C2S}`) ?? [];
                if (got.length > data.length) return false;
                for (let j = 0; j < got.length; j++) if (got[j] !== -1 && got[j] !== data[j]) return false;
                const c = rec.events.filter((e) => e.kind === "close");
                return c.length === 1 && r.stats.bufferedBytes === 0;
            },
        ),
        { numRuns: 300 },
    );
    t.pass("300 random cases held");
});

t.test("property: hostile traffic never grows memory beyond the caps", async (t) => {
    const caps = { memoryCapBytes: 4096, maxConnections: 16, maxOutOfOrderSegmentsPerDirection: 8 };
    fc.assert(
        fc.property(
            fc.array(
                fc.record({
                    src: fc.integer({ min: 0, max: 40 }),
                    sport: fc.integer({ min: 1, max: 65535 }),
                    seq: fc.integer({ min: 0, max: 0xffffffff }),
                    flags: fc.integer({ min: 0, max: 0xff }),
                    len: fc.integer({ min: 0, max: 1500 }),
                    dt: fc.double({ min: 0, max: 5, noNaN: true }),
                }),
                { maxLength: 300 },
            ),
            (segs) => {
                const r = new TcpReassembler(new RecordingConsumer(), caps);
                let ts = 1000;
                for (const s of segs) {
                    ts += s.dt;
                    r.push(
                        seg({
                            srcAddr: `10.9.0.${s.src}`,
                            srcPort: s.sport,
                            seq: s.seq,
                            flags: s.flags,
                            payload: new Uint8Array(s.len),
                            ts,
                        }),
                    );
                    if (r.stats.bufferedBytes > caps.memoryCapBytes) return false;
                    if (r.stats.activeConnections > caps.maxConnections) return false;
                }
                r.flush(ts);
                return r.stats.bufferedBytes === 0 && r.stats.activeConnections === 0;
            },
        ),
        { numRuns: 200 },
    );
    t.pass("caps held for 200 random floods");
});

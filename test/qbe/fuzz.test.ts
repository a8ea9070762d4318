import fc from "fast-check";
import t from "tap";
import type { StreamContext } from "../../src/protocol/dispatcher.js";
import type { ProtocolRecord } from "../../src/protocol/records.js";
import { decodeQbe, encodeQbeRaw, QBE_HEADER_SIZE } from "../../src/qbe/codec.js";
import { QbeFramer } from "../../src/qbe/framer.js";
import { CtiLinkObserver } from "../../src/qbe/link.js";
import { qbeMessageDefs } from "../../src/qbe/schema.js";
import { qbeStreamDecoder } from "../../src/qbe/stream.js";
import type { TcpConnection } from "../../src/wire/reassembly.js";
import { concat, loadFixtures } from "./helpers.js";
import "../helpers/seed.js";

const MAX_FRAME = 64 * 1024;
const stream = concat(loadFixtures().map((f) => f.bytes));
const ids = qbeMessageDefs().map((d) => d.id);

/** Runs bytes (in chunks, with gaps) through framer + codec + link observer; checks the bounds. */
function run(data: Uint8Array, cuts: number[], gapsAt: Set<number>): { records: number; maxJson: number } {
    let records = 0;
    let maxJson = 0;
    const emit = (r: ProtocolRecord): void => {
        records++;
        const n = JSON.stringify(r).length;
        if (n > maxJson) maxJson = n;
    };
    const ctx: StreamContext = { conn: {} as TcpConnection, names: ["a:1", "b:2748"], emit };
    const obs = new CtiLinkObserver(() => {}, { maxSessions: 4, maxEntriesPerSession: 64 });
    const d = qbeStreamDecoder(ctx, { observer: obs, framer: { maxFrameBytes: MAX_FRAME } });
    const points = [0, ...cuts.filter((c) => c < data.length).sort((a, b) => a - b), data.length];
    for (let i = 1; i < points.length; i++) {
        const dir = (i % 2) as 0 | 1;
        d.data(dir, data.subarray(points[i - 1], points[i]), i);
        if (gapsAt.has(i)) d.gap(dir, i * 7, i, "timeout");
        obs.tick(i * 1000);
    }
    d.close(points.length, "fin");
    return { records, maxJson };
}

t.test("random bytes: never throws, terminates, output bounded", async (t) => {
    fc.assert(
        fc.property(
            fc.uint8Array({ maxLength: 4096 }),
            fc.array(fc.nat(4096), { maxLength: 20 }),
            fc.array(fc.nat(20), { maxLength: 5 }),
            (data, cuts, gaps) => {
                const { records } = run(data, cuts, new Set(gaps));
                // At most one record per 32-byte frame, plus gap/resync/end records.
                return records <= data.length / QBE_HEADER_SIZE + 3 * (cuts.length + 2);
            },
        ),
        { numRuns: 400 },
    );
    t.pass();
});

t.test("mutated fixture streams: never throws, records stay proportional to frames", async (t) => {
    fc.assert(
        fc.property(
            fc.array(fc.tuple(fc.nat(stream.length - 1), fc.integer({ min: 0, max: 255 })), {
                minLength: 1,
                maxLength: 40,
            }),
            fc.array(fc.nat(stream.length), { maxLength: 12 }),
            fc.array(fc.nat(14), { maxLength: 3 }),
            (flips, cuts, gaps) => {
                const data = new Uint8Array(stream);
                for (const [at, v] of flips) data[at] = v;
                const { maxJson } = run(data, cuts, new Set(gaps));
                return maxJson < 64 * MAX_FRAME;
            },
        ),
        { numRuns: 300 },
    );
    t.pass();
});

t.test("every known id with a random body: decode never throws, never reads outside, stays bounded", async (t) => {
    fc.assert(
        fc.property(
            fc.constantFrom(...ids),
            fc.uint8Array({ maxLength: 600 }),
            fc.uint8Array({ maxLength: 600 }),
            (id, fixed, variable) => {
                // Point some descriptors inside the frame so nested decoding is exercised too.
                const frame = encodeQbeRaw(id, fixed, variable);
                for (let o = QBE_HEADER_SIZE; o + 4 <= QBE_HEADER_SIZE + fixed.length; o += 4) {
                    const v = frame[o] as number;
                    if (v % 3 === 0) {
                        const target = v % frame.length;
                        frame[o] = target & 0xff;
                        frame[o + 1] = target >> 8;
                        frame[o + 2] = 0;
                        frame[o + 3] = 0;
                    }
                }
                // Embed in a larger buffer with guard bytes, decode the slice.
                const big = concat([new Uint8Array(13).fill(0xab), frame, new Uint8Array(13).fill(0xcd)]);
                const msg = decodeQbe(big, 13, 13 + frame.length);
                const json = JSON.stringify(msg);
                if (json.includes("abababab") || json.includes("cdcdcdcd")) return false; // guard bytes never read
                return msg.id === id && json.length < 64 * frame.length + 4096 && (msg.problems?.length ?? 0) <= 16;
            },
        ),
        { numRuns: 1500 },
    );
    t.pass();
});

t.test("framer memory stays below maxFrameBytes whatever arrives", async (t) => {
    fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 30 }), (chunks) => {
            const f = new QbeFramer({ onFrame() {} }, { maxFrameBytes: 8192 });
            for (const c of chunks) {
                // Make headers that claim big frames likely.
                if (c.length >= 32) {
                    c.set([0xdd, 0xdd, 0xff, 0xff], 8);
                    c.set([32, 0, 0, 0], 20);
                }
                f.push(c);
                if (f.bufferedBytes > 8192) return false;
            }
            return true;
        }),
        { numRuns: 300 },
    );
    t.pass();
});

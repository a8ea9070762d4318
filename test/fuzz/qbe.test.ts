/**
 * Fuzzing of the QBE framer, codec and CTI link observer on mutated Cisco-encoded frames: byte accounting,
 * bounded buffers, chunking independence, resync after garbage, strict decode errors and
 * decode∘encode∘decode stability.
 */
import fc from "fast-check";
import t from "tap";
import type { StreamContext } from "../../src/protocol/dispatcher.js";
import { decodeQbe, decodeQbeFrame, encodeQbe, QBE_MAGIC } from "../../src/qbe/codec.js";
import { QbeFramer } from "../../src/qbe/framer.js";
import { CtiLinkObserver } from "../../src/qbe/link.js";
import { qbeStreamDecoder } from "../../src/qbe/stream.js";
import { TcpConnection } from "../../src/wire/reassembly.js";
import { chunking, ensure, framerTarget, mutated, runTargets, split, strict, type Target } from "./lib.js";
import { qbeSeeds } from "./seeds.js";

const MAX_FRAME = 8192;
const FRAMES = qbeSeeds();
/** Streams of consecutive fixture frames (sessions as the jar writes them). */
const STREAMS: Uint8Array[] = [];
for (let i = 0; i < FRAMES.length; i += 5)
    STREAMS.push(Buffer.concat([...FRAMES.slice(i, i + 9), ...FRAMES.slice(0, 2)]));

interface Run {
    frames: string[];
    stats: QbeFramer["stats"];
    resynced: number;
}

function frame(parts: readonly Uint8Array[], synced: boolean): Run {
    const frames: string[] = [];
    let resynced = 0;
    const f = new QbeFramer(
        {
            onFrame(buf, start, end) {
                ensure(start >= 0 && end - start >= 32 && end <= buf.length, "frame view out of bounds");
                ensure(new DataView(buf.buffer, buf.byteOffset).getUint32(start + 8, true) === QBE_MAGIC, "no magic");
                frames.push(Buffer.from(buf.subarray(start, end)).toString("hex"));
            },
            onResync(n) {
                ensure(n > 0, "resync of 0 bytes");
                resynced += n;
            },
        },
        { maxFrameBytes: MAX_FRAME },
        synced,
    );
    for (const p of parts) {
        f.push(p);
        ensure(f.bufferedBytes <= MAX_FRAME, `framer holds ${f.bufferedBytes} bytes`);
        const cap = f.capacity;
        ensure(cap <= Math.max(MAX_FRAME, 4096), `framer buffer grew to ${cap}`);
    }
    const end = f.end();
    return { frames, stats: { ...f.stats }, resynced: resynced + end.skippedBytes };
}

const framer = framerTarget(
    STREAMS,
    frame,
    (r) => r.frames,
    (r) => r.stats.frames,
);

/** Garbage without the magic, then frames: every frame is found, the garbage is skipped exactly. */
const resync: Target<{ garbage: Uint8Array; picks: number[]; sizes: number[] }> = {
    name: "resync",
    runs: 800,
    save: "json",
    arb: fc.record({
        garbage: fc.uint8Array({ minLength: 1, maxLength: 3000 }).filter((g) => !Buffer.from(g).includes(0xdd)),
        picks: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        sizes: chunking,
    }),
    check({ garbage, picks, sizes }) {
        const msgs = picks.map((p) => FRAMES[p % FRAMES.length]!);
        const r = frame(split(Buffer.concat([garbage, ...msgs]), sizes), false);
        ensure(r.stats.skippedBytes === garbage.length, `skipped ${r.stats.skippedBytes} of ${garbage.length}`);
        ensure(
            JSON.stringify(r.frames) === JSON.stringify(msgs.map((m) => Buffer.from(m).toString("hex"))),
            "frames after the garbage were not all found",
        );
    },
};

/** True when every field of `a` (recursively) is in `b` with the same value; `b` may add defaulted fields. */
function within(a: unknown, b: unknown): boolean {
    // Empty values are written with size 0, which reads back as null (a plain UnicodeString of 0 characters,
    // an array of 0 elements).
    if ((a === "" || (Array.isArray(a) && a.length === 0)) && b === null) return true;
    // 8-bit strings that were valid UTF-8 decode to text the jar-exact encoder (low 8 bits) cannot write back.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a Latin-1 range test
    if (typeof a === "string" && /[^\u0000-\u00ff]/.test(a) && typeof b === "string") return true;
    if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => within(x, b[i]));
    if (typeof a === "object" && a !== null && !("hex" in a)) {
        if (typeof b !== "object" || b === null) return false;
        return Object.entries(a).every(([k, v]) => within(v, (b as Record<string, unknown>)[k]));
    }
    return JSON.stringify(a) === JSON.stringify(b);
}

const codec: Target<{ bytes: Uint8Array; start: number; end: number }> = {
    name: "codec",
    runs: 3000,
    save: "json",
    arb: fc.record({ bytes: mutated(FRAMES, 4, 256), start: fc.nat({ max: 40 }), end: fc.nat({ max: 40 }) }),
    check({ bytes, start, end }) {
        // The pipeline form never throws, whatever the window.
        const s = Math.min(start, bytes.length);
        decodeQbe(bytes, s, Math.max(s, bytes.length - end));
        const msg = strict(() => decodeQbeFrame(bytes), ["QBE_SHORT_FRAME", "QBE_BAD_MAGIC", "QBE_BAD_SIZE"]);
        if (msg === undefined || !msg.known || msg.problems !== undefined) return;
        const back = encodeQbe(msg.id, msg.fields as never);
        const again = decodeQbeFrame(back);
        ensure(again.problems === undefined, `${msg.name}: re-encoded frame has problems: ${again.problems}`);
        // A short fixed part (an older sender) decodes without its last fields; they come back as defaults.
        for (const [k, v] of Object.entries(msg.fields)) {
            ensure(within(v, again.fields[k]), `${msg.name}.${k} differs after decode∘encode∘decode`);
        }
    },
};

/** The stream decoder and the CTI model behind it: mutated sessions never throw and stay within their caps. */
const cti: Target<{ c2s: Uint8Array; s2c: Uint8Array; sizes: number[]; midstream: boolean }> = {
    name: "cti",
    runs: 600,
    save: "json",
    arb: fc.record({
        c2s: mutated(STREAMS, 6, 1024),
        s2c: mutated(STREAMS, 6, 1024),
        sizes: chunking,
        midstream: fc.boolean(),
    }),
    check({ c2s, s2c, sizes, midstream }) {
        let events = 0;
        const observer = new CtiLinkObserver(
            () => {
                events++;
            },
            { maxSessions: 2, maxEntriesPerSession: 8 },
        );
        const conn = new TcpConnection(
            1,
            4,
            { addr: "10.0.0.5", port: 40000 },
            { addr: "10.0.0.1", port: 2748 },
            0,
            midstream,
        );
        const ctx: StreamContext = { conn, names: ["10.0.0.5:40000", "10.0.0.1:2748"], emit: () => {} };
        const dec = qbeStreamDecoder(ctx, { observer, framer: { maxFrameBytes: MAX_FRAME } });
        const a = split(c2s, sizes);
        const b = split(s2c, sizes);
        let ts = 1;
        for (let i = 0; i < Math.max(a.length, b.length); i++) {
            ts += 0.5;
            const x = a[i];
            const y = b[i];
            if (x !== undefined) dec.data(0, x, ts);
            if (y !== undefined) dec.data(1, y, ts);
            if (i === 2) dec.gap(1, 17, ts, "timeout");
        }
        dec.close(ts + 100, "fin");
        ensure(events >= 0, "");
    },
};

runTargets(t, "qbe", [framer, resync, codec, cti] as never[]);

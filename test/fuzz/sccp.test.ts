/**
 * Fuzzing of the SCCP framer and codec on mutated real streams and on messages built from the layout
 * tables: byte accounting, bounded buffers, chunking independence, resync after garbage, strict decode
 * errors and decode∘encode round trips.
 */
import fc from "fast-check";
import t from "tap";
import { decodeSccpFrame, encodeSccp, SCCP_MAX_LENGTH } from "../../src/sccp/codec.js";
import { SccpConnectionContext } from "../../src/sccp/context.js";
import { SccpFramer, type SccpFrameSink } from "../../src/sccp/framer.js";
import { buildSamples } from "../sccp/helpers/samples.js";
import { chunking, ensure, framerTarget, mutated, runTargets, split, strict, type Target } from "./lib.js";
import { streamSeeds } from "./seeds.js";

const BUF_LIMIT = SCCP_MAX_LENGTH + 8;

/** Valid frames: one per sample message (every id, layout variant and a few header versions). */
const FRAMES: Uint8Array[] = buildSamples(7, 1, { empty: true }).map((s) => encodeSccp(s.msg));

/** Real streams from the captures, plus synthetic streams of consecutive sample frames. */
const STREAMS: Uint8Array[] = [...streamSeeds(2000)];
for (let i = 0; i < FRAMES.length; i += 12) STREAMS.push(Buffer.concat(FRAMES.slice(i, i + 12)));

interface FramerRun {
    messages: string[];
    stats: SccpFramer["stats"];
    resynced: number;
}

/** Pushes `parts` through a fresh framer and ends it, checking the buffer bound after every push. */
function frame(parts: readonly Uint8Array[], synced: boolean): FramerRun {
    const f = new SccpFramer({ synced });
    const messages: string[] = [];
    let resynced = 0;
    const sink: SccpFrameSink = {
        onMessage(hv, id, buf, start, end) {
            ensure(start >= 12 && end >= start && end <= buf.length, "message view out of bounds");
            messages.push(`${hv}/${id}/${Buffer.from(buf.subarray(start, end)).toString("hex")}`);
        },
        onResync(n) {
            ensure(n > 0, "resync of 0 bytes");
            resynced += n;
        },
    };
    for (const p of parts) {
        f.push(p, sink);
        ensure(f.buffered <= BUF_LIMIT && f.capacity <= BUF_LIMIT, `framer holds ${f.capacity} bytes`);
    }
    f.end(sink);
    return { messages, stats: { ...f.stats }, resynced };
}

const framer = framerTarget(
    STREAMS,
    frame,
    (r) => r.messages,
    (r) => r.stats.frames,
);

/**
 * Garbage, then valid messages: hunting may take a false header that straddles the garbage and the first
 * real header (up to SCCP_MAX_LENGTH + 8 bytes lost), but every message starting beyond that reach is found,
 * and the garbage itself is never delivered.
 */
const resync: Target<{ garbage: Uint8Array; picks: number[]; sizes: number[] }> = {
    name: "resync",
    runs: 500,
    save: "json",
    arb: fc.record({
        garbage: fc.oneof(
            fc.uint8Array({ min: 0x80, max: 0xff, minLength: 1, maxLength: 300 }),
            fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        ),
        picks: fc.array(fc.nat(), { minLength: 20, maxLength: 200 }),
        sizes: chunking,
    }),
    check({ garbage, picks, sizes }) {
        const msgs = picks.map((p) => FRAMES[p % FRAMES.length]!);
        const stream = Buffer.concat([garbage, ...msgs]);
        const r = frame(split(stream, sizes), false);
        const want: string[] = [];
        let o = garbage.length;
        for (const m of msgs) {
            const dv = new DataView(m.buffer, m.byteOffset);
            const key = `${dv.getUint32(4, true)}/${dv.getUint32(8, true)}/${Buffer.from(m.subarray(12)).toString("hex")}`;
            if (o >= garbage.length + BUF_LIMIT + 12) want.push(key);
            o += m.length;
        }
        const got = r.messages.slice(r.messages.length - want.length);
        ensure(
            want.length === 0 || JSON.stringify(got) === JSON.stringify(want),
            `lost messages more than ${BUF_LIMIT} bytes after the garbage`,
        );
        ensure(r.stats.bytes <= stream.length - Math.min(garbage.length, r.stats.skippedBytes), "accounting");
    },
};

/** A gap inside a stream in sync: the framer keeps or regains sync and the accounting still adds up. */
const gaps: Target<{ picks: number[]; cut: number; lost: number; report: number }> = {
    name: "gap",
    runs: 800,
    save: "json",
    arb: fc.record({
        picks: fc.array(fc.nat(), { minLength: 2, maxLength: 6 }),
        cut: fc.nat(),
        lost: fc.nat({ max: 600 }),
        report: fc.oneof(fc.constant(-1), fc.constant(0), fc.nat({ max: 700 })),
    }),
    check({ picks, cut, lost, report }) {
        const stream = Buffer.concat(picks.map((p) => FRAMES[p % FRAMES.length]!));
        const at = cut % stream.length;
        const resume = Math.min(stream.length, at + lost);
        const f = new SccpFramer();
        let delivered = 0;
        const sink: SccpFrameSink = {
            onMessage() {
                delivered++;
            },
        };
        f.push(stream.subarray(0, at), sink);
        f.gap(report < 0 ? resume - at : report);
        f.push(stream.subarray(resume), sink);
        ensure(f.buffered <= BUF_LIMIT, "buffer above the cap after a gap");
        f.end(sink);
        const s = f.stats;
        ensure(s.frames === delivered, "stats.frames differs");
        // Every byte pushed is delivered, skipped or discarded exactly once.
        const pushed = stream.length - (resume - at);
        ensure(s.bytes + s.skippedBytes + s.discardedBytes === pushed, "byte accounting broken by a gap");
        if (report < 0) {
            // An exact gap report: every message after the lost range is found again.
            let after = 0;
            let o = 0;
            for (const p of picks) {
                const m = FRAMES[p % FRAMES.length]!;
                if (o >= resume) after++;
                o += m.length;
            }
            ensure(delivered >= after, `only ${delivered} messages, ${after} lay after the gap`);
        }
    },
};

const FRAME_SEEDS: Uint8Array[] = [...FRAMES];
for (const s of streamSeeds(2000)) {
    frame([s], true); // warm
    const f = new SccpFramer();
    f.push(s, {
        onMessage(_hv, _id, buf, start, end) {
            FRAME_SEEDS.push(buf.slice(start - 12, end));
        },
    });
}

const codec: Target<Uint8Array> = {
    name: "codec",
    runs: 3000,
    arb: mutated(FRAME_SEEDS, 4, 256),
    check(bytes) {
        const ctx = new SccpConnectionContext();
        const msg = strict(() => decodeSccpFrame(bytes, ctx), ["SCCP_SHORT_FRAME", "SCCP_BAD_LENGTH"]);
        if (msg === undefined) return;
        const back = encodeSccp(msg);
        ensure(Buffer.compare(back, bytes) === 0, `${msg.name}: decode∘encode is not byte-exact`);
        const again = decodeSccpFrame(back, new SccpConnectionContext());
        ensure(JSON.stringify(again.fields) === JSON.stringify(msg.fields), `${msg.name}: fields differ on re-decode`);
    },
};

runTargets(t, "sccp", [framer, resync, gaps, codec] as never[]);

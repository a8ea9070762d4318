/**
 * Fuzzing: mutated and random streams never throw out of the framer or the decoder, never loop, and never
 * grow the framer's buffer past SCCP_MAX_LENGTH + 8; any body decodes and re-encodes byte-exact.
 */
import t from "tap";
import { decodeSccpBody, decodeSccpBodyAt, encodeSccp, hasSccpLayout, SCCP_MAX_LENGTH } from "../../src/sccp/codec.js";
import { SccpConnectionContext } from "../../src/sccp/context.js";
import { SccpFramer, type SccpFrameSink } from "../../src/sccp/framer.js";
import { SCCP_LAYOUTS } from "../../src/sccp/tables/layouts.js";
import { buildSamples, prng } from "./helpers/samples.js";

const BUF_LIMIT = SCCP_MAX_LENGTH + 8;

function frameWith(hv: number, id: number, body: Uint8Array): Uint8Array {
    const out = new Uint8Array(12 + body.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, body.length + 4, true);
    dv.setUint32(4, hv, true);
    dv.setUint32(8, id, true);
    out.set(body, 12);
    return out;
}

t.test("any body of any id decodes without throwing and re-encodes byte-exact", async (t) => {
    const rnd = prng(0xf00d);
    const ids = Object.keys(SCCP_LAYOUTS).map(Number);
    const samples = buildSamples(11, 2, { latin1: true, empty: true });
    const hvs = [0, 0x0b, 0x11, 0x12, 0x14, 0x16];
    const bad: string[] = [];
    let n = 0;
    const check = (id: number, hv: number, body: Uint8Array, ctx?: SccpConnectionContext) => {
        n++;
        const m = decodeSccpBody(id, hv, body, ctx);
        const back = encodeSccp(m);
        const want = frameWith(hv, id, body);
        if (Buffer.compare(Buffer.from(back), Buffer.from(want)) !== 0 && bad.length < 10) {
            bad.push(`${m.name} hv ${hv} body ${Buffer.from(body).toString("hex")}`);
        }
    };
    for (let i = 0; i < 5000; i++) {
        const id = ids[Math.floor(rnd() * ids.length)] as number;
        const len = rnd() < 0.5 ? Math.floor(rnd() * 64) : Math.floor(rnd() * 900);
        const body = new Uint8Array(len);
        // Mostly zero bytes with some noise: exercises NULs, pads and short strings.
        for (let k = 0; k < len; k++) body[k] = rnd() < 0.6 ? 0 : Math.floor(rnd() * 256);
        check(id, hvs[i % hvs.length] as number, body);
    }
    // Valid bodies with one mutation (byte flip, truncation or extension).
    const ctx = new SccpConnectionContext();
    for (let i = 0; i < 5000; i++) {
        const s = samples[Math.floor(rnd() * samples.length)];
        if (s === undefined) continue;
        let body = encodeSccp(s.msg).slice(12);
        const r = rnd();
        if (r < 0.4 && body.length > 0) {
            const k = Math.floor(rnd() * body.length);
            body[k] = (body[k] as number) ^ (1 << Math.floor(rnd() * 8));
        } else if (r < 0.7) body = body.slice(0, Math.floor(rnd() * body.length));
        else {
            const ext = new Uint8Array(body.length + 1 + Math.floor(rnd() * 8));
            ext.set(body);
            for (let k = body.length; k < ext.length; k++) ext[k] = rnd() < 0.5 ? 0 : Math.floor(rnd() * 256);
            body = ext;
        }
        check(s.msg.id, s.msg.hv, body, ctx);
    }
    t.same(bad, [], `${n} bodies decode and re-encode exactly`);
    t.ok(ctx.stats.irregular > 0 && ctx.stats.truncated > 0, "irregular and truncated bodies were counted");
    t.ok(ids.every(hasSccpLayout));
});

class CountingSink implements SccpFrameSink {
    messages = 0;
    resynced = 0;
    decodeErrors = 0;
    readonly ctx = new SccpConnectionContext();
    onMessage(hv: number, id: number, buf: Uint8Array, start: number, end: number): void {
        this.messages++;
        try {
            decodeSccpBodyAt(id, hv, buf, start, end, this.ctx, false);
        } catch {
            this.decodeErrors++;
        }
    }
    onResync(skipped: number): void {
        this.resynced += skipped;
    }
}

t.test("mutated and random streams: no throw, no loop, bounded buffer", async (t) => {
    const rnd = prng(0xbeef);
    const samples = buildSamples(23, 3);
    // 50k frames of valid traffic.
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 50000; i++)
        frames.push(encodeSccp((samples[Math.floor(rnd() * samples.length)] as (typeof samples)[0]).msg));
    const total = frames.reduce((a, f) => a + f.length, 0);
    const stream = new Uint8Array(total);
    let o = 0;
    for (const f of frames) {
        stream.set(f, o);
        o += f.length;
    }

    // Clean stream in random chunks: every frame comes out.
    const clean = new CountingSink();
    const f0 = new SccpFramer();
    let cleanMax = 0;
    for (let p = 0; p < stream.length; ) {
        const n = 1 + Math.floor(rnd() * 3000);
        f0.push(stream.subarray(p, p + n), clean);
        p += n;
        if (f0.buffered > cleanMax) cleanMax = f0.buffered;
    }
    t.ok(cleanMax <= BUF_LIMIT, `clean stream: buffer stayed <= ${BUF_LIMIT} (max ${cleanMax})`);
    t.equal(clean.messages, frames.length, "clean stream: every frame");
    t.equal(clean.decodeErrors, 0);
    t.equal(f0.stats.skippedBytes, 0);

    // Mutated stream: flips, garbage blocks, deletions, gaps.
    const mutated = stream.slice();
    for (let i = 0; i < 3000; i++) mutated[Math.floor(rnd() * mutated.length)] = Math.floor(rnd() * 256);
    const sink = new CountingSink();
    const framer = new SccpFramer({ synced: rnd() < 0.5 });
    let maxBuffered = 0;
    for (let p = 0; p < mutated.length; ) {
        const n = 1 + Math.floor(rnd() * 4000);
        const r = rnd();
        if (r < 0.02) {
            // Random garbage block.
            const g = new Uint8Array(1 + Math.floor(rnd() * 9000));
            for (let k = 0; k < g.length; k++) g[k] = Math.floor(rnd() * 256);
            framer.push(g, sink);
        } else if (r < 0.05) {
            // Lost bytes: report a gap and skip them.
            framer.gap(n);
            p += n;
            continue;
        } else if (r < 0.06) {
            framer.gap(0);
        }
        framer.push(mutated.subarray(p, p + n), sink);
        p += n;
        if (framer.buffered > maxBuffered) maxBuffered = framer.buffered;
    }
    framer.end(sink);
    t.ok(maxBuffered <= BUF_LIMIT, `buffer stayed <= ${BUF_LIMIT} (max ${maxBuffered})`);
    t.equal(sink.decodeErrors, 0, "decoder never threw");
    t.ok(sink.messages > frames.length / 2, `most frames recovered (${sink.messages})`);
    t.ok(framer.stats.resyncs > 0 && sink.resynced === framer.stats.skippedBytes, "resyncs reported and counted");

    // Pure noise, including plausible-looking headers with huge lengths.
    const noise = new SccpFramer();
    const ns = new CountingSink();
    let noiseMax = 0;
    for (let i = 0; i < 2000; i++) {
        const g = new Uint8Array(1 + Math.floor(rnd() * 5000));
        for (let k = 0; k < g.length; k++) g[k] = rnd() < 0.7 ? 0 : Math.floor(rnd() * 256);
        if (g.length >= 12 && rnd() < 0.3) new DataView(g.buffer).setUint32(0, 8000 + Math.floor(rnd() * 300), true);
        noise.push(g, ns);
        if (noise.buffered > noiseMax) noiseMax = noise.buffered;
    }
    t.ok(noiseMax <= BUF_LIMIT, `noise: buffer stayed <= ${BUF_LIMIT} (max ${noiseMax})`);
    t.equal(ns.decodeErrors, 0);
});

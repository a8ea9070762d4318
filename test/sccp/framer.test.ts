/** SccpFramer: splitting, coalescing, partial messages, gaps, resync, desync and end of stream. */
import t from "tap";
import { encodeSccp, SCCP_MAX_LENGTH, sccpGapRecord, sccpResyncRecord } from "../../src/sccp/codec.js";
import { SccpFramer, type SccpFrameSink } from "../../src/sccp/framer.js";

interface Seen {
    hv: number;
    id: number;
    body: string;
}

class Recorder implements SccpFrameSink {
    readonly seen: Seen[] = [];
    readonly resyncs: number[] = [];
    onMessage(hv: number, id: number, buf: Uint8Array, start: number, end: number): void {
        // The whole frame sits right before the body.
        const len = new DataView(buf.buffer, buf.byteOffset + start - 12, 4).getUint32(0, true);
        if (len !== end - start + 4) throw new Error("frame view does not match the body");
        this.seen.push({ hv, id, body: Buffer.from(buf.subarray(start, end)).toString("hex") });
    }
    onResync(skipped: number): void {
        this.resyncs.push(skipped);
    }
}

// 36 bytes on the wire: 12 header + 24 body.
const callState = (ref: number) =>
    encodeSccp({
        hv: 0x14,
        id: 0x111,
        fields: {
            callState: 5,
            lineInstance: 1,
            callReference: ref,
            privacy: 0,
            precedenceLevel: 4,
            precedenceDomain: 0,
        },
    });
const keepAlive = () => encodeSccp({ hv: 0, id: 0, fields: {} });
const info = encodeSccp({
    hv: 0,
    id: 0x8f,
    fields: { callingPartyName: "Python", callingParty: "1003", calledPartyName: "", calledParty: "1012" },
});

function concat(...parts: Uint8Array[]): Uint8Array {
    return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));
}

const stream = concat(callState(1), keepAlive(), info, callState(2), keepAlive());

t.test("coalesced and split messages come out whole, at every split point", async (t) => {
    const whole = new Recorder();
    new SccpFramer().push(stream, whole);
    t.same(
        whole.seen.map((s) => s.id),
        [0x111, 0, 0x8f, 0x111, 0],
    );
    for (let cut = 1; cut < stream.length; cut++) {
        const r = new Recorder();
        const f = new SccpFramer();
        f.push(stream.subarray(0, cut), r);
        f.push(stream.subarray(cut), r);
        if (JSON.stringify(r.seen) !== JSON.stringify(whole.seen)) t.fail(`split at ${cut}`);
        t.equal(f.buffered, 0);
    }
    // Byte by byte.
    const r = new Recorder();
    const f = new SccpFramer();
    for (let i = 0; i < stream.length; i++) f.push(stream.subarray(i, i + 1), r);
    t.same(r.seen, whole.seen);
    t.equal(f.stats.frames, 5);
    t.equal(f.stats.bytes, stream.length);
    t.equal(f.inSync, true);
    t.equal(f.end(r), 0);
});

t.test("a gap inside a message keeps sync and skips its rest exactly", async (t) => {
    const a = callState(1);
    const b = callState(2);
    const r = new Recorder();
    const f = new SccpFramer();
    // Header plus 6 body bytes arrive, then 10 bytes are lost, then the rest and the next message.
    f.push(a.subarray(0, 18), r);
    t.equal(f.gap(10), 18, "partial message dropped");
    f.push(concat(a.subarray(28), b), r);
    t.same(
        r.seen.map((s) => s.body),
        [Buffer.from(b.subarray(12)).toString("hex")],
    );
    t.same(r.resyncs, [], "no hunting needed");
    t.equal(f.stats.discardedBytes, 18 + 8);
    // The rest can also arrive over several pushes.
    const f2 = new SccpFramer();
    const r2 = new Recorder();
    f2.push(a.subarray(0, 14), r2);
    f2.gap(2);
    f2.push(a.subarray(16, 20), r2);
    f2.gap(3);
    f2.push(a.subarray(23), r2);
    f2.push(b, r2);
    t.equal(r2.seen.length, 1);
    t.equal(f2.inSync, true);
});

t.test("a gap at a boundary or of unknown size makes the framer hunt", async (t) => {
    const r = new Recorder();
    const f = new SccpFramer();
    f.push(callState(1), r);
    t.equal(f.gap(100), 0);
    t.equal(f.inSync, false);
    // The next bytes start mid-message: 7 bytes of its tail, then whole messages.
    const tail = callState(9).subarray(29);
    f.push(concat(tail, callState(2), callState(3)), r);
    t.same(
        r.seen.map((s) => s.id),
        [0x111, 0x111, 0x111],
    );
    t.same(r.resyncs, [tail.length]);
    t.equal(f.stats.resyncs, 1);
    t.equal(f.stats.skippedBytes, tail.length);
    t.equal(f.stats.gaps, 1);
    t.equal(f.stats.missedBytes, 100);
    // Gap at a boundary followed directly by a header: resync without skipped bytes, nothing reported.
    f.gap(0);
    f.push(callState(4), r);
    t.equal(r.seen.length, 4);
    t.same(r.resyncs, [tail.length]);
    t.same(sccpGapRecord(100, 0), { name: "Gap", fields: { missedBytes: 100, discardedBytes: 0 } });
    t.same(sccpResyncRecord(7), { name: "Resync", fields: { skippedBytes: 7 } });
});

t.test("garbage and absurd lengths desynchronise; the next plausible header resyncs", async (t) => {
    const r = new Recorder();
    const f = new SccpFramer();
    const garbage = new Uint8Array([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    f.push(concat(callState(1), garbage, callState(2)), r);
    t.equal(r.seen.length, 2);
    t.equal(f.stats.desyncs, 1);
    t.same(r.resyncs, [garbage.length]);
    // Length > 8 KiB is a desync even with a plausible header version.
    const big = new Uint8Array(12);
    new DataView(big.buffer).setUint32(0, SCCP_MAX_LENGTH + 1, true);
    f.push(concat(big, callState(3)), r);
    t.equal(r.seen.length, 3);
    t.equal(f.stats.desyncs, 2);
    // Header version outside 0..0x20 while in sync.
    const badHv = callState(4);
    badHv[4] = 0x55;
    f.push(concat(badHv, callState(5)), r);
    t.equal(r.seen.at(-1)?.body, Buffer.from(callState(5).subarray(12)).toString("hex"));
    // An implausible header that arrives split over pushes is caught when its 12 bytes are in.
    const g = new SccpFramer();
    const rg = new Recorder();
    const bad = concat(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), callState(6));
    g.push(bad.subarray(0, 5), rg);
    g.push(bad.subarray(5), rg);
    t.equal(rg.seen.length, 1);
    t.same(rg.resyncs, [12]);
});

t.test("a candidate header is confirmed by the one after it", async (t) => {
    const r = new Recorder();
    const f = new SccpFramer({ synced: false });
    // Bytes that look like a KeepAlive header whose successor is garbage, then real traffic.
    const fake = concat(keepAlive(), new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]));
    f.push(concat(fake, callState(1), callState(2)), r);
    t.same(
        r.seen.map((s) => s.id),
        [0x111, 0x111],
    );
    t.same(r.resyncs, [fake.length]);
});

t.test("mid-stream start, hunting across pushes, end of stream", async (t) => {
    const r = new Recorder();
    const f = new SccpFramer({ synced: false });
    t.equal(f.inSync, false);
    const s = concat(callState(1).subarray(20), callState(2), callState(3));
    // Hand the bytes over in small pieces so candidate headers straddle pushes.
    for (let i = 0; i < s.length; i += 5) f.push(s.subarray(i, i + 5), r);
    t.same(
        r.seen.map((x) => x.id),
        [0x111, 0x111],
    );
    t.same(r.resyncs, [callState(1).length - 20]);
    // End with a partial message: dropped and counted.
    f.push(callState(4).subarray(0, 15), r);
    t.equal(f.end(r), 15);
    t.equal(f.stats.discardedBytes, 15);
    // End while hunting: the skipped bytes are reported.
    const h = new SccpFramer({ synced: false });
    const rh = new Recorder();
    h.push(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]), rh);
    t.ok(h.buffered < 12);
    h.gap(5);
    h.push(new Uint8Array([1, 2, 3]), rh);
    t.equal(h.end(rh), 0);
    t.same(rh.resyncs, [23]);
    // A gap reported while skipping the rest of a lost message.
    const k = new SccpFramer();
    const rk = new Recorder();
    const big = info;
    k.push(big.subarray(0, 20), rk);
    k.gap(10);
    k.push(big.subarray(30, 40), rk);
    k.gap(500); // more than the rest of the message: hunt
    t.equal(k.inSync, false);
    k.push(concat(callState(7), callState(8)), rk);
    t.equal(rk.seen.length, 2);
});

t.test(
    "an idle framer holds no buffer; a split message costs only its size (regression: 8 KiB per direction)",
    async (t) => {
        const framer = new SccpFramer();
        t.equal(framer.capacity, 0, "nothing allocated up front");
        const small = encodeSccp({ hv: 0, id: 0x0000, fields: {} });
        const big = new Uint8Array(12 + 2000);
        new DataView(big.buffer).setUint32(0, 4 + 2000, true);
        new DataView(big.buffer).setUint32(8, 0x0113, true); // ClearPromptStatus id, oversized body: still framed
        let got = 0;
        const sink = { onMessage: () => void got++ };
        framer.push(small, sink);
        t.equal(framer.capacity, 0, "whole messages are framed from the input, no copy");
        framer.push(big.subarray(0, 100), sink);
        t.ok(framer.capacity >= 100 && framer.capacity <= 8200, "a split message buffers what it needs");
        framer.push(big.subarray(100), sink);
        t.equal(got, 2);
        t.equal(framer.capacity, 0, "a large buffer is released once its message is delivered");
    },
);

t.test("hunting rejects a header whose body is shorter than every layout of its id (regression)", async (t) => {
    // "04000000 00000000 04000000" reads as an EnblocCall with no body: a coincidence inside a CallState body.
    const fake = Uint8Array.from([4, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0]);
    const ka = encodeSccp({ hv: 0, id: 0x0000, fields: {} });
    const framer = new SccpFramer({ synced: false });
    const rec = new Recorder();
    framer.push(Buffer.concat([Uint8Array.of(9, 9), fake, ka]), rec);
    t.same(
        rec.seen.map((s) => s.id),
        [0x0000],
    );
    t.same(rec.resyncs, [14]);
});

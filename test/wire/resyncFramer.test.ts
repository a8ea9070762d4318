/**
 * ResyncFramer on a made-up shape: views into the pushed chunk, split frames, gaps (kept sync, exact end,
 * hunting), hunting with and without confirmation by the next header, end of stream, buffer policy.
 */
import t from "tap";
import { type FrameShape, ResyncFramer, type ResyncSink } from "../../src/wire/resyncFramer.js";

// Toy frames: a 6-byte header (u16le body length, magic 0xA5, type, two reserved zero bytes) and the body.
const HS = 6;
const MAGIC = 0xa5;

interface ToySink extends ResyncSink {
    onFrame(buf: Uint8Array, start: number, end: number): void;
}

function shape(confirmByNext: boolean, maxFrame = 4096): FrameShape<ToySink> {
    const size = (b: Uint8Array, o: number) => (b[o] as number) | ((b[o + 1] as number) << 8);
    return {
        headerSize: HS,
        maxFrame,
        minBuffer: 16,
        keepBuffer: 1024,
        confirmByNext,
        frameSize: (b, o) => (b[o + 2] === MAGIC && HS + size(b, o) <= maxFrame ? HS + size(b, o) : -1),
        sizeFromPrefix: (b, n) => (n >= 2 && HS + size(b, 0) <= maxFrame ? HS + size(b, 0) : -1),
        huntable: (b, o) => b[o + 2] === MAGIC && (b[o + 3] as number) < 8 && b[o + 4] === 0 && b[o + 5] === 0,
        deliver: (sink, b, start, total) => sink.onFrame(b, start, start + total),
    };
}

function frame(type: number, bodyLen: number, fill = type + 0x30): Uint8Array {
    const f = new Uint8Array(HS + bodyLen).fill(fill, HS);
    f[0] = bodyLen & 0xff;
    f[1] = bodyLen >> 8;
    f[2] = MAGIC;
    f[3] = type;
    return f;
}

function concat(...parts: Uint8Array[]): Uint8Array {
    return new Uint8Array(Buffer.concat(parts));
}

class Recorder implements ToySink {
    readonly out: string[] = [];
    readonly views: Uint8Array[] = [];
    onFrame(buf: Uint8Array, start: number, end: number): void {
        this.views.push(buf);
        this.out.push(`${buf[start + 3]}:${end - start}`);
    }
    onResync(skipped: number): void {
        this.out.push(`resync:${skipped}`);
    }
}

const a = frame(1, 10);
const b = frame(2, 3);
const c = frame(3, 20);
const stream = concat(a, b, c);

t.test("whole frames are views into the chunk; split frames come out whole at every split point", async (t) => {
    const r = new Recorder();
    const f = new ResyncFramer(shape(true));
    f.push(stream, r);
    t.strictSame(r.out, ["1:16", "2:9", "3:26"]);
    t.ok(
        r.views.every((v) => v === stream),
        "no copy",
    );
    t.equal(f.capacity, 0, "no buffer allocated");
    for (let cut = 1; cut < stream.length; cut++) {
        const rc = new Recorder();
        const g = new ResyncFramer(shape(true));
        g.push(stream.subarray(0, cut), rc);
        g.push(stream.subarray(cut), rc);
        if (rc.out.join() !== r.out.join() || g.buffered !== 0) t.fail(`split at ${cut}`);
    }
    const rb = new Recorder();
    const g = new ResyncFramer(shape(false));
    for (let i = 0; i < stream.length; i++) g.push(stream.subarray(i, i + 1), rb);
    t.strictSame(rb.out, r.out);
    t.strictSame(
        { frames: g.stats.frames, bytes: g.stats.bytes, resyncs: g.stats.resyncs, inSync: g.inSync },
        { frames: 3, bytes: stream.length, resyncs: 0, inSync: true },
    );
    t.equal(g.end(), 0);
});

t.test("gaps", async (t) => {
    await t.test("inside a frame: its rest is skipped, sync kept", async (t) => {
        const r = new Recorder();
        const f = new ResyncFramer(shape(true));
        f.push(a.subarray(0, 8), r);
        t.equal(f.gap(3), 8, "the partial frame is dropped");
        f.push(a.subarray(11, 13), r);
        t.equal(f.gap(1), 0, "a second gap inside the skipped rest");
        f.push(concat(a.subarray(14), b), r);
        t.strictSame(r.out, ["2:9"]);
        t.ok(f.inSync);
        t.equal(f.stats.discardedBytes, 8 + 2 + 2);
        t.equal(f.stats.missedBytes, 4);
    });

    await t.test("ending exactly at the frame's end keeps sync, also while skipping (regression)", async (t) => {
        // QBE's copy lost sync when a gap during the skip ended exactly at the frame's end, though it kept
        // it when the same gap came before the skip: the next header is known to be right there either way.
        const r = new Recorder();
        const f = new ResyncFramer(shape(true));
        f.push(a.subarray(0, 8), r);
        f.gap(8);
        t.ok(f.inSync);
        f.push(b, r);
        const g = new ResyncFramer(shape(true));
        g.push(a.subarray(0, 8), r);
        g.gap(2);
        g.gap(6); // the rest of the skip, exactly
        t.ok(g.inSync);
        g.push(c, r);
        t.strictSame(r.out, ["2:9", "3:26"]);
    });

    await t.test("a partial header whose first bytes tell the size: skipped exactly", async (t) => {
        const r = new Recorder();
        const f = new ResyncFramer(shape(true));
        f.push(a.subarray(0, 3), r);
        t.equal(f.gap(5), 3);
        t.ok(f.inSync);
        f.push(concat(a.subarray(8), b), r);
        t.strictSame(r.out, ["2:9"]);
    });

    await t.test("past the frame, at a boundary, of unknown size, or while hunting: hunts", async (t) => {
        const r = new Recorder();
        const f = new ResyncFramer(shape(true));
        f.push(a.subarray(0, 8), r);
        f.gap(20);
        t.notOk(f.inSync);
        f.push(concat(b.subarray(6), c), r);
        t.strictSame(r.out, ["resync:3", "3:26"]);
        f.gap(0);
        t.notOk(f.inSync, "0: an unknown amount");
        f.push(Uint8Array.of(9, 9), r); // kept as an unscanned tail
        t.equal(f.buffered, 2);
        f.gap(4);
        t.equal(f.buffered, 0, "a header cannot straddle a gap");
        f.push(a, r);
        t.strictSame(r.out, ["resync:3", "3:26", "resync:2", "1:16"]);
        t.strictSame([f.stats.gaps, f.stats.missedBytes, f.stats.resyncs, f.stats.skippedBytes], [3, 24, 2, 5]);
    });
});

t.test("hunting: first plausible header, or one confirmed by the next header", async (t) => {
    // A fake header (plausible on its own) whose successor is garbage, then real frames.
    const fake = concat(frame(4, 2), Uint8Array.of(7, 7, 7, 7, 7, 7, 7));
    const s = concat(Uint8Array.of(1, 2, 3), fake, a, b);
    const first = new Recorder();
    const f = new ResyncFramer(shape(false), false);
    f.push(s, first);
    t.equal(first.out[0], "resync:3");
    t.equal(first.out[1], "4:8", "without confirmation the fake is taken");
    const confirmed = new Recorder();
    const g = new ResyncFramer(shape(true), false);
    g.push(s, confirmed);
    t.strictSame(confirmed.out, [`resync:${3 + fake.length}`, "1:16", "2:9"]);
    // A candidate that runs past the data waits for the bytes that could start a header inside it.
    const w = new Recorder();
    const h = new ResyncFramer(shape(true), false);
    h.push(concat(Uint8Array.of(5, 5), c.subarray(0, 8)), w);
    t.strictSame(w.out, [], "still waiting");
    t.ok(h.buffered <= 2 * HS - 2);
    h.push(c.subarray(8), w);
    t.strictSame(w.out, ["resync:2", "3:26"]);
});

t.test("an implausible header in sync desynchronises, also when split over pushes", async (t) => {
    const bad = Uint8Array.of(1, 0, 0x11, 0, 0, 0);
    const s = concat(a, bad, b);
    for (let cut = 0; cut <= s.length; cut++) {
        const r = new Recorder();
        const f = new ResyncFramer(shape(true));
        f.push(s.subarray(0, cut), r);
        f.push(s.subarray(cut), r);
        if (r.out.join() !== "1:16,resync:6,2:9" || f.stats.desyncs !== 1) t.fail(`cut ${cut}: ${r.out.join()}`);
    }
});

t.test(
    "end of stream: a partial frame is discarded, an unfinished hunt skipped (a resync if a sink is told)",
    async (t) => {
        const r = new Recorder();
        const f = new ResyncFramer(shape(true));
        f.push(concat(a, b.subarray(0, 4)), r);
        t.equal(f.end(r), 4);
        t.equal(f.stats.discardedBytes, 4);
        const g = new ResyncFramer(shape(true), false);
        g.push(new Uint8Array(100).fill(0xee), r);
        t.ok(g.buffered < HS, "hunting keeps only a short tail");
        t.equal(g.end(), 0);
        t.strictSame([g.stats.resyncs, g.stats.skippedBytes], [0, 100], "no sink: only counted as skipped");
        t.strictSame(r.out, ["1:16"]);
        const h = new ResyncFramer(shape(true), false);
        h.push(new Uint8Array(10).fill(0xee), r);
        t.equal(h.end(r), 0);
        t.strictSame([h.stats.resyncs, h.stats.skippedBytes], [1, 10]);
        t.strictSame(r.out, ["1:16", "resync:10"], "reported to the sink given");
    },
);

t.test("buffer: grows with what arrives up to the largest frame, released after a large frame", async (t) => {
    const r = new Recorder();
    const f = new ResyncFramer(shape(true));
    const big = frame(5, 3000);
    f.push(big.subarray(0, 10), r);
    t.equal(f.capacity, 16, "a header costs the minimum buffer, not the frame it announces");
    for (let p = 10; p < big.length; p += 500) f.push(big.subarray(p, p + 500), r);
    t.strictSame(r.out, ["5:3006"]);
    t.equal(f.capacity, 0, "released once delivered");
    f.push(b.subarray(0, 5), r);
    f.push(b.subarray(5), r);
    t.equal(f.capacity, 16, "a small buffer is kept");
    const limited = new ResyncFramer(shape(true, 64));
    limited.push(concat(frame(1, 100), a), r);
    t.equal(limited.stats.desyncs, 1, "a frame over the limit is garbage");
    t.equal(r.out.at(-1), "1:16");
});

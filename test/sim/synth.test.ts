import t from "tap";
import type { CapturedFrame } from "../../src/capture/frame.js";
import { frameSinkOutput, SyntheticCapture, type SynthOptions } from "../../src/sim/synth.js";
import { decodeFrame } from "../../src/wire/decodeFrame.js";
import { WirePipeline } from "../../src/wire/pipeline.js";
import { newWireCounters, TcpFlag } from "../../src/wire/types.js";
import { RecordingConsumer } from "../helpers/segments.js";

interface Run {
    cap: SyntheticCapture;
    rec: RecordingConsumer;
    frames: { ts: number; flags: number; len: number; seq: number; ack: number; src: string }[];
    finish(): void;
}

function run(opts: SynthOptions = {}): Run {
    const rec = new RecordingConsumer();
    const pipeline = new WirePipeline(rec, { serverPorts: [2000], gapTimeoutMs: 10 });
    const frames: Run["frames"] = [];
    const counters = newWireCounters();
    const out = frameSinkOutput((f: CapturedFrame) => {
        const seg = decodeFrame({ ...f, bytes: f.bytes.slice() }, counters);
        if (seg !== null)
            frames.push({
                ts: f.ts,
                flags: seg.flags,
                len: seg.payload.length,
                seq: seg.seq,
                ack: seg.ack,
                src: seg.srcAddr,
            });
        pipeline.onFrame(f);
    });
    const cap = new SyntheticCapture(out, opts);
    return { cap, rec, frames, finish: () => pipeline.finish() };
}

const text = (s: string) => new TextEncoder().encode(s);

t.test("handshake, data both ways with correct seq/ack, FIN from both sides", async (t) => {
    const r = run({ seed: 5 });
    const c = r.cap.open("127.0.1.1", 49152, "127.0.0.1", 2000, 1000);
    r.cap.data(c, 0, text("hello"), 1001);
    r.cap.data(c, 1, text("world!"), 1002);
    r.cap.data(c, 0, text("again"), 1003);
    r.cap.close(c, 0, 1004);
    t.notOk(c.closed);
    r.cap.data(c, 0, text("after FIN is dropped"), 1004);
    r.cap.close(c, 1, 1005);
    t.ok(c.closed);
    r.cap.data(c, 1, text("x"), 1006);
    r.cap.close(c, 1, 1006);
    r.cap.reset(c, 0, 1006);
    r.finish();
    t.same(
        r.frames.slice(0, 3).map((f) => f.flags),
        [TcpFlag.SYN, TcpFlag.SYN | TcpFlag.ACK, TcpFlag.ACK],
    );
    const [syn, synAck, ack, d1, d2] = r.frames;
    t.equal(synAck?.ack, ((syn?.seq ?? 0) + 1) >>> 0);
    t.equal(ack?.ack, ((synAck?.seq ?? 0) + 1) >>> 0);
    t.equal(d1?.seq, ((syn?.seq ?? 0) + 1) >>> 0);
    t.equal(d2?.ack, ((d1?.seq ?? 0) + 5) >>> 0, "server acknowledges the client's bytes");
    t.equal(r.rec.text(1, 0), "helloagain");
    t.equal(r.rec.text(1, 1), "world!");
    t.match(r.rec.events.at(-1), { kind: "close", reason: "fin" });
    t.equal(r.cap.stats.connections, 1);
    t.equal(r.cap.stats.segments, 3);
    t.equal(r.cap.stats.payloadBytes, 16);
    for (let i = 1; i < r.frames.length; i++) t.ok(r.frames[i]!.ts > r.frames[i - 1]!.ts, "timestamps increase");
    t.equal(r.frames[0]?.ts, 1, "ms become seconds");
});

t.test("segments at the MSS, PSH on the last piece; pure ACKs on request", async (t) => {
    const r = run({ mss: 4, pureAcks: true });
    const c = r.cap.open("10.0.0.5", 40000, "10.0.0.1", 2000, 0);
    r.cap.data(c, 1, text("0123456789"), 1);
    r.finish();
    const data = r.frames.filter((f) => f.len > 0);
    t.same(
        data.map((f) => f.len),
        [4, 4, 2],
    );
    t.same(
        data.map((f) => (f.flags & TcpFlag.PSH) !== 0),
        [false, false, true],
    );
    const acks = r.frames.slice(3).filter((f) => f.len === 0);
    t.equal(acks.length, 3, "one ACK per segment");
    t.equal(acks[2]?.ack, ((data[2]?.seq ?? 0) + 2) >>> 0);
    t.equal(r.rec.text(1, 1), "0123456789");
});

t.test("loss makes gaps; duplicates and reordering are absorbed by reassembly", async (t) => {
    const lossy = run({ seed: 3, loss: 0.3 });
    const c = lossy.cap.open("10.0.0.5", 40000, "10.0.0.1", 2000, 0);
    for (let i = 0; i < 50; i++) lossy.cap.data(c, 0, text(`m${i};`), i + 1);
    lossy.cap.close(c, 0, 60);
    lossy.cap.close(c, 1, 60);
    lossy.finish();
    t.ok(lossy.cap.stats.lost > 5);
    t.ok(
        lossy.rec.events.some((e) => e.kind === "gap"),
        "the reassembler reports gaps",
    );

    const messy = run({ seed: 4, duplicate: 0.3, reorder: 0.3 });
    const d = messy.cap.open("10.0.0.6", 40001, "10.0.0.1", 2000, 0);
    let want = "";
    for (let i = 0; i < 60; i++) {
        messy.cap.data(d, 0, text(`m${i};`), i + 1);
        want += `m${i};`;
    }
    messy.cap.finish([d], 100);
    messy.cap.close(d, 0, 101);
    messy.finish();
    t.ok(messy.cap.stats.duplicated > 5);
    t.ok(messy.cap.stats.reordered > 5);
    t.equal(messy.rec.text(1, 0), want, "the byte stream is intact");
    t.notOk(messy.rec.events.some((e) => e.kind === "gap"));
});

t.test("held frames are released by a FIN or a RST", async (t) => {
    const r = run({ seed: 9, reorder: 1 });
    const c = r.cap.open("10.0.0.5", 40000, "10.0.0.1", 2000, 0);
    r.cap.data(c, 0, text("abc"), 1);
    t.equal(r.frames.length, 3, "held back");
    r.cap.close(c, 0, 2);
    t.ok(r.frames.some((f) => f.len === 3));
    const c2 = r.cap.open("10.0.0.5", 40001, "10.0.0.1", 2000, 3);
    r.cap.data(c2, 1, text("xyz"), 4);
    r.cap.reset(c2, 0, 5);
    t.ok(r.frames.filter((f) => f.len === 3).length === 2);
    t.equal(r.frames.at(-1)!.flags, TcpFlag.RST | TcpFlag.ACK);
});

t.test("mid-stream start: nothing before startAt; the reassembler joins without the SYN", async (t) => {
    const r = run({ startAt: 10 });
    const c = r.cap.open("10.0.0.5", 40000, "10.0.0.1", 2000, 0);
    r.cap.data(c, 0, text("early"), 5);
    r.cap.data(c, 0, text("late"), 15);
    r.cap.data(c, 1, text("reply"), 16);
    r.finish();
    t.equal(r.cap.stats.beforeStart, 4);
    t.equal(r.frames.length, 2);
    t.match(r.rec.events[0], { kind: "open", midstream: true, server: "10.0.0.1:2000" });
    t.equal(r.rec.text(1, 1), "reply");
});

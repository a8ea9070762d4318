import t from "tap";
import type { CapturedFrame } from "../../src/capture/frame.js";
import { PcapRecordBatch, pcapGlobalHeader } from "../../src/capture/pcapChild.js";
import { CaptureFileParser } from "../../src/capture/pcapFile.js";

function parse(chunks: Buffer[]): { ts: number; bytes: number[]; origLen: number }[] {
    const parser = new CaptureFileParser();
    const out: { ts: number; bytes: number[]; origLen: number }[] = [];
    const sink = (f: CapturedFrame): void => {
        out.push({ ts: f.ts, bytes: [...f.bytes], origLen: f.origLen });
    };
    parser.push(pcapGlobalHeader(1, 65535), sink);
    for (const c of chunks) parser.push(c, sink);
    return out;
}

t.test("batched records read back as the frames captured, in order", async (t) => {
    const chunks: Buffer[] = [];
    const batch = new PcapRecordBatch((c) => chunks.push(c), 64);
    const packet = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
    batch.flush(); // nothing collected: nothing written
    t.equal(chunks.length, 0);
    batch.add(10, 500_000, 8, packet, 8);
    batch.add(11, 0, 60, packet, 4); // cut by the snap length
    t.equal(chunks.length, 0, "held until flushed");
    batch.flush();
    t.equal(chunks.length, 1, "one write for the whole dispatch");
    packet.fill(0); // the capture buffer is reused: the batch must have copied
    t.same(parse(chunks), [
        { ts: 10.5, bytes: [1, 2, 3, 4, 5, 6, 7, 8], origLen: 8 },
        { ts: 11, bytes: [1, 2, 3, 4], origLen: 60 },
    ]);
});

t.test("a full batch is written before the next record; a record larger than the batch still fits", async (t) => {
    const chunks: Buffer[] = [];
    const batch = new PcapRecordBatch((c) => chunks.push(c), 40);
    const small = Buffer.alloc(10, 7);
    const big = Buffer.alloc(100, 9);
    batch.add(1, 0, 10, small, 10); // 26 bytes
    batch.add(2, 0, 10, small, 10); // would reach 52 > 40: the first is written
    t.equal(chunks.length, 1);
    batch.add(3, 0, 100, big, 100); // larger than the buffer: written alone from a grown one
    batch.flush();
    const frames = parse(chunks);
    t.same(
        frames.map((f) => [f.ts, f.bytes.length]),
        [
            [1, 10],
            [2, 10],
            [3, 100],
        ],
    );
    t.ok(frames[2]?.bytes.every((b) => b === 9));
});

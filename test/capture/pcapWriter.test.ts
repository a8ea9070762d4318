import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import type { CapturedFrame } from "../../src/capture/frame.js";
import { parseCapture, readCaptureFile } from "../../src/capture/pcapFile.js";
import { PcapFileWriter } from "../../src/capture/pcapWriter.js";
import { CaptureError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "pcapwriter-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function frames(path: string): CapturedFrame[] {
    const out: CapturedFrame[] = [];
    parseCapture(readFileSync(path), (f) => out.push({ ...f, bytes: f.bytes.slice() }));
    return out;
}

t.test("writes a classic pcap our reader reads back frame for frame", async (t) => {
    const path = join(dir, "a.pcap");
    const w = new PcapFileWriter(path);
    t.equal(w.frames, 0);
    t.equal(w.bytes, 24);
    w.write(1_780_000_000.25, Uint8Array.of(1, 2, 3));
    w.write(1.9999999, Uint8Array.of(4, 5), 60);
    const buf = Uint8Array.of(9, 9, 7, 8, 9, 9);
    w.writeFrom(1_780_000_002, buf, 2, 4);
    w.frameSink()({ ts: 1_780_000_003.5, linkType: 1, bytes: Uint8Array.of(0xaa), origLen: 1, ifIndex: 0 });
    t.equal(w.frames, 4);
    t.equal(w.bytes, 24 + 16 * 4 + 3 + 2 + 2 + 1);
    w.close();
    w.close(); // twice is fine
    const got = frames(path);
    t.equal(got.length, 4);
    t.same([...got[0]!.bytes], [1, 2, 3]);
    t.equal(got[0]!.ts, 1_780_000_000.25);
    t.equal(got[1]!.ts, 2, "microseconds rounding up carries into the seconds");
    t.equal(got[1]!.origLen, 60);
    t.same([...got[2]!.bytes], [7, 8]);
    t.same([...got[3]!.bytes], [0xaa]);
    t.equal(got[0]!.linkType, 1);
    const stats = await readCaptureFile(path, () => {});
    t.equal(stats.frames, 4);
});

t.test("link type, snap length, small blocks, big frames, flush and no fsync", async (t) => {
    const path = join(dir, "b.pcap");
    const w = new PcapFileWriter(path, 113, 128, 64, { fsync: false });
    const big = new Uint8Array(1000).fill(5);
    for (let i = 0; i < 10; i++) w.write(i, Uint8Array.of(i));
    w.write(11, big);
    w.flush();
    t.equal(frames(path).length, 11, "flushed records are in the file before close");
    w.write(12, Uint8Array.of(1));
    w.close();
    w.flush(); // no effect once closed
    const got = frames(path);
    t.equal(got.length, 12);
    t.equal(got[0]!.linkType, 113);
    t.equal(got[10]!.bytes.length, 1000);
    const header = readFileSync(path);
    t.equal(header.readUInt32LE(16), 128, "snap length in the header");
});

t.test("errors are typed", async (t) => {
    t.throws(() => new PcapFileWriter(join(dir, "missing", "x.pcap")), { code: "CAPTURE_OPEN" });
    const w = new PcapFileWriter(join(dir, "c.pcap"));
    w.close();
    t.throws(() => w.write(1, Uint8Array.of(1)), CaptureError);
    t.throws(() => w.write(1, Uint8Array.of(1)), { code: "CAPTURE_CLOSED" });
});

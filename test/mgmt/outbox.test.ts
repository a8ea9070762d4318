import t from "tap";
import { AlarmOutbox, decodeRecords, encodeRecord, RECORD_HEADER } from "../../src/mgmt/outbox.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { FakeClock } from "../../src/util/fakeClock.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

t.test("records: encode/decode, torn or unordered tails stop the read", async (t) => {
    const a = encodeRecord(1, enc("one"));
    const b = encodeRecord(2, enc("two"));
    const both = new Uint8Array([...a, ...b]);
    const r = decodeRecords(both);
    t.same(
        r.records.map((x) => [x.seq, dec(x.payload)]),
        [
            [1, "one"],
            [2, "two"],
        ],
    );
    t.equal(r.end, both.length);
    t.equal(decodeRecords(both.subarray(0, both.length - 1)).end, a.length, "a short record is a torn tail");
    const flipped = both.slice();
    flipped[a.length + RECORD_HEADER] = (flipped[a.length + RECORD_HEADER] ?? 0) ^ 1;
    t.equal(decodeRecords(flipped).end, a.length, "a bad CRC stops the read");
    t.equal(decodeRecords(new Uint8Array([...b, ...a])).records.length, 1, "sequence numbers must increase");
    t.equal(decodeRecords(b, 1).records.length, 1, "and continue after the previous segment");
    t.equal(decodeRecords(both, 1).records.length, 0);
    const huge = a.slice();
    new DataView(huge.buffer).setUint32(0, 0xffffffff, true);
    t.equal(decodeRecords(huge).end, 0, "an absurd length is corruption");
});

t.test("append, become durable, survive a power cut, continue numbering", async (t) => {
    const fs = new MemoryFlashFs();
    let durable = 0;
    const box = new AlarmOutbox(fs, { onDurable: () => durable++ });
    t.same(await box.open(), { pending: 0, truncatedBytes: 0, segments: 0, lastSeq: 0 });
    const seqs = [box.append((s) => enc(`e${s}`)), box.append((s) => enc(`e${s}`)), box.append((s) => enc(`e${s}`))];
    t.same(seqs, [1, 2, 3]);
    t.equal(box.pending()[0]?.durable, false, "not durable before the write");
    await box.flush();
    t.ok(box.pending().every((r) => r.durable));
    t.ok(durable >= 1);
    t.ok(box.stats.writes < 3, "appends during a write share the next one");
    fs.crash();
    const again = new AlarmOutbox(fs);
    const report = await again.open(1);
    t.same(report, { pending: 2, truncatedBytes: 0, segments: 1, lastSeq: 3 });
    t.same(
        again.pending().map((r) => dec(r.payload)),
        ["e2", "e3"],
        "records up to the persisted acknowledgement are not resent",
    );
    t.equal(
        again.append((s) => enc(`e${s}`)),
        4,
    );
    t.equal(again.ackedSeq, 1);
    await again.flush();
});

t.test("numbering continues after a known sequence when the journal is gone", async (t) => {
    const box = new AlarmOutbox(new MemoryFlashFs());
    await box.open(5, 9);
    t.equal(
        box.append(() => enc("x")),
        10,
    );
    await box.flush();
});

t.test("a torn tail is cut off on load and the good prefix kept", async (t) => {
    const fs = new MemoryFlashFs();
    const box = new AlarmOutbox(fs);
    await box.open();
    for (let i = 0; i < 5; i++) box.append((s) => enc(`event ${s}`));
    await box.flush();
    const [name] = (await fs.list()).filter((n) => n.endsWith(".seg"));
    const bytes = fs.peek(name!)!;
    fs.poke(name!, bytes.subarray(0, bytes.length - 3));
    await fs.writeDurable("outbox-0000000000000099.seg.tmp", enc("junk"));
    const again = new AlarmOutbox(fs);
    const r = await again.open();
    t.equal(r.pending, 4);
    t.ok(r.truncatedBytes > 0);
    t.equal(again.stats.truncatedBytes, r.truncatedBytes);
    t.equal(
        again.append(() => enc("next")),
        5,
        "the lost record's number is given again: it was never sent",
    );
    await again.flush();
    t.notOk(
        (await fs.list()).some((n) => n.endsWith(".tmp")),
        "stale temp files are removed",
    );
    const third = new AlarmOutbox(fs);
    t.equal((await third.open()).truncatedBytes, 0, "the truncation was written back");
});

t.test("a segment that is all garbage is removed", async (t) => {
    const fs = new MemoryFlashFs();
    fs.poke("outbox-0000000000000001.seg", enc("garbage that is no record"));
    fs.poke("unrelated.seg", enc("not ours"));
    const box = new AlarmOutbox(fs);
    const r = await box.open();
    t.equal(r.segments, 0);
    t.same(await fs.list(), ["unrelated.seg"]);
});

t.test("acknowledged segments are collected, the newest kept", async (t) => {
    const fs = new MemoryFlashFs();
    const box = new AlarmOutbox(fs, { segmentBytes: 64 });
    await box.open();
    for (let i = 0; i < 6; i++) box.append(() => new Uint8Array(40));
    await box.flush();
    t.equal((await fs.list()).length, 6, "one record per segment at this size");
    box.ack(2);
    t.equal(box.ackedSeq, 0, "acknowledgements out of order wait for the earlier ones");
    box.ack(1);
    t.equal(box.ackedSeq, 2);
    box.ack(99);
    for (const s of [3, 4, 5, 6]) box.ack(s);
    t.equal(box.ackedSeq, 6);
    await box.flush();
    t.same(await fs.list(), ["outbox-0000000000000006.seg"], "only the newest segment remains");
    const again = new AlarmOutbox(fs);
    await again.open(6);
    t.equal(again.pending().length, 0);
    t.equal(
        again.append(() => enc("x")),
        7,
        "the newest segment carries the numbering",
    );
    await again.flush();
});

t.test("a full ring drops the oldest undelivered events and says so", async (t) => {
    const fs = new MemoryFlashFs();
    const drops: number[] = [];
    const box = new AlarmOutbox(fs, { segmentBytes: 100, maxSegments: 3, onDrop: (n) => drops.push(n) });
    await box.open();
    for (let i = 0; i < 12; i++) box.append(() => new Uint8Array(30)); // two records per segment
    await box.flush();
    t.equal(box.stats.segments, 3);
    t.equal(box.pending().length, 6);
    t.equal(box.pending()[0]?.seq, 7);
    t.equal(box.stats.dropped, 6);
    t.same(drops, [2, 2, 2]);
    t.equal(box.ackedSeq, 6, "the dropped ones count as gone");
    t.equal((await fs.list()).length, 3);
    const again = new AlarmOutbox(fs, { segmentBytes: 100, maxSegments: 2 });
    const r = await again.open();
    t.equal(r.pending, 4, "a smaller ring on load keeps the newest segments");
});

t.test("write failures keep events in memory and retry until the flash works again", async (t) => {
    const fs = new MemoryFlashFs();
    const clock = new FakeClock();
    const health: Array<string | null> = [];
    const box = new AlarmOutbox(fs, {
        timers: clock,
        retryMs: 1000,
        onHealth: (e) => health.push(e === null ? null : e.message),
    });
    await box.open();
    fs.faults.writeDurable = "EIO";
    box.append(() => enc("a"));
    await box.flush();
    t.equal(box.healthy, false);
    t.equal(box.pending()[0]?.durable, false);
    t.match(health, [/EIO/]);
    box.append(() => enc("b"));
    t.equal(box.stats.failures, 1, "no new attempt before the retry delay");
    await clock.advance(1000);
    t.equal(box.stats.failures, 2);
    delete fs.faults.writeDurable;
    await clock.advance(1000);
    await box.flush();
    t.equal(box.healthy, true);
    t.same(health.slice(-1), [null]);
    t.ok(box.pending().every((r) => r.durable));
    box.close();
    box.append(() => enc("c"));
    await box.flush();
    t.equal(box.pending()[2]?.durable, false, "nothing is written after close");
});

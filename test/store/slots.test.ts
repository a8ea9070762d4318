import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import t from "tap";
import { MemoryFlashFs, NodeFlashFs } from "../../src/store/flashFs.js";
import {
    decodeSlot,
    encodeSlot,
    isNewerGeneration,
    nextGeneration,
    SLOT_NAMES,
    SlotStore,
    StoreError,
} from "../../src/store/slots.js";
import "../helpers/seed.js";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

t.test("slot records round-trip and every kind of damage is named", async (t) => {
    const rec = { formatVersion: 3, generation: 42n, payload: text("hello") };
    const bytes = encodeSlot(rec);
    t.same(decodeSlot(bytes), rec);
    t.equal(decodeSlot(bytes.subarray(0, 10)), "bad-length");
    const magic = bytes.slice();
    magic[0] = 0;
    t.equal(decodeSlot(magic), "bad-magic");
    t.equal(decodeSlot(bytes.subarray(0, bytes.length - 1)), "bad-length");
    const flipped = bytes.slice();
    flipped[22] = (flipped[22] as number) ^ 1;
    t.equal(decodeSlot(flipped), "bad-crc");
    fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (junk) => {
            const r = decodeSlot(junk);
            return typeof r === "string" || r.payload.length <= junk.length;
        }),
    );
});

t.test("writes alternate slots; load picks the newest valid one", async (t) => {
    const fs = new MemoryFlashFs();
    const store = new SlotStore(fs, () => 1000);
    t.same((await store.load()).record, null);
    t.equal(await store.write(1, text("one")), 1n);
    t.equal(await store.write(1, text("two")), 2n);
    t.equal(await store.write(1, text("three")), 3n);
    t.equal(str(decodeSlotPayload(fs.peek("state.a"))), "three");
    t.equal(str(decodeSlotPayload(fs.peek("state.b"))), "two");
    const again = new SlotStore(fs);
    const loaded = await again.load();
    t.equal(str(loaded.record?.payload), "three");
    t.equal(again.generation, 3n);
    t.same(
        loaded.slots.map((s) => [s.name, s.problem, s.generation]),
        [
            ["state.a", null, 3n],
            ["state.b", null, 2n],
        ],
    );
    t.equal(await again.write(1, text("four")), 4n, "continues the generation");
    t.equal(str(decodeSlotPayload(fs.peek("state.b"))), "four", "into the older slot");
});

function decodeSlotPayload(b: Uint8Array | undefined): Uint8Array | undefined {
    if (b === undefined) return undefined;
    const r = decodeSlot(b);
    return typeof r === "string" ? undefined : r.payload;
}

t.test("a corrupt slot is reported, moved aside, and the other one is used", async (t) => {
    const fs = new MemoryFlashFs();
    const store = new SlotStore(fs, () => 777);
    await store.write(1, text("old"));
    await store.write(1, text("new"));
    const b = fs.peek("state.b")!.slice();
    b[25] = (b[25] as number) ^ 0xff;
    fs.poke("state.b", b);
    const loaded = await new SlotStore(fs, () => 777).load();
    t.equal(str(loaded.record?.payload), "old");
    t.equal(loaded.slots[1].problem, "bad-crc");
    t.same(loaded.quarantined, ["state.b.corrupt-777"]);
    t.ok(fs.peek("state.b.corrupt-777"));
});

t.test("loadDecoded: the newest record that decodes, the older when it does not, each problem told", async (t) => {
    const fs = new MemoryFlashFs();
    const store = new SlotStore(fs, () => 5);
    const told: string[] = [];
    const decode = (r: { payload: Uint8Array }) => {
        const v = str(r.payload);
        if (v.startsWith("future")) throw new Error("a newer format");
        return v;
    };
    t.same(await store.loadDecoded(decode, "thing", (d) => told.push(d)), {
        value: null,
        slots: ["state.a: missing", "state.b: missing"],
    });
    await store.write(1, text("old"));
    await store.write(1, text("future"));
    const loaded = await new SlotStore(fs).loadDecoded(decode, "thing", (d) => told.push(d));
    t.equal(loaded.value, "old");
    t.same(loaded.slots, ["state.a: generation 1", "state.b: generation 2"]);
    t.same(told, ["thing generation 2 unreadable: a newer format"]);
    const a = fs.peek("state.a")!.slice();
    a[25] = (a[25] as number) ^ 0xff;
    fs.poke("state.a", a);
    told.length = 0;
    t.equal((await new SlotStore(fs, () => 5).loadDecoded(decode, "thing", (d) => told.push(d))).value, null);
    t.same(told, ["state.a: bad-crc", "thing generation 2 unreadable: a newer format"]);
});

t.test("power loss at every step of a write leaves the old or the new snapshot, never neither", async (t) => {
    // Count the operations of one write, then crash before each of them in turn.
    const probe = new MemoryFlashFs();
    const ps = new SlotStore(probe);
    await ps.write(1, text("v1"));
    probe.ops.length = 0;
    await ps.write(1, text("v2"));
    const steps = probe.ops.length;
    t.equal(steps, 3, "write, rename, sync the directory");
    for (let crashAt = 0; crashAt <= steps; crashAt++) {
        const fs = new MemoryFlashFs();
        const s = new SlotStore(fs);
        await s.write(1, text("v1"));
        let n = 0;
        fs.beforeOp = () => {
            if (n++ === crashAt) throw new Error("power cut");
        };
        await s.write(1, text("v2")).catch(() => undefined);
        fs.beforeOp = null;
        fs.crash();
        const got = str((await new SlotStore(fs).load()).record?.payload);
        t.ok(got === "v1" || got === "v2", `crash before step ${crashAt}: recovered ${got}`);
        if (crashAt === steps) t.equal(got, "v2", "a completed write survives");
    }
});

t.test("failures are typed, with the errno and no path", async (t) => {
    const fs = new MemoryFlashFs();
    fs.faults.writeDurable = "ENOSPC";
    const store = new SlotStore(fs);
    const err = await store.write(1, text("x")).catch((e: unknown) => e);
    t.ok(err instanceof StoreError);
    t.equal((err as StoreError).code, "STORE_WRITE_FAILED");
    t.match((err as StoreError).message, /ENOSPC/);
    t.equal(store.stats.failures, 1);
    t.equal(store.generation, 0n, "a failed write does not advance the generation");
    await t.rejects(store.write(1, new Uint8Array(64 * 1024 * 1024 + 1)), { code: "STORE_TOO_LARGE" });
    fs.faults.read = "EIO";
    const loaded = await store.load();
    t.same(
        loaded.slots.map((s) => s.problem),
        ["unreadable", "unreadable"],
    );
});

t.test("real files: fsync'd slots, stale temp files removed, corrupt files kept aside", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "callbackd-slots-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const store = new SlotStore(new NodeFlashFs(dir), () => 5);
    await store.write(2, text("alpha"));
    await store.write(2, text("beta"));
    writeFileSync(join(dir, "state.a.tmp"), "half-written");
    writeFileSync(join(dir, SLOT_NAMES[1]), "garbage");
    const loaded = await new SlotStore(new NodeFlashFs(dir), () => 5).load();
    t.equal(str(loaded.record?.payload), "alpha");
    t.equal(loaded.record?.formatVersion, 2);
    t.same(readdirSync(dir).sort(), ["state.a", "state.b.corrupt-5"]);
    t.equal(readFileSync(join(dir, "state.b.corrupt-5"), "utf8"), "garbage");
    t.equal(await new NodeFlashFs(dir).read("absent"), null, "a missing file reads as null");
    await t.rejects(new NodeFlashFs(tmpdir()).read("."), { code: "FILE_NOT_REGULAR" }, "other errors are thrown");
});

t.test("the generation counter wraps at 2^64−1 and the newer slot still wins (issue T item 6)", async (t) => {
    const max = (1n << 64n) - 1n;
    t.equal(nextGeneration(max), 0n);
    t.ok(isNewerGeneration(0n, max), "0 after the wrap is newer than 2^64−1");
    t.notOk(isNewerGeneration(max, 0n));
    t.ok(isNewerGeneration(5n, 4n));
    t.notOk(isNewerGeneration(4n, 4n));
    const fs = new MemoryFlashFs();
    // a box that has written 2^64−2 snapshots already: the newest one in state.a
    fs.poke("state.b", encodeSlot({ formatVersion: 1, generation: max - 1n, payload: text("older") }));
    fs.poke("state.a", encodeSlot({ formatVersion: 1, generation: max, payload: text("newest") }));
    const store = new SlotStore(fs);
    t.equal(str((await store.load()).record?.payload), "newest");
    t.equal(await store.write(1, text("after the wrap")), 0n);
    t.equal(await store.write(1, text("and one more")), 1n);
    const again = new SlotStore(fs);
    const loaded = await again.load();
    t.equal(str(loaded.record?.payload), "and one more", "the newest write is restored, not the pre-wrap one");
    t.equal(str(loaded.older?.payload), "after the wrap");
    t.equal(again.generation, 1n);
});

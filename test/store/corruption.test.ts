/**
 * Corrupt state on flash through CallbackService.start(): a truncated slot, flipped bits, a wrong magic and
 * a snapshot from a future schema each raise flash.corrupt-slot naming the problem, and the service starts
 * (from the other slot when it is good, empty otherwise) instead of crashing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { loadConfig } from "../../src/config/load.js";
import { configureLogging } from "../../src/logging/logger.js";
import { CallbackService } from "../../src/service/callbackService.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { decodeSlot, encodeSlot } from "../../src/store/slots.js";
import { decodePayload, encodeSnapshot, FORMAT_PROTOBUF, SCHEMA_VERSION } from "../../src/store/snapshotCodec.js";

configureLogging({ level: "silent" });
const fixture = readFileSync(join(import.meta.dirname, "../fixtures/store/snapshot-format2-schema1.slot"));
const rec = decodeSlot(fixture);
if (typeof rec === "string") throw new Error(`fixture: ${rec}`);
const content = decodePayload(rec.formatVersion, rec.payload);

/** A good slot holding the fixture's state minus `drop` requests (so old and new are told apart). */
function goodSlot(generation: bigint, drop = 0): Uint8Array {
    const engine = { ...content.engine, requests: content.engine.requests.slice(drop) };
    return encodeSlot({ formatVersion: FORMAT_PROTOBUF, generation, payload: encodeSnapshot({ ...content, engine }) });
}

/** The same state as written by a release one schema_version ahead (field 1 comes first on the wire). */
function futureSchemaSlot(generation: bigint): Uint8Array {
    const payload = encodeSnapshot(content);
    if (payload[0] !== 0x08 || payload[1] !== SCHEMA_VERSION) throw new Error("schema_version is not the first field");
    payload[1] = SCHEMA_VERSION + 1;
    return encodeSlot({ formatVersion: FORMAT_PROTOBUF, generation, payload });
}

async function start(fs: MemoryFlashFs) {
    const config = loadConfig({ env: {}, overrides: { http: { listen: "127.0.0.1:0" }, log: { level: "silent" } } });
    const alarms: string[] = [];
    const service = new CallbackService({
        config,
        fs,
        timeMode: "capture",
        onAlarm: (id, action, details) => alarms.push(`${action} ${id}: ${details}`),
    });
    const { restored } = await service.start();
    await service.stop();
    return { alarms, restored };
}

const newest = goodSlot(5n);
const flip = (at: number, bit: number) => {
    const b = newest.slice();
    b[at] = (b[at] as number) ^ (1 << bit);
    return b;
};
const kinds: Array<[string, Uint8Array, RegExp]> = [
    ["truncated mid-payload", newest.subarray(0, newest.length >> 1), /bad-length/],
    ["truncated inside the header", newest.subarray(0, 11), /bad-length/],
    ["truncated by its CRC only", newest.subarray(0, newest.length - 4), /bad-length/],
    ["a bit flipped in the payload", flip(40, 3), /bad-crc/],
    ["a bit flipped in the generation", flip(9, 0), /bad-crc/],
    ["a bit flipped in the CRC", flip(newest.length - 1, 7), /bad-crc/],
    ["a bit flipped in the length", flip(17, 2), /bad-length/],
    ["a wrong magic", flip(0, 1), /bad-magic/],
    ["a zeroed file", new Uint8Array(newest.length), /bad-magic/],
];

for (const [what, bytes, problem] of kinds) {
    t.test(`${what}: alarm, the older slot is used`, async (t) => {
        const fs = new MemoryFlashFs();
        fs.poke("state.a", goodSlot(4n, 1));
        fs.poke("state.b", bytes);
        const { alarms, restored } = await start(fs);
        t.equal(alarms.length, 1, "one alarm");
        t.match(alarms[0], /^raise flash\.corrupt-slot: state\.b: /);
        t.match(alarms[0], problem);
        t.equal(restored, content.engine.requests.length - 1, "restored from state.a");
        t.ok(
            (await fs.list()).some((n) => n.startsWith("state.b.corrupt-")),
            "the damaged slot is kept aside",
        );
    });

    t.test(`${what}, and no other slot: alarm, starts empty`, async (t) => {
        const fs = new MemoryFlashFs();
        fs.poke("state.a", bytes);
        const { alarms, restored } = await start(fs);
        t.match(alarms, [/^raise flash\.corrupt-slot: state\.a: bad-/]);
        t.equal(restored, 0);
    });
}

t.test("a future schema version: a clear alarm, no crash", async (t) => {
    const fs = new MemoryFlashFs();
    fs.poke("state.a", futureSchemaSlot(3n));
    const { alarms, restored } = await start(fs);
    t.match(alarms, [/^raise flash\.corrupt-slot: snapshot generation \d+ unreadable: .*schema version \d+ is newer/]);
    t.equal(restored, 0, "started empty rather than misreading it");
});

t.test("both slots damaged: two alarms, starts empty", async (t) => {
    const fs = new MemoryFlashFs();
    fs.poke("state.a", flip(30, 4));
    fs.poke("state.b", newest.subarray(0, 50));
    const { alarms, restored } = await start(fs);
    t.match(alarms, [/state\.a: bad-crc/, /state\.b: bad-length/]);
    t.equal(restored, 0);
});

t.test("random damage never crashes the start", async (t) => {
    let seed = 12345;
    const next = () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed;
    };
    for (let i = 0; i < 20; i++) {
        const b = newest.slice(0, next() % 2 === 0 ? newest.length : 1 + (next() % newest.length));
        const flips = 1 + (next() % 4);
        for (let k = 0; k < flips; k++) {
            const at = next() % b.length;
            b[at] = (b[at] as number) ^ (1 << (next() % 8));
        }
        const fs = new MemoryFlashFs();
        fs.poke("state.b", b);
        const { alarms, restored } = await start(fs);
        const intact = restored === content.engine.requests.length && alarms.length === 0;
        t.ok(intact || alarms.some((a) => a.includes("flash.corrupt-slot")), `damage ${i}: intact or alarmed`);
    }
});

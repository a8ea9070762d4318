/**
 * The requests' durability on the in-memory flash: a Persist becomes one write and PersistDone, an unhealthy
 * store fails activations at once, the state comes back from the slots, a replication is waited for.
 */
import t from "tap";
import { initialState } from "../../src/callback/state.js";
import type { EngineInput, EngineState } from "../../src/callback/types.js";
import { Durability } from "../../src/service/durability.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { WriteBudget } from "../../src/store/snapshotWriter.js";
import { settle } from "../../src/util/fakeClock.js";

function rig(fs = new MemoryFlashFs()) {
    const inputs: EngineInput[] = [];
    const alarms: string[] = [];
    let state: EngineState = { ...initialState(), seq: 7, generation: 3 };
    const d = new Durability({
        fs,
        budget: new WriteBudget(),
        state: () => state,
        input: (i) => inputs.push(i),
        onHealth: (e) => alarms.push(e.type),
        alarm: (id, action) => alarms.push(`${action} ${id}`),
    });
    return { d, fs, inputs, alarms, setState: (s: EngineState) => (state = s) };
}

t.test("Persist: one write after this turn, then PersistDone; the snapshot loads back", async (t) => {
    const r = rig();
    t.equal(r.d.durableWritesDone(), null, "nothing asked");
    r.d.persist(2);
    r.d.persist(3);
    t.same(r.inputs, [], "not in this turn");
    await r.d.durableWritesDone();
    await settle();
    t.same(r.inputs, [{ type: "PersistDone", upTo: 3 }], "one write for both");
    t.equal(r.d.encoded(), r.d.encoded(), "encoded once per state");

    const again = rig(r.fs);
    const loaded = await again.d.load();
    t.equal(loaded.content?.engine.seq, 7);
    t.equal(loaded.slots.length, 2);
    const empty = await rig().d.load();
    t.equal(empty.content, null);
    await r.d.stop(() => undefined);
});

t.test("an unhealthy store fails the activation at once", async (t) => {
    const r = rig();
    r.fs.faults.writeDurable = "EIO";
    r.d.persist(1);
    await settle();
    t.match(r.inputs, [{ type: "PersistFailed", upTo: 1 }]);
    t.ok(r.alarms.includes("write-failed"));
    t.equal(r.d.writer.healthy, false);
    r.d.persist(2);
    await settle();
    t.match(r.inputs[1], { type: "PersistFailed", upTo: 2, error: "STORE_UNHEALTHY" });
    delete r.fs.faults.writeDurable;
    await r.d.stop(() => undefined);
});

t.test("a replication is part of durability; stop writes what was asked", async (t) => {
    const r = rig();
    let release: () => void = () => undefined;
    r.d.attachReplication({ replicate: () => new Promise<void>((res) => (release = res)) });
    t.ok(r.d.replication !== null);
    r.d.persist(1);
    await settle();
    t.same(r.inputs, [], "the standby has not confirmed");
    release();
    await settle();
    t.same(r.inputs, [{ type: "PersistDone", upTo: 1 }]);
    r.d.persist(2);
    const errors: unknown[] = [];
    r.d.attachReplication(null);
    await r.d.stop((e) => errors.push(e));
    t.same(errors, []);
});

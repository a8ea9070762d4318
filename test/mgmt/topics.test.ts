import t from "tap";
import { type AlarmEventData, AlarmManager } from "../../src/mgmt/alarmManager.js";
import { sanitizeBrokerUrl } from "../../src/mgmt/mqttManagement.js";
import { MgmtStateStore, prefixedFs } from "../../src/mgmt/state.js";
import { corruptSlotAlarms, storeHealthAlarms } from "../../src/mgmt/storeAlarms.js";
import { checkId, classifyTopic, isAcceptableResponseTopic, nodeTopics } from "../../src/mgmt/topics.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { StoreError } from "../../src/store/slots.js";
import { FakeClock } from "../../src/util/fakeClock.js";

t.test("topic scheme", async (t) => {
    const n = nodeTopics("branch1", "cbk1");
    t.equal(n.base, "callbackd/v1/branch1/cbk1");
    t.equal(n.status, "callbackd/v1/branch1/cbk1/status");
    t.equal(n.command("set-parameter"), "callbackd/v1/branch1/cbk1/cmd/set-parameter");
    t.equal(n.response("status"), "callbackd/v1/branch1/cbk1/res/status");
    t.equal(n.cmdFilter, "callbackd/v1/branch1/cbk1/cmd/+");
    for (const bad of ["", "Branch", "a/b", "a+", "#", "$sys", "-x", "x".repeat(65)]) {
        t.throws(() => checkId("site", bad), { code: "CONFIG_INVALID" }, JSON.stringify(bad));
    }
    t.throws(() => nodeTopics("ok", "NO"), { message: /node/ });
});

t.test("only this node's input topics are commands", async (t) => {
    const n = nodeTopics("b", "n");
    t.same(classifyTopic(n, "callbackd/v1/b/n/cmd/status"), { kind: "command", name: "status" });
    t.same(classifyTopic(n, "callbackd/v1/b/n/cmd"), { kind: "command", name: null });
    t.same(classifyTopic(n, "callbackd/v1/b/n/config/desired"), { kind: "desired" });
    t.equal(classifyTopic(n, "callbackd/v1/b/other/cmd/status"), null);
    t.equal(classifyTopic(n, "callbackd/v1/b/n/cmd/a/b"), null);
    t.equal(classifyTopic(n, "callbackd/v1/b/n/status"), null);
    t.ok(isAcceptableResponseTopic(n, "ops/replies/42"));
    for (const bad of [
        "",
        "a/+",
        "a/#",
        "$SYS/x",
        "callbackd/v1/b/n/cmd/restart",
        "callbackd/v1/b/n/cmd",
        "callbackd/v1/b/n/config/desired",
        "x".repeat(1025),
    ]) {
        t.notOk(isAcceptableResponseTopic(n, bad), bad);
    }
});

t.test("broker URLs are logged without credentials", async (t) => {
    t.same(sanitizeBrokerUrl("mqtt://ops:s%40cret@broker.example:1883"), {
        url: "mqtt://broker.example:1883",
        username: "ops",
        password: "s@cret",
    });
    t.same(sanitizeBrokerUrl("mqtts://broker.example"), { url: "mqtts://broker.example" });
    t.same(sanitizeBrokerUrl("not a url"), { url: "(invalid url)" });
});

t.test("persistent numbers: prefixed slots, zeros when absent or unreadable", async (t) => {
    const fs = new MemoryFlashFs();
    const clock = new FakeClock(1000);
    const s = new MgmtStateStore(fs, { timers: clock });
    t.same(await s.load(), { session: 0, ackedSeq: 0, lastSeq: 0 });
    await s.update({ session: 4, lastSeq: 9 });
    await s.flush();
    t.ok((await fs.list()).every((n) => n.startsWith("mgmt-state.")));
    fs.crash();
    const again = new MgmtStateStore(fs, { timers: clock });
    t.same(await again.load(), { session: 4, ackedSeq: 0, lastSeq: 9 });
    t.same(again.state, { session: 4, ackedSeq: 0, lastSeq: 9 });
    s.close();
    again.close();
    // a slot with a good CRC but a bad payload
    const { SlotStore } = await import("../../src/store/slots.js");
    const fs2 = new MemoryFlashFs();
    await new SlotStore(prefixedFs(fs2, "mgmt-")).write(1, new TextEncoder().encode("{not json"));
    t.same(await new MgmtStateStore(fs2).load(), { session: 0, ackedSeq: 0, lastSeq: 0 });
    const fs3 = new MemoryFlashFs();
    await new SlotStore(prefixedFs(fs3, "mgmt-")).write(
        1,
        new TextEncoder().encode('{"session":-1,"ackedSeq":"x","lastSeq":3}'),
    );
    t.same(await new MgmtStateStore(fs3).load(), { session: 0, ackedSeq: 0, lastSeq: 3 });
    const p = prefixedFs(fs3, "mgmt-");
    await p.writeDurable("x", new Uint8Array([1]));
    await p.rename("x", "y");
    t.same([...((await p.read("y")) ?? [])], [1]);
    await p.remove("y");
    t.equal(await p.read("y"), null);
});

t.test("store health becomes flash alarms", async (t) => {
    const events: AlarmEventData[] = [];
    const alarms = new AlarmManager({ clock: new FakeClock(5), emit: (e) => events.push(e) });
    const onHealth = storeHealthAlarms(alarms);
    onHealth({
        type: "write-failed",
        error: new StoreError("STORE_WRITE_FAILED", "snapshot write failed (EROFS)", { errno: "EROFS" }),
    });
    onHealth({ type: "write-rate-exceeded", writesLastHour: 3600, ceiling: 3600 });
    onHealth({ type: "recovered" });
    onHealth({ type: "write-rate-normal", writesLastHour: 10 });
    onHealth({ type: "write-failed", error: new StoreError("STORE_SNAPSHOT_FAILED", "x") });
    corruptSlotAlarms(alarms, { record: null, older: null, slots: [] as never, quarantined: ["state.a.corrupt-123"] });
    t.same(
        events.map((e) => `${e.key}:${e.state}:${e.cause}`),
        [
            "flash.not-writable/state:raised:EROFS",
            "flash.write-rate/state:raised:",
            "flash.not-writable/state:cleared:EROFS",
            "flash.write-rate/state:cleared:",
            "flash.not-writable/state:raised:STORE_SNAPSHOT_FAILED",
            "flash.corrupt-slot/state.a:raised:",
        ],
    );
});

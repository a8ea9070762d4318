/**
 * Durable state through the whole service and the simulated office: requests survive a power cut and are
 * reconciled with the wire after the restart, a state directory that cannot be written makes new
 * activations fail ("Call Back Service Failure.") until it works again, and quiet traffic writes nothing.
 */
import t, { type Test } from "tap";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { decodeSlot } from "../../src/store/slots.js";
import { FORMAT_PROTOBUF } from "../../src/store/snapshotCodec.js";
import { type Office, startOffice } from "../e2e/helpers.js";
import { needTool } from "../helpers/tools.js";

const skip = needTool("xmllint", "libxml2-utils");

const ACTIVATED = "Call Back is activated on 1002. Press Cancel to deactivate. Press Exit to quit this screen.";
const FAILURE = "Call Back Service Failure.";
const AVAILABLE = "1002 has become available";

/** 1002 is on a call with 1001. */
async function calleeBusy(o: Office): Promise<void> {
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");
}

/** `caller` calls 1002, hears busy and presses CallBack. */
async function busyCallBack(o: Office, caller = "1003"): Promise<void> {
    await o.branch.call(caller, "1002");
    await o.until(() => o.branch.phone(caller).tone === 0x23, `${caller} hears busy`);
    await o.branch.press(caller, "CallBack");
}

/** Office A: one request 1003 → 1002, acknowledged; then the power goes. Returns the flash as it was left. */
async function oneRequestThenPowerCut(
    t: Test,
    overrides: Record<string, unknown> = {},
): Promise<{ fs: MemoryFlashFs; id: string }> {
    const fs = new MemoryFlashFs();
    const a = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }], overrides, fs);
    await calleeBusy(a);
    await busyCallBack(a);
    await a.until(() => a.screenTexts("1003").includes(ACTIVATED), "the activated screen");
    const id = a.service.state.requests[0]?.id ?? "";
    // the power cut: what the orderly stop writes afterwards must not count
    fs.crash();
    const left = new MemoryFlashFs();
    for (const name of await fs.list()) left.poke(name, (await fs.read(name)) as Uint8Array);
    await a.stop();
    const slots = (await left.list()).filter((n) => n.startsWith("state."));
    t.ok(slots.length >= 1, "a slot on flash");
    const rec = decodeSlot((await left.read(slots[0] as string)) as Uint8Array);
    t.ok(typeof rec !== "string" && rec.formatVersion === FORMAT_PROTOBUF, "written as protobuf");
    return { fs: left, id };
}

t.test(
    "after a power cut the acknowledged request is restored and served when its callee is idle",
    { skip },
    async (t) => {
        const { fs, id } = await oneRequestThenPowerCut(t);
        const b = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }], {}, fs);
        t.teardown(() => b.stop());
        t.same(
            b.service.state.requests.map((r) => [r.id, r.calledDn, r.phase]),
            [[id, "1002", "waiting"]],
            "restored, active",
        );
        // 1002 registers idle after the restart: the request is served
        await b.until(() => b.screenTexts("1003").some((s) => s.startsWith(AVAILABLE)), "the notification on 1003");
        t.ok(b.seen.some((e) => e.type === "Notify" && e.ref === id));
    },
);

t.test("a restored request whose caller no longer exists is suspended, then expires", { skip }, async (t) => {
    const short = { callback: { busyExpiryMin: 1 } };
    const { fs, id } = await oneRequestThenPowerCut(t, short);
    // 1003 is gone from the office after the restart
    const b = await startOffice([{ dn: "1001" }, { dn: "1002" }], short, fs);
    t.teardown(() => b.stop());
    t.equal(b.service.state.requests.length, 1, "restored");
    await b.until(
        () => b.seen.some((e) => e.type === "RequestChanged" && e.change === "suspended" && e.id === id),
        "suspended: 1002 is idle but the caller is not there",
    );
    await b.until(() => b.seen.some((e) => e.type === "RequestEnded" && e.id === id), "the request to end", 300_000);
    const ended = b.seen.find((e) => e.type === "RequestEnded" && e.id === id);
    t.match(ended, { reason: "expired" });
    t.notOk(
        b.seen.some((e) => e.type === "Notify"),
        "nobody notified",
    );
    t.equal(b.service.state.requests.length, 0);
});

t.test(
    "state directory not writable: alarm, Service Failure for new activations, recovery by itself",
    { skip },
    async (t) => {
        const fs = new MemoryFlashFs();
        const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }, { dn: "1004" }], {}, fs);
        t.teardown(() => o.stop());
        fs.faults.writeDurable = "EROFS";
        await calleeBusy(o);
        await busyCallBack(o);
        await o.until(() => o.screenTexts("1003").some((s) => s.startsWith(FAILURE)), "Service Failure on 1003");
        t.notOk(o.service.writer.healthy, "the writer reports the failure");
        t.equal(o.service.state.requests.length, 0, "no request was kept");
        t.ok(o.seen.some((e) => e.type === "RequestEnded" && e.reason === "persist-failed"));
        // while unhealthy, a new activation fails at once
        await o.branch.hangUp("1003");
        await busyCallBack(o, "1004");
        await o.until(() => o.screenTexts("1004").some((s) => s.startsWith(FAILURE)), "Service Failure on 1004");
        t.notOk(o.screenTexts("1004").includes(ACTIVATED));
        // the directory is writable again: the writer's retry notices by itself
        delete fs.faults.writeDurable;
        // (the writer retries every 5 s of wall time)
        for (let i = 0; i < 200 && !o.service.writer.healthy; i++) await new Promise((r) => setTimeout(r, 50));
        t.ok(o.service.writer.healthy, "the writer recovered");
        await o.branch.hangUp("1004");
        await busyCallBack(o, "1004");
        await o.until(() => o.screenTexts("1004").includes(ACTIVATED), "activated on 1004 after the recovery");
        t.equal(o.service.state.requests.length, 1);
        t.ok(o.service.writer.stats.failures >= 1, "failures counted");
    },
);

t.test("an hour of quiet traffic writes no snapshot", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }, { dn: "1004" }, { dn: "1005" }], {
        callback: { busyExpiryMin: 180 },
    });
    t.teardown(() => o.stop());
    await calleeBusy(o);
    await busyCallBack(o);
    await o.until(() => o.screenTexts("1003").includes(ACTIVATED), "the activated screen");
    await o.branch.hangUp("1003");
    await o.branch.advance(5000);
    const before = o.service.writer.stats;
    const start = o.service.now();
    const clockStart = o.clock.now();
    t.ok(before.writes >= 1, "the activation was written");
    // an hour: 1004 and 1005 talk every few minutes, keepalives flow; 1002 stays busy
    for (let min = 0; min < 60; min += 5) {
        await o.branch.call("1004", "1005");
        await o.branch.answer("1005");
        await o.branch.advance(60_000);
        await o.branch.hangUp("1004");
        await o.branch.advance(240_000);
        o.service.tick();
    }
    const after = o.service.writer.stats;
    t.ok(o.service.now() - start >= 3_500_000, `an hour passed (${o.service.now() - start} ms)`);
    t.ok(o.clock.now() - clockStart >= 3_600_000, `an hour passed on the sim clock (${o.clock.now() - clockStart} ms)`);
    t.ok(o.seen.filter((e) => e.type === "LineStateChanged" && e.dn === "1005").length >= 24, "the calls were seen");
    t.equal(after.writes, before.writes, "no write");
    t.equal(after.bytesWritten, before.bytesWritten, "no byte written");
    t.equal(o.service.state.requests.length, 1, "the request is still waiting");
    // (the writer's rate window runs on the wall clock, so here it still holds the activation's write)
    t.equal(after.writesLastHour, before.writesLastHour, "writes per hour exposed");
});

/**
 * The time rules end to end with the simulated office (mirror frames, manual clock): the guard time, a
 * caller busy when the callee frees up, expiry, and the no-answer trigger's off-hook/on-hook cycle.
 */
import t from "tap";
import type { EngineEffect } from "../../src/callback/types.js";
import { needTool } from "../helpers/tools.js";
import { type Office, startOffice } from "./helpers.js";

const skip = needTool("xmllint", "libxml2-utils");

const ACTIVATED = "Call Back is activated on 1002. Press Cancel to deactivate. Press Exit to quit this screen.";
const notified = (o: Office, caller = "1003") =>
    o.screenTexts(caller).some((s) => s.startsWith("1002 has become available"));
const notifyTimes = (o: Office) =>
    o.seen.filter((e): e is Extract<EngineEffect, { type: "Notify" }> => e.type === "Notify");

/** 1003 calls 1002 (busy with 1001), presses CallBack, is activated and hangs up. */
async function activeBusyRequest(o: Office): Promise<void> {
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");
    await o.branch.call("1003", "1002");
    await o.until(() => o.branch.phone("1003").tone === 0x23, "the busy tone");
    await o.branch.press("1003", "CallBack");
    await o.until(() => o.screenTexts("1003").includes(ACTIVATED), "activated");
    await o.branch.hangUp("1003");
}

t.test("guard time: a brief on-hook does not notify; idle for the guard time does", { skip }, async (t) => {
    // On the simulator's clock: the guard time ends by a timer, not with the next frame (capture time).
    const o = await startOffice(
        [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }],
        { callback: { guardTimeMs: 3000 } },
        undefined,
        false,
        { simClock: true },
    );
    t.teardown(() => o.stop());
    await activeBusyRequest(o);
    await o.branch.hangUp("1002");
    // Back off hook after one second: the guard time has not run out.
    await o.branch.advance(1000);
    o.branch.phone("1002").offHook();
    await o.branch.settle();
    await o.branch.advance(4000);
    o.service.tick();
    t.notOk(notified(o), "no notification while the callee is off hook again");
    t.equal(notifyTimes(o).length, 0);
    o.branch.phone("1002").onHook();
    await o.branch.settle();
    // engine time of the on-hook frame (the capture's clock)
    const onHookAt = o.service.now();
    await o.until(() => notified(o), "the notification");
    const at = notifyTimes(o)[0]!;
    const change = o.seen.find((e) => e.type === "RequestChanged" && e.change === "notified");
    const notifiedAt = change?.type === "RequestChanged" ? (change.request.notifiedAt ?? 0) : 0;
    t.ok(notifiedAt >= onHookAt + 3000, "not before the guard time after the last on-hook");
    t.ok(notifiedAt < onHookAt + 3000 + 200, "as soon as the guard time has run out (within a polling step)");
    t.equal(at.dn, "1002");
});

t.test("caller busy when the callee frees up: suspended, notified once the caller hangs up", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }, { dn: "1004" }], {
        callback: { guardTimeMs: 1000 },
    });
    t.teardown(() => o.stop());
    await activeBusyRequest(o);
    // The caller is on another call when the callee hangs up.
    await o.branch.call("1003", "1004");
    await o.branch.answer("1004");
    await o.branch.hangUp("1002");
    await o.until(
        () => o.seen.some((e) => e.type === "RequestChanged" && e.change === "suspended"),
        "the request suspended",
    );
    await o.branch.advance(5000);
    o.service.tick();
    t.notOk(notified(o), "not notified while the caller is busy");
    t.equal(notifyTimes(o).length, 0);
    await o.branch.hangUp("1003");
    await o.until(() => notified(o), "the notification after the caller hung up");
    t.ok(
        o.seen.some((e) => e.type === "RequestChanged" && e.change === "resumed"),
        "resumed when the caller became idle",
    );
});

t.test("expiry: a request nobody served ends after callback.busyExpiryMin", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }], {
        callback: { busyExpiryMin: 1 },
    });
    t.teardown(() => o.stop());
    await activeBusyRequest(o);
    const created = o.service.state.requests[0]!.createdAt;
    // 1002 stays on its call past the expiry.
    await o.until(() => o.seen.some((e) => e.type === "RequestEnded" && e.reason === "expired"), "the expiry", 120_000);
    t.ok(o.service.now() >= created + 60_000, "after one minute");
    t.equal(o.service.state.requests.length, 0);
    await o.branch.hangUp("1002");
    await o.branch.advance(5000);
    o.service.tick();
    t.notOk(notified(o), "no notification for an expired request");
});

t.test("no-answer trigger: ringback, then the callee is used and idle again → notified", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }], {
        callback: { guardTimeMs: 1000 },
    });
    t.teardown(() => o.stop());
    await o.branch.call("1003", "1002");
    await o.until(() => o.branch.phone("1003").tone === 0x24, "1003 hears ringback");
    await o.branch.press("1003", "CallBack");
    await o.until(() => o.screenTexts("1003").includes(ACTIVATED), "activated");
    t.equal(o.service.state.requests[0]?.trigger, "no-answer");
    await o.branch.hangUp("1003");
    // Idle is not enough for a no-answer request: the callee has to be seen in use first.
    await o.branch.advance(5000);
    o.service.tick();
    t.notOk(notified(o), "not notified while the callee was never seen in use");
    // The callee answers someone else, then hangs up.
    await o.branch.call("1001", "1002");
    await o.branch.answer("1002");
    await o.branch.advance(2000);
    t.notOk(notified(o), "not while the callee is on the call");
    await o.branch.hangUp("1002");
    await o.until(() => notified(o), "the notification");
    t.same(o.xsi.get(o.branch.phone("1003").ip)!.sounds, ["CallBack.raw"], "twinkle");
});

t.test("no-answer trigger: an off-hook/on-hook cycle of the callee is enough", { skip }, async (t) => {
    const o = await startOffice([{ dn: "1002" }, { dn: "1003" }], { callback: { guardTimeMs: 1000 } });
    t.teardown(() => o.stop());
    await o.branch.call("1003", "1002");
    await o.until(() => o.branch.phone("1003").tone === 0x24, "1003 hears ringback");
    await o.branch.press("1003", "CallBack");
    await o.until(() => o.screenTexts("1003").includes(ACTIVATED), "activated");
    await o.branch.hangUp("1003");
    await o.branch.advance(3000);
    t.notOk(notified(o), "not yet");
    o.branch.phone("1002").offHook();
    await o.branch.settle();
    await o.branch.advance(500);
    o.branch.phone("1002").onHook();
    await o.branch.settle();
    await o.until(() => notified(o), "the notification");
    t.pass("notified after the cycle");
});

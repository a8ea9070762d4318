/** Switching: ringing, answer, hold and resume, busy and forwarding, clearing, a device going away. */
import t from "tap";
import { answer, deviceGone, hangUp, hold, resume, route } from "../../../src/sim/cm/calls.js";
import { addLeg } from "../../../src/sim/cm/legs.js";
import type { Leg } from "../../../src/sim/cm/state.js";
import { CallState, Tone } from "../../../src/sim/types.js";
import { type TestCm, testCm } from "../helpers/cm.js";

function offHook(cm: TestCm, device: string): Leg {
    const app = cm.s.devices.get(device)?.apps[0];
    if (app === undefined) throw new Error(`no line on ${device}`);
    return addLeg(cm.s, app, "orig", CallState.OffHook);
}

function legsOf(cm: TestCm, device: string): Leg[] {
    return cm.s.devices.get(device)?.apps.flatMap((a) => a.legs) ?? [];
}

t.test("a routed call rings the callee, is answered, held, resumed and cleared", async (t) => {
    const cm = testCm();
    cm.station({ deviceName: "SEPA", lines: ["1001"] });
    cm.station({ deviceName: "SEPB", lines: ["1002"] });
    const started: string[] = [];
    const ended: string[] = [];
    cm.events.on("callStarted", (from, to) => started.push(`${from}>${to}`));
    cm.events.on("callEnded", (from, to) => ended.push(`${from}>${to}`));
    const a = offHook(cm, "SEPA");
    route(cm.s, a, "1002");
    t.same(started, ["1001>1002"]);
    t.equal(a.state, CallState.RingOut);
    t.equal(a.tone, Tone.AlertingTone);
    const [b] = legsOf(cm, "SEPB");
    if (b === undefined) throw new Error("not ringing");
    t.equal(b.state, CallState.RingIn);
    answer(cm.s, b);
    t.equal(a.state, CallState.Connected);
    t.equal(b.state, CallState.Connected);
    t.equal(a.call?.phase, "connected");
    hold(cm.s, b);
    t.equal(b.state, CallState.Hold);
    t.ok(b.held);
    resume(cm.s, b);
    t.equal(b.state, CallState.Connected);
    hangUp(cm.s, a);
    t.same(ended, ["1001>1002"]);
    t.same(legsOf(cm, "SEPA"), []);
    t.same(legsOf(cm, "SEPB"), []);
    t.equal(cm.s.calls.size, 0);
});

t.test("a busy number forwards on busy, else the caller hears busy", async (t) => {
    const cm = testCm();
    cm.station({ deviceName: "SEPA", lines: ["1001"] });
    cm.station({ deviceName: "SEPB", lines: ["1002"] });
    cm.station({ deviceName: "SEPC", lines: ["1003"] });
    cm.station({ deviceName: "SEPD", lines: ["1004"] });
    offHook(cm, "SEPB"); // 1002 is busy
    const a = offHook(cm, "SEPA");
    route(cm.s, a, "1002");
    t.equal(a.state, CallState.Busy);
    t.equal(a.tone, Tone.LineBusyTone);
    const rec = cm.s.dns.get("1002");
    if (rec !== undefined) rec.forward.busy = "1004";
    const c = offHook(cm, "SEPC");
    route(cm.s, c, "1002");
    t.equal(c.state, CallState.RingOut);
    t.equal(legsOf(cm, "SEPD")[0]?.state, CallState.RingIn);
    t.match(c.call, { original: { reason: 1 }, target: { dn: "1004" } });
});

t.test("no answer ends in reorder; forward all skips the number", async (t) => {
    const cm = testCm({ noAnswerTimeoutMs: 1000 });
    cm.station({ deviceName: "SEPA", lines: ["1001"] });
    cm.station({ deviceName: "SEPB", lines: [{ dn: "1002", forward: { all: "1003" } }] });
    cm.station({ deviceName: "SEPC", lines: ["1003"] });
    const a = offHook(cm, "SEPA");
    route(cm.s, a, "1002");
    t.same(legsOf(cm, "SEPB"), [], "forwarded away");
    t.equal(legsOf(cm, "SEPC")[0]?.state, CallState.RingIn);
    cm.clock.advance(1000);
    t.same(legsOf(cm, "SEPC"), [], "ringing stopped");
    t.equal(a.call?.phase, "reorder");
    t.equal(a.tone, Tone.ReorderTone);
});

t.test("the callee's device going away clears the caller", async (t) => {
    const cm = testCm();
    cm.station({ deviceName: "SEPA", lines: ["1001"] });
    cm.station({ deviceName: "SEPB", lines: ["1002"] });
    const a = offHook(cm, "SEPA");
    route(cm.s, a, "1002");
    const [b] = legsOf(cm, "SEPB");
    if (b === undefined) throw new Error("not ringing");
    answer(cm.s, b);
    deviceGone(cm.s, b);
    t.same(legsOf(cm, "SEPA"), []);
    t.equal(cm.s.calls.size, 0);
});

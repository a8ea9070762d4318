/** The phone's shared state: idle and ringing, steps that flush and report idle/busy, history, links. */
import t from "tap";
import { callList, isIdle, isRinging, needPrimary, primaryLink, record, run } from "../../../src/sim/phone/state.js";
import type { SccpSession } from "../../../src/sim/session.js";
import { CallState } from "../../../src/sim/types.js";
import { testPhone } from "../helpers/phone.js";

const call = (callRef: number, state: number) => ({ line: 1, callRef, state, tone: 0, info: null, dialed: "" });

t.test("idle means registered, on hook, and nothing but 'in use remote' calls", async (t) => {
    const { s } = testPhone();
    t.ok(isIdle(s));
    s.calls.set(1, call(1, CallState.CallRemoteMultiline));
    t.ok(isIdle(s));
    s.calls.set(2, call(2, CallState.RingIn));
    t.notOk(isIdle(s));
    t.ok(isRinging(s));
    t.same(
        callList(s).map((c) => c.callRef),
        [1, 2],
    );
    s.calls.clear();
    s.hookOff = true;
    t.notOk(isIdle(s));
    s.hookOff = false;
    s.gen = "cm2";
    s.ringer = 2;
    t.ok(isRinging(s), "an old CallManager rings with the ringer alone");
    t.notOk(isIdle(s));
});

t.test("a step flushes its sessions once and reports an idle/busy change once", async (t) => {
    const { s, events } = testPhone();
    const seen: string[] = [];
    events.on("idle", () => seen.push("idle"));
    events.on("busy", () => seen.push("busy"));
    let flushes = 0;
    const session = { flush: () => flushes++ } as unknown as SccpSession;
    run(s, () => {
        s.dirty.add(session);
        run(s, () => s.dirty.add(session));
    });
    t.equal(flushes, 1);
    t.same(seen, ["idle"]);
    run(s, () => {
        s.hookOff = true;
    });
    run(s, () => {});
    t.same(seen, ["idle", "busy"]);
});

t.test("history keeps the newest messages up to its size; 0 keeps none", async (t) => {
    const a = testPhone("7960", { history: 2 });
    for (const id of [0x0000, 0x0100, 0x0081]) record(a.s, "in", id, {});
    t.same(
        a.s.history.map((h) => h.id),
        [0x0100, 0x0081],
    );
    t.equal(a.s.history[0]?.name, "KeepAliveAck");
    record(a.s, "out", 0xfff0, {});
    t.equal(a.s.history[1]?.name, "0xfff0", "an unknown id is named by its number");
    const b = testPhone("7960", { history: 0 });
    record(b.s, "in", 0x0100, {});
    t.same(b.s.history, []);
});

t.test("actions need a registered primary link; raw sends need a link", async (t) => {
    const { s, link } = testPhone();
    t.equal(needPrimary(s), link);
    s.registered = false;
    t.throws(() => needPrimary(s), { code: "SIM_NOT_REGISTERED" });
    t.equal(primaryLink(s), link);
    s.primary = null;
    t.throws(() => primaryLink(s), { code: "SIM_NOT_CONNECTED" });
});

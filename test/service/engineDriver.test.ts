/**
 * The engine driver with the fake view and the fake clock: effects reach their handlers, the next deadline
 * is one timer live and a check per frame in capture time, a standby box feeds the engine nothing.
 */
import t from "tap";
import { CallBackEngine } from "../../src/callback/engine.js";
import type { EngineEffect } from "../../src/callback/types.js";
import { noopLogger } from "../../src/logging/memory.js";
import { type EffectHandlers, EngineDriver } from "../../src/service/engineDriver.js";
import type { ServiceCounters } from "../../src/service/serviceApi.js";
import { FakeClock } from "../../src/util/fakeClock.js";
import { FakeClusterView } from "../callback/fakeView.js";

const T0 = 1_767_225_600_000;

function rig(capture: boolean, role: "active" | "standby" = "active") {
    const clock = new FakeClock(T0);
    const view = new FakeClusterView();
    view.addPhone("SEPA", { dn: "1001", ip: "10.0.0.1" });
    view.addPhone("SEPB", { dn: "1002", ip: "10.0.0.2" });
    const calls: string[] = [];
    const events: EngineEffect["type"][] = [];
    const counters: ServiceCounters = { pushOk: 0, pushFailed: 0, notifications: 0, pressesIgnored: 0, withheld: 0 };
    let now = T0;
    const effects: EffectHandlers = {
        show: (e) => calls.push(`show ${e.kind}`),
        notify: (e) => calls.push(`notify ${e.ref}`),
        revoke: (ref) => calls.push(`revoke ${ref}`),
        persist: (g) => {
            calls.push(`persist ${g}`);
            queueMicrotask(() => driver.input({ type: "PersistDone", upTo: g }));
        },
        alarm: (id, action) => calls.push(`alarm ${action} ${id}`),
    };
    const driver = new EngineDriver({
        engine: new CallBackEngine({ guardTimeMs: 3000 }),
        view,
        now: () => (capture ? now : clock.now()),
        clock,
        capture,
        role,
        effects,
        counters,
        log: noopLogger,
        onEvent: (e) => {
            if ("type" in e) events.push(e.type as EngineEffect["type"]);
        },
    });
    const setNow = (ms: number): void => {
        now = ms;
        view.now = ms;
    };
    return { driver, view, clock, calls, events, counters, setNow };
}

/** SEPA calls busy 1002 and presses CallBack; 1002 hangs up. */
async function activate(r: ReturnType<typeof rig>): Promise<void> {
    r.driver.input(r.view.lineState("1001", "busy", T0));
    r.driver.input(r.view.lineState("1002", "busy", T0));
    r.driver.input(r.view.press("SEPA", "1002", "busy", T0));
    await Promise.resolve();
    r.driver.input(r.view.lineState("1001", "idle", T0));
    r.driver.input(r.view.lineState("1002", "idle", T0));
}

t.test("live: effects go to their handlers, and the guard time is one timer", async (t) => {
    const r = rig(false);
    await activate(r);
    t.same(r.calls, ["persist 1", "show activated"]);
    t.equal(r.driver.state.requests[0]?.phase, "waiting");
    t.equal(r.clock.pending, 1, "one timer");
    await r.clock.advance(3000);
    t.same(r.calls.slice(2), ["notify cb-1", "persist 2"]);
    t.ok(r.events.includes("Notify"), "onEvent sees every effect");
    r.driver.stop();
    t.equal(r.clock.pending, 0);
    t.ok(r.driver.stopped);
});

t.test("capture time: no timers; runDue ticks once the deadline is reached", async (t) => {
    const r = rig(true);
    await activate(r);
    t.equal(r.clock.pending, 0);
    r.setNow(T0 + 2999);
    r.driver.runDue(T0 + 2999);
    t.notOk(r.calls.includes("notify cb-1"));
    r.setNow(T0 + 3000);
    r.driver.runDue(T0 + 3000);
    t.ok(r.calls.includes("notify cb-1"));
});

t.test("standby feeds nothing; becoming active resumes what it holds", async (t) => {
    const active = rig(true);
    await activate(active);
    const standby = rig(true, "standby");
    standby.driver.input(standby.view.press("SEPA", "1002", "busy", T0));
    t.same(standby.calls, []);
    standby.driver.replace(active.driver.state as never);
    t.equal(standby.driver.state.requests.length, 1);
    standby.driver.setRole("active");
    t.equal(standby.driver.role, "active");
    t.equal(standby.driver.state.requests[0]?.activeSince, T0, "Restored: active again");
    const live = rig(false);
    await activate(live);
    live.driver.setRole("standby");
    t.equal(live.clock.pending, 0, "standby: the timer stops");
});

t.test("a press from a phone without XML services is counted", async (t) => {
    const r = rig(false);
    r.view.addPhone("ATA1", { dn: "1003", xsiPush: false });
    r.driver.input(r.view.press("ATA1", "1002", "busy", T0));
    t.equal(r.counters.pressesIgnored, 1);
    t.same(r.calls, []);
});

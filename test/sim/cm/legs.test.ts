/** Legs: which leg a device is "in", leg events, shared-line hints, CallInfo of a leg. */
import t from "tap";
import {
    activeLeg,
    addLeg,
    callInfo,
    clearHints,
    hintOthers,
    legByRef,
    legCount,
    removeLeg,
    ringingLeg,
    setState,
} from "../../../src/sim/cm/legs.js";
import type { Call } from "../../../src/sim/cm/state.js";
import type { SimLegEvent } from "../../../src/sim/cm/types.js";
import { CallState } from "../../../src/sim/types.js";
import { calls, testCm } from "../helpers/cm.js";

t.test("the active leg skips hints, held legs and calls ringing in", async (t) => {
    const cm = testCm();
    cm.station({ deviceName: "SEPA", lines: ["1001", "1002"] });
    const d = cm.s.devices.get("SEPA");
    if (d === undefined) throw new Error("no device");
    const [a1, a2] = d.apps;
    if (a1 === undefined || a2 === undefined) throw new Error("no lines");
    const hint = addLeg(cm.s, a1, "hint", CallState.CallRemoteMultiline);
    const ringing = addLeg(cm.s, a2, "term", CallState.RingIn);
    t.equal(activeLeg(d), null);
    t.equal(ringingLeg(d, 0), ringing);
    t.equal(ringingLeg(d, hint.ref), null);
    const held = addLeg(cm.s, a1, "orig", CallState.Hold);
    held.held = true;
    t.equal(activeLeg(d), null);
    const dialing = addLeg(cm.s, a2, "orig", CallState.OffHook);
    t.equal(activeLeg(d), dialing);
    t.equal(legByRef(d, dialing.ref), dialing);
    t.equal(legByRef(d, 0), null);
    t.equal(legCount(d), 4);
    removeLeg(cm.s, dialing);
    t.equal(legCount(d), 3);
});

t.test("every leg change is a leg event; a removed leg reads on hook", async (t) => {
    const cm = testCm();
    cm.station({ deviceName: "SEPA", lines: ["1001"] });
    const got: SimLegEvent[] = [];
    cm.events.on("leg", (e) => got.push(e));
    const app = cm.s.devices.get("SEPA")?.apps[0];
    if (app === undefined) throw new Error("no line");
    const leg = addLeg(cm.s, app, "orig", CallState.OffHook);
    setState(cm.s, leg, CallState.Proceed);
    removeLeg(cm.s, leg);
    t.same(
        got.map((e) => [e.dn, e.state, e.ended]),
        [
            ["1001", CallState.OffHook, false],
            ["1001", CallState.Proceed, false],
            ["1001", CallState.OnHook, true],
        ],
    );
    t.same(calls(cm, "SEPA"), ["callState"], "setState tells the phone");
});

t.test("a shared line shows 'in use remote' on the other registered devices that have no call", async (t) => {
    const cm = testCm();
    cm.station({ deviceName: "SEPA", lines: ["1001"] });
    cm.station({ deviceName: "SEPB", lines: ["1001"] });
    cm.station({ deviceName: "SEPC", lines: ["1001"] });
    const app = cm.s.devices.get("SEPA")?.apps[0];
    const b = cm.s.devices.get("SEPB");
    const c = cm.s.devices.get("SEPC")?.apps[0];
    if (app === undefined || b === undefined || c === undefined) throw new Error("no line");
    addLeg(cm.s, c, "orig", CallState.OffHook);
    const leg = addLeg(cm.s, app, "orig", CallState.OffHook);
    hintOthers(cm.s, leg);
    t.equal(leg.hints.length, 1, "SEPC is busy with its own call");
    t.equal(b.apps[0]?.legs[0]?.role, "hint");
    t.same(calls(cm, "SEPB"), ["callState", "selectSoftKeys", "prompt"]);
    clearHints(cm.s, leg);
    t.equal(legCount(b), 0);
    t.same(calls(cm, "SEPB").slice(3), ["callState", "selectSoftKeys", "prompt"], "back to the idle set");
    t.same(leg.hints, []);
});

t.test("CallInfo names the caller, and the callee or the redirecting number", async (t) => {
    const cm = testCm();
    cm.station({ deviceName: "SEPA", lines: [{ dn: "1001", name: "Alice" }] });
    cm.station({ deviceName: "SEPB", lines: [{ dn: "1002", name: "Bob" }] });
    const a = cm.s.devices.get("SEPA")?.apps[0];
    const b = cm.s.devices.get("SEPB")?.apps[0];
    if (a === undefined || b === undefined) throw new Error("no line");
    const orig = addLeg(cm.s, a, "orig", CallState.RingOut);
    const term = addLeg(cm.s, b, "term", CallState.RingIn);
    const call: Call = {
        id: 1,
        orig,
        dialed: "1003",
        target: cm.s.dns.get("1002") ?? null,
        term: null,
        alerting: [term],
        phase: "alerting",
        original: {
            dn: {
                dn: "1003",
                name: "Carol",
                forward: { all: "1002", busy: "", noAnswer: "" },
                busyTrigger: 1,
                apps: [],
            },
            reason: 15,
        },
        last: null,
        timer: null,
    };
    const o = callInfo(orig, call);
    t.match(o, {
        callingParty: "1001",
        callingPartyName: "Alice",
        calledParty: "1002",
        calledPartyName: "Bob",
        callType: 2,
    });
    t.match(o, { originalCalledParty: "1003", originalCdpnRedirectReason: 15, lastRedirectingParty: "1002" });
    const i = callInfo(term, call);
    t.match(i, { calledParty: "1002", callType: 1, callReference: term.ref, callInstance: 1, callSecurityStatus: 0 });
});

/**
 * The fidelity rules of issue Q in the pure engine: a callee the box cannot observe, presses on calls that
 * are not hearing busy/ringback/reorder, phones without XML services, and the trace reason of refusals.
 */
import t from "tap";
import type { ClusterEvent } from "../../src/cluster/types.js";
import { Harness, screens, types } from "./helpers.js";

type Press = Extract<ClusterEvent, { type: "CallBackPressed" }>;

/** A press of SEPA (1001) on its line-1 call in the given SCCP call state. */
function pressIn(h: Harness, state: number, stateName: string, over: Partial<Press> = {}): Press {
    const e = h.view.press("SEPA", "1002", null, h.now) as Press;
    return { ...e, callState: state, callStateName: stateName, trigger: null, ...over };
}

t.test(
    "a callee known only from the static directory: CallBack cannot be activated (why: not observable)",
    async (t) => {
        const h = new Harness();
        h.view.number("2002").observable = false;
        const fx = h.press("SEPA", "2002");
        const [s] = screens(fx);
        t.equal(s?.kind, "notFound");
        t.same(s?.params, { dn: "2002" });
        t.match(s?.why, /not observable/);
        t.same(h.requests(), []);
        // the same number once the box sees it (SCCP or CTI line events): activated
        h.view.number("2002").observable = true;
        h.press("SEPA", "2002");
        t.equal(screens(h.log, "activated").length, 1);
    },
);

t.test("a number in no directory at all: not found, why: not in the directory", async (t) => {
    const h = new Harness();
    const [s] = screens(h.press("SEPA", "2999"));
    t.equal(s?.kind, "notFound");
    t.equal(s?.why, "not in the directory");
});

t.test("only a call ringing out, busy or in reorder makes a request", async (t) => {
    for (const [state, name] of [
        [3, "RingOut"],
        [6, "Busy"],
        [7, "Congestion"],
    ] as const) {
        const h = new Harness();
        h.line("1002", "busy");
        h.send(pressIn(h, state, name));
        t.equal(h.requests().length, 1, `${name}: a request`);
        t.equal(screens(h.log, "activated").length, 1, `${name}: activated`);
    }
    for (const [state, name] of [
        [1, "OffHook"],
        [5, "Connected"],
        [8, "Hold"],
        [12, "Proceed"],
    ] as const) {
        const h = new Harness();
        h.line("1002", "busy");
        const fx = h.send(pressIn(h, state, name));
        const [s] = screens(fx);
        t.equal(s?.kind, "cannotInvoke", `${name}: cannot be invoked`);
        t.same(s?.params, { dn: "1002" }, `${name}: for the called extension`);
        t.match(s?.why, new RegExp(`call state ${name}`), `${name}: the reason is traced`);
        t.same(h.requests(), [], `${name}: no request`);
    }
});

t.test("a busy signalled by tone only (no Busy state) still makes a request", async (t) => {
    const h = new Harness();
    h.line("1002", "busy");
    h.send(pressIn(h, 12, "Proceed", { tone: 0x23, toneName: "LineBusyTone", trigger: "busy" }));
    t.equal(h.requests().length, 1);
    t.equal(h.requests()[0]?.trigger, "busy");
});

t.test("an incoming call: cannot be invoked for the calling extension", async (t) => {
    const h = new Harness();
    const fx = h.send(pressIn(h, 5, "Connected", { calledDn: null, partyDn: "1003" }));
    const [s] = screens(fx);
    t.equal(s?.kind, "cannotInvoke");
    t.same(s?.params, { dn: "1003" });
    t.same(h.requests(), []);
});

t.test(
    "a call of unknown state keeps the benefit of the doubt; no call behind the press is the idle press",
    async (t) => {
        const h = new Harness();
        h.line("1002", "busy");
        h.send(pressIn(h, 0, "", { callState: null, callStateName: null }));
        t.equal(h.requests().length, 1, "state unknown: a request");
        const idle = new Harness();
        const fx = idle.send(
            pressIn(idle, 0, "", { callRef: 0, callState: null, callStateName: null, calledDn: null }),
        );
        t.same(types(fx), ["ShowScreen:notActive"], "callRef 0, no state: the On Hook meaning");
    },
);

t.test("a phone without XML services: the press is traced (PressIgnored), nothing is shown or kept", async (t) => {
    const h = new Harness();
    h.view.addPhone("SEP7910", { dn: "1010", model: "Cisco IP Phone 7910", xsiPush: false });
    h.line("1002", "busy");
    const fx = h.press("SEP7910", "1002");
    t.same(types(fx), ["PressIgnored"]);
    t.match(fx[0], { type: "PressIgnored", device: "SEP7910", model: "Cisco IP Phone 7910", calledDn: "1002" });
    t.same(types(h.idlePress("SEP7910")), ["PressIgnored"], "idle press too");
    t.same(h.requests(), []);
});

t.test("refusals carry why: service not available, capacity", async (t) => {
    const h = new Harness();
    h.view.ctiNeeded = true;
    h.view.ctiLinkUp = false;
    t.equal(screens(h.press("SEPA", "1002"))[0]?.why, "cti.required and the CTI link is not up");
    h.view.cmLink = false;
    t.equal(screens(h.press("SEPA", "1002"))[0]?.why, "no CallManager link observed");
    const full = new Harness({ maxQueuePerCallee: 1 });
    full.activate("SEPA", "1001", "1002");
    full.line("1002", "busy");
    const [s] = screens(full.press("SEPC", "1002"));
    t.equal(s?.kind, "cannotInvoke");
    t.equal(s?.why, "callback.maxQueuePerCallee reached");
});

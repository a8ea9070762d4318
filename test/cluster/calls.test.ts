/** Calls with CallState (CallManager 4.x and later): the scenarios of the Call Back feature. */
import t from "tap";
import { activeCall, legKeysOf, newCall } from "../../src/cluster/calls.js";
import { newDevice } from "../../src/cluster/devices.js";
import { line } from "../../src/cluster/lines.js";
import { createState, STATE_CONNECTED, STATE_HOLD } from "../../src/cluster/state.js";
import { callInfo, callState, connect, dial, Harness, hangUp, type Link, ringIn, tone } from "./helpers.js";

const A = { name: "SEP0000000A0001", ip: "10.1.0.1", dns: ["1001"] };
const B = { name: "SEP0000000B0002", ip: "10.1.0.2", dns: ["1002"] };
const C = { name: "SEP0000000C0003", ip: "10.1.0.3", dns: ["1003"] };
const CALLBACK_EVENT = 35;

/** B (1002) talks to C (1003). */
function bBusyWithC(b: Link, c: Link, t0: number): void {
    dial(c, t0, 300, "1002");
    callInfo(c, t0, 1, 300, 2, "1003", "1002");
    ringIn(b, t0, 200, "1003", "1002");
    tone(c, t0, 0x24, 1, 300);
    callState(c, t0, 3, 1, 300);
    connect(b, t0 + 1, 200);
    connect(c, t0 + 1, 300);
}

t.test("busy: A calls B who is on a call; A hears busy and presses CallBack; B hangs up", async (t) => {
    const h = new Harness();
    const a = h.register(A, 0);
    const b = h.register(B, 0);
    const c = h.register(C, 0);
    bBusyWithC(b, c, 10);
    t.same(h.lineChanges().slice(3), ["1003:idle>busy", "1002:idle>ringing", "1002:ringing>busy"]);
    h.clear();
    dial(a, 20, 100, "1002");
    callInfo(a, 20.1, 1, 100, 2, "1001", "1002");
    tone(a, 20.2, 0x23, 1, 100);
    callState(a, 20.2, 6, 1, 100);
    a.down(20.2, "DisplayPromptStatus", {
        timeOutValue: 0,
        promptStatus: "\u0080\u0019",
        lineInstance: 1,
        callReference: 100,
    });
    a.up(22, "SoftKeyEvent", { softKeyEvent: CALLBACK_EVENT, lineInstance: 1, callReference: 100 });
    t.same(h.lineChanges(), ["1001:idle>busy"]);
    const cb = h.of("CallBackPressed");
    t.equal(cb.length, 1);
    t.strictSame(cb[0], {
        type: "CallBackPressed",
        t: 22,
        device: A.name,
        name: A.name,
        ip: A.ip,
        line: 1,
        callerDn: "1001",
        callRef: 100,
        callState: 6,
        callStateName: "Busy",
        calledDn: "1002",
        partyDn: "1002",
        tone: 0x23,
        toneName: "LineBusyTone",
        trigger: "busy",
        source: "softkey",
        softKeySet: 4,
    });
    t.match(h.model.device(A.name)!.lines[0]!.calls[0], { dialed: "1002", busySeen: true, lastProgressTone: 0x23 });
    h.clear();
    hangUp(a, 25, 100);
    hangUp(b, 30, 200);
    hangUp(c, 30, 300);
    t.same(h.lineChanges(), ["1001:busy>idle", "1002:busy>idle", "1003:busy>idle"]);
    t.equal(h.model.liveCalls().length, 0);
    t.equal(h.model.stats().calls, 0);
});

t.test("ringback: A calls B (idle), legs matched by numbers and time, CallBack pressed in Ring Out", async (t) => {
    const h = new Harness();
    const a = h.register(A, 0);
    const b = h.register(B, 0);
    h.clear();
    dial(a, 10, 100, "1002");
    callInfo(a, 10.1, 1, 100, 2, "1001", "1002");
    ringIn(b, 10.2, 200, "1001", "1002");
    tone(a, 10.2, 0x24, 1, 100);
    callState(a, 10.2, 3, 1, 100);
    a.down(10.2, "SelectSoftKeys", {
        lineInstance: 1,
        callReference: 100,
        softKeySetIndex: 8,
        validKeyMask: 0xffffffff,
    });
    t.same(h.lineChanges(), ["1001:idle>busy", "1002:idle>ringing"]);
    const callA = h.model.device(A.name)!.lines[0]!.calls[0]!;
    const callB = h.model.device(B.name)!.lines[0]!.calls[0]!;
    t.same(callA.peer, { device: B.name, line: 1, callRef: 200 });
    t.same(callB.peer, { device: A.name, line: 1, callRef: 100 });
    t.match(callA, { direction: "outbound", state: 3, tone: 0x24, softKeySet: 8 });
    t.match(callB, { direction: "inbound", state: 4, callingParty: "1001" });
    a.up(15, "SoftKeyEvent", { softKeyEvent: CALLBACK_EVENT, lineInstance: 1, callReference: 100 });
    t.match(h.of("CallBackPressed")[0], {
        calledDn: "1002",
        trigger: "ringback",
        callState: 3,
        softKeySet: 8,
        tone: 0x24,
    });
    // No answer: A gives up; B stops ringing.
    hangUp(a, 20, 100);
    hangUp(b, 20, 200);
    t.same(h.lineChanges().slice(2), ["1001:busy>idle", "1002:ringing>idle"]);
    t.equal(h.model.recentCalls().length, 2);
    // The ended legs remember their peer.
    t.same(h.model.recentCalls()[0]!.peer, { device: B.name, line: 1, callRef: 200 });
});

t.test("legs are matched in either order, and not across too much time", async (t) => {
    const h = new Harness({ legMatchWindowS: 5 });
    const a = h.register(A, 0);
    const b = h.register(B, 0);
    const c = h.register(C, 0);
    ringIn(b, 10, 200, "1001", "1002"); // callee leg first
    dial(a, 10, 100, "1002");
    callInfo(a, 10, 1, 100, 2, "1001", "1002");
    t.same(h.model.device(A.name)!.lines[0]!.calls[0]!.peer, { device: B.name, line: 1, callRef: 200 });
    // C's leg with the same numbers 60 s later is not paired with anything stale.
    ringIn(c, 70, 300, "1001", "1003");
    dial(a, 80, 101, "1003", 1);
    callInfo(a, 100, 1, 101, 2, "1001", "1003");
    t.equal(h.model.device(C.name)!.lines[0]!.calls[0]!.peer, null);
    for (const l of [a, b, c]) l.up(90, "KeepAliveReq");
    h.model.tick(150); // the index forgets old legs
    t.equal(h.model.liveCalls().length, 4);
});

t.test("idle press: CallBack on the On Hook screen has no call", async (t) => {
    const h = new Harness();
    const a = h.register(A, 0);
    h.clear();
    a.up(5, "SoftKeyEvent", { softKeyEvent: CALLBACK_EVENT, lineInstance: 0, callReference: 0 });
    t.strictSame(h.of("CallBackPressed")[0], {
        type: "CallBackPressed",
        t: 5,
        device: A.name,
        name: A.name,
        ip: A.ip,
        line: null,
        callerDn: "1001",
        callRef: 0,
        callState: null,
        callStateName: null,
        calledDn: null,
        partyDn: null,
        tone: null,
        toneName: null,
        trigger: null,
        source: "softkey",
        softKeySet: 0,
    });
});

t.test("other softkeys are reported with their label; unknown events without one", async (t) => {
    const h = new Harness();
    const a = h.register(A, 0);
    h.clear();
    dial(a, 1, 100, "1002");
    a.up(2, "SoftKeyEvent", { softKeyEvent: 9, lineInstance: 1, callReference: 100 });
    a.up(3, "SoftKeyEvent", { softKeyEvent: 77, lineInstance: 0, callReference: 0 });
    t.match(h.of("SoftKeyPressed"), [
        { event: 9, label: "Endcall", labelCode: 9, line: 1, callRef: 100, callState: 12 },
        { event: 77, label: null, labelCode: null, line: null, callRef: 0, callState: null },
    ]);
});

t.test("a phone whose registration was missed uses its CallManager's template", async (t) => {
    const h = new Harness();
    h.register(A, 0); // teaches the template of CM 10.0.0.1
    const x = h.link("10.1.0.50", "10.0.0.1", { midstream: true });
    x.up(5, "SoftKeyEvent", { softKeyEvent: CALLBACK_EVENT, lineInstance: 0, callReference: 0 });
    t.match(h.of("CallBackPressed")[0], { device: "@10.1.0.50", callerDn: null });
    t.match(h.model.device("@10.1.0.50")!.softKeys, { source: "cm", callBackEvent: 35, callBackInOnHook: true });
    // A CallManager never seen: no template, the key is not recognised.
    const y = h.link("10.1.0.51", "10.0.0.77", { midstream: true });
    y.up(6, "SoftKeyEvent", { softKeyEvent: CALLBACK_EVENT, lineInstance: 0, callReference: 0 });
    t.match(h.of("SoftKeyPressed").at(-1), { device: "@10.1.0.51", label: null });
    t.match(h.model.device("@10.1.0.51")!.softKeys, { source: null, callBackInOnHook: null, keys: [] });
});

t.test("a CallBack feature button (Stimulus 0x86) on a phone without softkeys", async (t) => {
    const h = new Harness();
    const a = h.register({ ...A, deviceType: 6 }, 0);
    dial(a, 1, 100, "1002");
    callInfo(a, 1, 1, 100, 2, "1001", "1002");
    tone(a, 1, 0x25, 1, 100);
    a.up(2, "Stimulus", { stimulus: 0x86, lineInstance: 1, callReference: 100, stimulusStatus: 0 });
    t.match(h.of("CallBackPressed")[0], { source: "stimulus", callRef: 100, calledDn: "1002", trigger: "reorder" });
    a.up(3, "Stimulus", { stimulus: 3, lineInstance: 1, callReference: 100, stimulusStatus: 0 });
    t.match(h.of("SoftKeyPressed").at(-1), { source: "stimulus", label: "Hold", event: 3, callState: 12 });
});

t.test("forward all / busy / no answer: learned per line, changes reported", async (t) => {
    const h = new Harness();
    const b = h.register(B, 0);
    const fwd = (t: number, all: string, busy: string, na: string) =>
        b.down(t, "ForwardStatRes", {
            activeForward: all || busy || na ? 1 : 0,
            lineNumber: 1,
            forwardAllActive: all ? 1 : 0,
            forwardAllNumber: all,
            forwardBusyActive: busy ? 1 : 0,
            forwardBusyNumber: busy,
            forwardNoAnswerActive: na ? 1 : 0,
            forwardNoAnswerNumber: na,
        });
    h.clear();
    fwd(1, "", "", ""); // at registration, nothing forwarded: no event
    t.same(h.types(), []);
    t.same(h.model.dn("1002").forwarding, { all: null, busy: null, noAnswer: null });
    fwd(2, "", "8000", "8000");
    fwd(2, "", "8000", "8000"); // unchanged: no event
    fwd(3, "1003", "8000", "8000");
    fwd(4, "", "8000", "8000");
    const ev = h.of("ForwardingChanged");
    t.equal(ev.length, 3);
    t.match(ev[0], {
        device: B.name,
        line: 1,
        dn: "1002",
        from: { all: null, busy: null },
        to: { all: null, busy: "8000", noAnswer: "8000" },
    });
    t.match(ev[1], { to: { all: "1003" } });
    t.match(ev[2], { from: { all: "1003" }, to: { all: null } });
    t.same(h.model.device(B.name)!.lines[0]!.forwarding, { all: null, busy: "8000", noAnswer: "8000" });
    // A flag without a number is not active; a first report with something on is an event.
    const h2 = new Harness();
    const b2 = h2.register(B, 0);
    b2.down(1, "ForwardStatRes", {
        activeForward: 1,
        lineNumber: 1,
        forwardAllActive: 1,
        forwardAllNumber: "",
        forwardBusyActive: 0,
        forwardNoAnswerActive: 0,
    });
    t.same(h2.of("ForwardingChanged"), []);
    b2.down(
        1,
        "ForwardStatRes",
        { activeForward: 1, lineNumber: 1, forwardAllActive: 1, forwardAllNumber: "5000" },
        0x12,
    );
    t.match(h2.of("ForwardingChanged")[0], { to: { all: "5000" } });
    b2.down(1, "ForwardStatRes", { lineNumber: 0 }); // no line: ignored
    t.equal(h2.of("ForwardingChanged").length, 1);
});

t.test("shared line: one DN on two phones rings both; one answers, the other shows it in use", async (t) => {
    const h = new Harness();
    const p1 = h.register({ name: "SEP0000000D0001", ip: "10.1.1.1", dns: ["2000"] }, 0);
    const p2 = h.register({ name: "SEP0000000D0002", ip: "10.1.1.2", dns: ["2000", "2002"] }, 0);
    const a = h.register(A, 0);
    t.same(
        h.model.dn("2000").devices.map((d) => d.device),
        ["SEP0000000D0001", "SEP0000000D0002"],
    );
    h.clear();
    dial(a, 10, 100, "2000");
    ringIn(p1, 10, 201, "1001", "2000");
    ringIn(p2, 10, 202, "1001", "2000");
    t.same(h.lineChanges(), ["1001:idle>busy", "2000:idle>ringing"]);
    connect(p2, 12, 202);
    t.same(h.lineChanges().slice(2), ["2000:ringing>busy"]);
    callState(p1, 12, 13, 1, 201); // in use remote
    t.same(
        h.model.dn("2000").devices.map((d) => d.state),
        ["busy", "busy"],
    );
    hangUp(p2, 20, 202);
    t.equal(h.model.dnState("2000"), "busy"); // p1 still shows remote in use
    hangUp(p1, 20, 201);
    t.same(h.lineChanges().slice(3), ["2000:busy>idle"]);
    // One of the phones unregisters: the DN is what the other one says.
    p1.close(30, "fin");
    t.equal(h.model.dnState("2000"), "idle");
    t.same(
        h.model.dn("2000").devices.map((d) => d.registration),
        ["unregistered", "registered"],
    );
});

t.test("hold and resume keep the DN busy", async (t) => {
    const h = new Harness();
    const a = h.register(A, 0);
    const b = h.register(B, 0);
    dial(a, 1, 100, "1002");
    ringIn(b, 1, 200, "1001", "1002");
    connect(a, 2, 100);
    connect(b, 2, 200);
    h.clear();
    a.up(3, "SoftKeyEvent", { softKeyEvent: 3, lineInstance: 1, callReference: 100 });
    callState(a, 3, 8, 1, 100);
    callState(b, 3, 17, 1, 200); // remote hold
    t.same(h.lineChanges(), []);
    t.match(h.model.device(A.name)!.lines[0]!.calls[0], { state: 8, stateName: "Hold" });
    callState(a, 5, 5, 1, 100);
    hangUp(a, 9, 100);
    hangUp(b, 9, 200);
    t.same(h.lineChanges(), ["1001:busy>idle", "1002:busy>idle"]);
    t.match(h.model.recentCalls().at(-2), { state: 5, connectedAt: 2 });
});

t.test("call waiting: a second call rings while B talks; B answers it, the first is held", async (t) => {
    const h = new Harness();
    const a = h.register(A, 0);
    const b = h.register(B, 0);
    const c = h.register(C, 0);
    bBusyWithC(b, c, 1);
    h.clear();
    dial(a, 5, 100, "1002");
    ringIn(b, 5, 201, "1001", "1002");
    tone(b, 5, 0x2d, 1, 201); // call waiting tone on B
    tone(a, 5, 0x24, 1, 100);
    callState(a, 5, 3, 1, 100);
    t.same(h.lineChanges(), ["1001:idle>busy"]); // B stays busy
    t.equal(h.model.device(B.name)!.lines[0]!.calls.length, 2);
    callState(b, 6, 8, 1, 200);
    connect(b, 6, 201);
    connect(a, 6, 100);
    t.same(
        h.model.device(B.name)!.lines[0]!.calls.map((x) => [x.callRef, x.stateName]),
        [
            [200, "Hold"],
            [201, "Connected"],
        ],
    );
    hangUp(b, 8, 201);
    t.equal(h.model.dnState("1002"), "busy"); // the held call
    hangUp(b, 9, 200);
    t.equal(h.model.dnState("1002"), "idle");
});

t.test("transfer: B transfers A to C; B's calls end, A and C stay connected", async (t) => {
    const h = new Harness();
    const a = h.register(A, 0);
    const b = h.register(B, 0);
    const c = h.register(C, 0);
    dial(a, 1, 100, "1002");
    callInfo(a, 1, 1, 100, 2, "1001", "1002");
    ringIn(b, 1, 200, "1001", "1002");
    connect(a, 2, 100);
    connect(b, 2, 200);
    // B presses Transfer: the call is held and a consultation call starts.
    b.up(3, "SoftKeyEvent", { softKeyEvent: 4, lineInstance: 1, callReference: 200 });
    callState(b, 3, 8, 1, 200);
    dial(b, 3, 201, "1003");
    callInfo(b, 3, 1, 201, 2, "1002", "1003");
    ringIn(c, 3, 300, "1002", "1003");
    connect(b, 4, 201);
    connect(c, 4, 300);
    h.clear();
    b.up(5, "SoftKeyEvent", { softKeyEvent: 4, lineInstance: 1, callReference: 201 });
    hangUp(b, 5, 201);
    hangUp(b, 5, 200);
    callInfo(a, 5, 1, 100, 2, "1001", "1003", { lastRedirectingParty: "1002", originalCalledParty: "1002" });
    callInfo(c, 5, 1, 300, 1, "1001", "1003", { lastRedirectingParty: "1002" });
    t.same(h.lineChanges(), ["1002:busy>idle"]);
    t.equal(h.model.dnState("1001"), "busy");
    t.equal(h.model.dnState("1003"), "busy");
    t.match(h.model.device(A.name)!.lines[0]!.calls[0], { calledParty: "1003", lastRedirectingParty: "1002" });
    t.equal(h.of("SoftKeyPressed")[0]!.label, "Transfer");
});

t.test("dynamic messages (V20): LineStatV2Res, CallInfoV2, V18 DialedNumber, DisplayPromptStatusV2", async (t) => {
    const h = new Harness();
    const a = h.register({ ...A, hv: 20 }, 0);
    const b = h.register({ ...B, hv: 20 }, 0);
    t.equal(h.model.dnState("1001"), "idle");
    t.equal(h.model.device(A.name)!.headerVersion, 20);
    h.clear();
    callState(a, 1, 1, 1, 100, 20);
    a.down(1, "DialedNumber", { dialedNumber: "1002", lineInstance: 1, callReference: 100 }, 20);
    callState(a, 1, 12, 1, 100, 20);
    a.down(
        1,
        "CallInfoV2",
        {
            lineInstance: 1,
            callReference: 100,
            callType: 2,
            originalCdpnRedirectReason: 0,
            lastRedirectingReason: 0,
            callInstance: 1,
            callSecurityStatus: 1,
            partyPIRestrictionBits: 0,
            callingParty: "1001",
            AlternateCallingParty: "",
            calledParty: "1002",
            originalCalledParty: "1002",
            lastRedirectingParty: "1002",
            cgpnVoiceMailbox: "",
            cdpnVoiceMailbox: "",
            originalCdpnVoiceMailbox: "",
            lastRedirectingVoiceMailbox: "",
            callingPartyName: "Alice",
            calledPartyName: "Bob",
            originalCalledPartyName: "Bob",
            lastRedirectingPartyName: "Bob",
            HuntPilotNumber: "",
            HuntPilotName: "",
        },
        20,
    );
    callState(b, 1, 5, 1, 200, 20); // B busy elsewhere
    a.down(
        1,
        "DisplayPromptStatusV2",
        { timeOutValue: 0, lineInstance: 1, callReference: 100, promptStatus: "\u0080\u0019" },
        20,
    );
    a.up(2, "SoftKeyEvent", { softKeyEvent: CALLBACK_EVENT, lineInstance: 1, callReference: 100 }, 20);
    const call = h.model.device(A.name)!.lines[0]!.calls[0]!;
    t.match(call, {
        dialed: "1002",
        callingPartyName: "Alice",
        calledPartyName: "Bob",
        direction: "outbound",
        busySeen: true,
    });
    // Busy known only from the "Busy" prompt (no tone, no CallState Busy).
    t.match(h.of("CallBackPressed")[0], { calledDn: "1002", trigger: "busy", callState: 12 });
});

t.test("calls seen before their CallState are unknown; CallInfo alone fills in a missing DN", async (t) => {
    const h = new Harness();
    const x = h.link("10.1.0.60", "10.0.0.1", { midstream: true });
    callInfo(x, 1, 1, 77, 2, "1060", "1002");
    const d = h.model.device("@10.1.0.60")!;
    t.match(d.lines[0], { dn: "1060", dnSource: "callinfo", state: "unknown", uncertain: true });
    t.match(d.lines[0]!.calls[0], { state: null, stateName: "Unknown", uncertain: true });
    t.equal(h.model.dnState("1060"), "unknown");
    callState(x, 2, 5, 1, 77);
    t.equal(h.model.dnState("1060"), "busy");
    const y = h.link("10.1.0.61", "10.0.0.1", { midstream: true });
    callInfo(y, 1, 1, 78, 1, "1002", "1061");
    t.equal(h.model.device("@10.1.0.61")!.lines[0]!.dn, "1061");
    const z = h.link("10.1.0.62", "10.0.0.1", { midstream: true });
    callInfo(z, 1, 1, 79, 3, "1002", "1062");
    t.equal(h.model.device("@10.1.0.62")!.lines[0]!.dn, "1062");
    t.equal(h.model.device("@10.1.0.62")!.lines[0]!.calls[0]!.direction, "forwarded");
});

t.test("CallState Park, unknown states and lines beyond the limit", async (t) => {
    const h = new Harness();
    const a = h.register(A, 0);
    callState(a, 1, 5, 1, 100);
    callState(a, 2, 11, 1, 100); // parked: the line is free
    t.equal(h.model.dnState("1001"), "idle");
    callState(a, 3, 42, 1, 100); // a state this model does not know: counts as in use
    t.equal(h.model.dnState("1001"), "busy");
    callState(a, 4, 0, 1, 100); // Idle ends the call like OnHook
    t.equal(h.model.dnState("1001"), "idle");
    callState(a, 5, 5, 200, 1); // line instance out of range: ignored
    t.equal(h.model.liveCalls().length, 0);
});

t.test("bounded: calls beyond the cap evict the oldest; a line keeps at most 16", async (t) => {
    const h = new Harness({ maxCalls: 32 });
    const a = h.register(A, 0);
    for (let i = 0; i < 20; i++) callState(a, i, 8, 1, 1000 + i);
    t.equal(h.model.device(A.name)!.lines[0]!.calls.length, 16);
    const b = h.register(B, 0);
    for (let i = 0; i < 16; i++) callState(b, 100 + i, 8, 1, 2000 + i);
    callState(b, 200, 5, 1, 3000); // the 33rd live call
    const st = h.model.stats();
    t.ok(st.callsEvicted >= 5);
    t.ok(st.calls <= 32);
    t.equal(st.calls, h.model.liveCalls().length);
});

t.test("recent calls are bounded and can be turned off", async (t) => {
    const h = new Harness({ recentCalls: 2 });
    const a = h.register(A, 0);
    for (let i = 0; i < 5; i++) {
        callState(a, i, 1, 1, 100 + i);
        callState(a, i, 2, 1, 100 + i);
    }
    t.same(
        h.model.recentCalls().map((c) => c.callRef),
        [103, 104],
    );
    const h2 = new Harness({ recentCalls: 0 });
    const a2 = h2.register(A, 0);
    callState(a2, 1, 1, 1, 100);
    callState(a2, 1, 2, 1, 100);
    t.same(h2.model.recentCalls(), []);
});

t.test("calls.ts: the leg keys of a call, and the call a message without a call reference is about", async (t) => {
    const s = createState({});
    const d = newDevice(s, "SEP000000000001", "SEP000000000001", 0);
    const l1 = line(s, d, 1, false)!;
    const l2 = line(s, d, 2, false)!;
    const a = newCall(s, l1, 1, STATE_CONNECTED, "callstate", 1);
    t.same(legKeysOf(a), [], "no calling party: no key");
    a.callingParty = "100";
    a.calledParty = "200";
    t.same(legKeysOf(a), ["100|200"]);
    a.originalCalledParty = "300";
    t.same(legKeysOf(a), ["100|200", "100|300"], "a forwarded call matches on the number first dialled too");
    const b = newCall(s, l2, 2, STATE_CONNECTED, "callstate", 2);
    t.equal(activeCall(d), b, "the most recent call");
    b.state = STATE_HOLD;
    t.equal(activeCall(d), a, "not the one on hold");
    a.state = STATE_HOLD;
    t.equal(activeCall(d), b, "all on hold: the most recent");
});

/**
 * The simulated CallManager and phones over real TCP on loopback (phones on 127.0.1.N), driven on a
 * manual clock: registration, and every call flow of issue D with the CM 4.x message sequences of
 * SCCP-REFERENCE section 4.
 */
import t, { type Test } from "tap";
import { Branch, type BranchOptions } from "../../src/sim/branch.js";
import type { SoftKeyPress } from "../../src/sim/callManager.js";
import type { SimPhone } from "../../src/sim/phone.js";
import { CallState, Tone } from "../../src/sim/types.js";
import { decodingTap, freePort, subsequence, tokens } from "./helpers/sim.js";

async function branch(t: Test, opts: BranchOptions): Promise<Branch> {
    const b = await Branch.start(opts);
    t.teardown(() => b.stop());
    return b;
}

function has(t: Test, actual: string[], expected: string[], what: string): void {
    const r = subsequence(actual, expected);
    t.ok(r.ok, r.ok ? what : `${what}: missing ${r.missing} in ${actual.join(" ")}`);
}

const mark = (p: SimPhone) => p.history.length;

t.test("registration copies CallManager 4.1's exchange with a 7912", async (t) => {
    const b = await branch(t, {
        phones: [
            {
                dn: "1001",
                model: "7912",
                timeZone: "Europe/Paris",
                dateTemplate: "D.M.Y",
                forward: { noAnswer: "1002" },
            },
            { dn: "1002" },
        ],
    });
    const p = b.phone("1001");
    t.ok(p.registered);
    t.same(p.lines, ["1001"]);
    t.equal(p.deviceName, "SEP001E4A000101");
    t.equal(p.ip, "127.0.1.1");
    t.equal(p.model, "7912");
    t.equal(p.modelName, "CP-7912G");
    t.equal(p.deviceType, 30007);
    t.equal(p.generation, "cm4");
    has(
        t,
        tokens(p),
        [
            ">Alarm",
            ">RegisterReq",
            "<RegisterAck",
            "<CapabilitiesReq",
            ">CapabilitiesRes",
            ">ButtonTemplateReq",
            "<ButtonTemplateRes",
            ">SoftKeyTemplateReq",
            "<SoftKeyTemplateRes",
            ">SoftKeySetReq",
            "<SoftKeySetRes",
            "<SelectSoftKeys:0",
            "<DisplayPromptStatus",
            ">LineStatReq",
            "<LineStatRes",
            ">ForwardStatReq",
            "<ForwardStatRes",
            ">RegisterAvailableLines",
            ">TimeDateReq",
            "<TimeDateRes",
        ],
        "registration sequence",
    );
    const cb = p.template.find((k) => k.label === "Callback");
    t.same(cb, { code: 0x41, label: "Callback", wire: "\u0080A", event: 20 }, "CallBack key learned");
    t.same(p.softKeys.labels, ["Redial", "Newcall", "Cfwdall", "Callback"], "On Hook set shows CallBack");
    t.equal(p.prompt, "Your Current Options");
    t.equal(p.dateTemplate, "D.M.Y");
    t.equal(p.time?.hour, 10, "DefineTimeDate in Paris summer time (UTC+2)");
    t.equal(p.time?.dayOfWeek, 3);
    t.equal(p.time?.systemTime, Math.floor(b.clock.now() / 1000));
    t.same(p.forward(1), { all: "", busy: "", noAnswer: "1002" });
    t.ok(p.isIdle());
    t.notOk(p.isRinging());
    const reg = p.history.find((h) => h.name === "RegisterReq");
    t.equal(reg?.fields.protocolVer, 7);
    t.equal(reg?.fields.deviceType, 30007);
    t.equal(p.history.find((h) => h.name === "RegisterAck")?.fields.maxProtocolVer, 6);
    t.same(b.cm.registeredDevices().sort(), [p.deviceName, b.phone("1002").deviceName].sort());
    t.ok(b.cm.isRegistered(p.deviceName));
    t.same(b.errors(), { cm: 0, phones: 0, details: [] });
});

t.test("connected call: outbound and inbound sequences of section 4", async (t) => {
    const b = await branch(t, { phones: [{ dn: "1001" }, { dn: "1002", model: "7940" }] });
    const a = b.phone("1001");
    const c = b.phone("1002");
    const started: string[] = [];
    const ended: string[] = [];
    b.cm.on("callStarted", (from, to) => started.push(`${from}>${to}`));
    b.cm.on("callEnded", (from, to) => ended.push(`${from}>${to}`));
    const a0 = mark(a);
    const c0 = mark(c);
    await b.call("1001", "1002");
    t.equal(a.tone, Tone.AlertingTone);
    t.equal(a.prompt, "Ring Out");
    t.same(a.softKeys.labels, ["Callback", "Endcall"]);
    t.ok(c.isRinging());
    t.notOk(c.isIdle());
    t.equal(c.prompt, "From 1001");
    t.equal(c.priNotify, "From 1001");
    t.equal(c.lamp(9, 1), 5, "line lamp blinks");
    t.equal(c.ringer, 2);
    t.same(c.softKeys.labels, ["Answer"]);
    const ring = c.calls[0];
    t.equal(ring?.state, CallState.RingIn);
    t.equal(ring?.info?.callingParty, "1001");
    t.equal(ring?.info?.calledParty, "1002");
    t.equal(ring?.info?.callType, 1);
    await b.answer("1002", { after: 3000 });
    t.equal(a.calls[0]?.state, CallState.Connected);
    t.equal(c.calls[0]?.state, CallState.Connected);
    t.equal(a.calls[0]?.info?.calledPartyName, "7940 1002");
    t.equal(a.calls[0]?.dialed, "1002");
    t.equal(a.prompt, "Connected");
    await b.hangUp("1001", { after: 10_000 });
    t.ok(a.isIdle());
    t.ok(c.isIdle());
    has(
        t,
        tokens(a, undefined, a0),
        [
            ">OffHook",
            "<CallState:1",
            "<SelectSoftKeys:4",
            "<StartTone:0x21",
            ">KeypadButton",
            "<StopTone",
            "<SelectSoftKeys:6",
            "<DialedNumber",
            "<CallState:12",
            "<CallInfo:2",
            "<StartTone:0x24",
            "<CallState:3",
            "<SelectSoftKeys:8",
            "<StopTone",
            "<CallState:5",
            "<SelectSoftKeys:1",
            ">SoftKeyEvent",
            "<CallState:2",
            "<SelectSoftKeys:0",
            "<TimeDateRes",
        ],
        "outbound",
    );
    has(
        t,
        tokens(c, undefined, c0),
        [
            "<CallState:4",
            "<SelectSoftKeys:3",
            "<CallInfo:1",
            "<SetLamp:5",
            "<SetRinger:2",
            ">OffHook",
            "<SetRinger:1",
            "<CallState:1",
            "<CallState:5",
            "<SelectSoftKeys:1",
            "<CallState:2",
            "<SelectSoftKeys:0",
        ],
        "inbound",
    );
    t.same(started, ["1001>1002"]);
    t.same(ended, ["1001>1002"]);
    t.equal(b.cm.activeCalls, 0);
    t.same(b.cm.legsOf(a.deviceName), []);
});

t.test("busy: tone 0x23, CallState Busy, CallBack in the Ring Out set", async (t) => {
    const b = await branch(t, { phones: [{ dn: "1001" }, { dn: "1002" }, { dn: "1003" }] });
    const presses: SoftKeyPress[] = [];
    b.cm.on("softKey", (p) => presses.push(p));
    await b.call("1002", "1003");
    await b.answer("1003");
    const a = b.phone("1001");
    const a0 = mark(a);
    await b.call("1001", "1003");
    has(
        t,
        tokens(a, "in", a0),
        ["CallState:12", "CallInfo:2", "StartTone:0x23", "CallState:6", "SelectSoftKeys:8"],
        "busy",
    );
    t.equal(a.prompt, "Busy");
    t.equal(a.tone, Tone.LineBusyTone);
    t.ok(a.canPress("CallBack"));
    await b.press("1001", "CallBack");
    t.equal(presses.length, 1);
    t.match(presses[0], {
        deviceName: a.deviceName,
        labelCode: 0x41,
        label: "Callback",
        event: 20,
        line: 1,
        callState: CallState.Busy,
        tone: Tone.LineBusyTone,
        calledDn: "1003",
    });
    t.equal(presses[0]?.callRef, a.calls[0]?.callRef);
    await b.hangUp("1001");
    t.ok(a.isIdle());
    t.notOk(b.phone("1003").isIdle(), "the busy callee is still in its call");
});

t.test("busy signal variants: tone only, state only", async (t) => {
    for (const busySignal of ["tone", "state"] as const) {
        const b = await Branch.start({ phones: 3, busySignal });
        await b.call("1002", "1003");
        const a = b.phone("1001");
        const a0 = mark(a);
        await b.call("1001", "1002");
        const got = tokens(a, "in", a0);
        t.equal(got.includes("StartTone:0x23"), busySignal === "tone", `${busySignal}: tone`);
        t.equal(got.includes("CallState:6"), busySignal === "state", `${busySignal}: state`);
        t.equal(a.prompt, "Busy");
        await b.stop();
    }
});

t.test("ringback without answer: reorder at the no-answer timeout", async (t) => {
    const b = await branch(t, { phones: 2, cm: { noAnswerTimeoutMs: 12_000 } });
    const presses: SoftKeyPress[] = [];
    b.cm.on("softKey", (p) => presses.push(p));
    const a = b.phone("1001");
    const c = b.phone("1002");
    await b.call("1001", "1002");
    await b.advance(11_000);
    t.ok(c.isRinging(), "still ringing before the timeout");
    await b.advance(1500);
    t.notOk(c.isRinging());
    t.ok(c.isIdle());
    t.equal(a.tone, Tone.ReorderTone);
    t.equal(a.calls[0]?.state, CallState.RingOut);
    await b.press("1001", "CallBack");
    t.match(presses[0], { labelCode: 0x41, callState: CallState.RingOut, tone: Tone.ReorderTone, calledDn: "1002" });
    await b.hangUp("1001");
    t.ok(a.isIdle());
});

t.test("CallBack during ringback, and the CallBack key missing on a phone without it", async (t) => {
    const b = await branch(t, { phones: [{ dn: "1001", callBackKey: false }, { dn: "1002" }] });
    const a = b.phone("1001");
    t.same(a.softKeys.labels, ["Redial", "Newcall", "Cfwdall"]);
    t.throws(() => a.pressSoftKey("CallBack"), { code: "SIM_SOFTKEY_NOT_SHOWN" });
    await b.call("1002", "1001");
    const c = b.phone("1002");
    t.same(c.softKeys.labels, ["Callback", "Endcall"]);
    t.throws(() => c.pressSoftKey("Conference"), { code: "SIM_NO_SUCH_SOFTKEY" });
    await b.press("1002", "CallBack");
    await b.hangUp("1002");
    await b.call("1001", "1002");
    t.same(a.softKeys.labels, ["", "Endcall"], "Ring Out set without CallBack");
    a.pressSoftKey("CallBack", { force: true });
    await b.settle();
    await b.hangUp("1001");
});

t.test("forward all, busy and no answer redirect with CallInfo redirect fields", async (t) => {
    const b = await branch(t, {
        phones: [
            { dn: "1001" },
            { dn: "1002", forward: { all: "1004" } },
            { dn: "1003", forward: { busy: "1004", noAnswer: "1004" } },
            { dn: "1004" },
            { dn: "1005" },
        ],
    });
    const a = b.phone("1001");
    const d = b.phone("1004");
    t.same(b.phone("1002").forward(1).all, "1004");
    await b.call("1001", "1002");
    t.ok(d.isRinging(), "forward all rings the target");
    t.notOk(b.phone("1002").isRinging());
    t.match(a.calls[0]?.info, {
        calledParty: "1004",
        originalCalledParty: "1002",
        lastRedirectingParty: "1002",
        lastRedirectingReason: 15,
    });
    t.match(d.calls[0]?.info, {
        callingParty: "1001",
        calledParty: "1004",
        originalCalledParty: "1002",
        originalCdpnRedirectReason: 15,
    });
    await b.hangUp("1001");
    t.ok(d.isIdle());

    // No answer: rings 1003, then 1004 after the timer.
    await b.call("1001", "1003");
    t.ok(b.phone("1003").isRinging());
    await b.advance(12_500);
    t.notOk(b.phone("1003").isRinging());
    t.ok(d.isRinging());
    t.match(d.calls[0]?.info, { originalCalledParty: "1003", lastRedirectingReason: 2 });
    await b.hangUp("1001");

    // Busy: 1003 in a call, so 1001's call goes to 1004.
    await b.call("1003", "1005");
    await b.call("1001", "1003");
    t.ok(d.isRinging());
    t.match(d.calls[0]?.info, { originalCalledParty: "1003", lastRedirectingReason: 1 });
    await b.answer("1004");
    t.equal(a.calls[0]?.state, CallState.Connected);
    await b.hangUp("1004");
    t.ok(a.isIdle());
});

t.test("forward all set from the phone (CfwdAll softkey) and from the CallManager API", async (t) => {
    const b = await branch(t, { phones: 3 });
    const a = b.phone("1001");
    await b.press("1001", "CfwdAll");
    t.equal(a.calls[0]?.state, CallState.OffHook);
    t.equal(a.tone, Tone.InsideDialTone);
    a.keypad("1003");
    await b.settle();
    t.ok(a.isIdle());
    t.same(a.forward(1), { all: "1003", busy: "", noAnswer: "" });
    t.same(b.cm.forwarding("1001").all, "1003");
    t.equal(a.prompt, "Forwarded To 1003");
    await b.call("1002", "1001");
    t.ok(b.phone("1003").isRinging());
    await b.hangUp("1002");
    await b.press("1001", "CfwdAll");
    t.same(a.forward(1).all, "", "pressed again: cleared");
    await b.forward("1001", { busy: "1002" });
    t.same(a.forward(1), { all: "", busy: "1002", noAnswer: "" });
    t.throws(() => b.cm.setForward("9999", { all: "1" }), { code: "SIM_UNKNOWN_DN" });
});

t.test("call waiting, hold and resume", async (t) => {
    const b = await branch(t, { phones: [{ dn: "1001" }, { dn: "1002", busyTrigger: 2 }, { dn: "1003" }] });
    const callee = b.phone("1002");
    await b.call("1001", "1002");
    await b.answer("1002");
    const c0 = mark(callee);
    await b.call("1003", "1002");
    t.equal(b.phone("1003").tone, Tone.AlertingTone, "second caller hears ringback");
    has(
        t,
        tokens(callee, "in", c0),
        ["CallState:4", "SelectSoftKeys:3", "CallInfo:1", "StartTone:0x2d"],
        "call waiting",
    );
    t.ok(callee.isRinging());
    await b.answer("1002");
    const states = callee.calls.map((c) => c.state).sort();
    t.same(states, [CallState.Connected, CallState.Hold], "first call held, second connected");
    t.equal(b.phone("1003").calls[0]?.state, CallState.Connected);
    await b.hangUp("1002");
    t.same(
        callee.calls.map((c) => c.state),
        [CallState.Hold],
    );
    t.same(callee.softKeys.labels.slice(0, 2), ["Resume", "Newcall"]);
    callee.resume();
    await b.settle();
    t.same(
        callee.calls.map((c) => c.state),
        [CallState.Connected],
    );
    callee.hold();
    await b.settle();
    t.equal(callee.calls[0]?.state, CallState.Hold);
    t.equal(callee.lamp(9, 1), 3, "held line winks");
    callee.resume();
    await b.settle();
    await b.hangUp("1001");
    t.ok(callee.isIdle());
    t.ok(b.phone("1001").isIdle());
});

t.test("shared line on two phones: both ring, the other shows in use remote", async (t) => {
    const b = await branch(t, {
        phones: [{ dn: "1001" }, { dn: ["1005"], model: "7960" }, { dn: ["1005"], model: "7940", ip: "127.0.1.9" }],
    });
    const p1 = b.phone("127.0.1.2");
    const p2 = b.phone("127.0.1.9");
    t.same(p2.lines, ["1005"]);
    await b.call("1001", "1005");
    t.ok(p1.isRinging());
    t.ok(p2.isRinging());
    p2.answer();
    await b.settle();
    t.equal(p2.calls[0]?.state, CallState.Connected);
    t.equal(p1.calls[0]?.state, CallState.CallRemoteMultiline);
    t.equal(p1.softKeys.set, 10, "In Use Hint set");
    t.ok(p1.isIdle(), "in use remote leaves the phone idle");
    await b.hangUp("1001");
    t.same(p1.calls, []);
    t.same(p2.calls, []);
    // Outgoing on one appearance shows in use remote on the other.
    p1.offHook();
    await b.settle();
    t.equal(p2.calls[0]?.state, CallState.CallRemoteMultiline);
    p1.onHook();
    await b.settle();
    t.same(p2.calls, []);
});

t.test("consultative transfer joins the held party with the consulted one", async (t) => {
    const b = await branch(t, { phones: 3 });
    const [a, x, c] = [b.phone("1001"), b.phone("1002"), b.phone("1003")];
    await b.call("1001", "1002");
    await b.answer("1002");
    x.transfer();
    await b.settle();
    t.equal(a.calls[0]?.state, CallState.Connected, "the held party stays connected");
    t.same(x.calls.map((k) => k.state).sort(), [CallState.OffHook, CallState.Hold]);
    x.dial("1003");
    await b.settle();
    t.ok(c.isRinging());
    await b.answer("1003");
    x.transfer();
    await b.settle();
    t.ok(x.isIdle(), "the transferring phone is out of the call");
    t.equal(a.calls[0]?.state, CallState.Connected);
    t.equal(c.calls[0]?.state, CallState.Connected);
    t.equal(a.calls[0]?.info?.calledParty, "1003");
    await b.hangUp("1003");
    t.ok(a.isIdle());
    // Transfer while the consulted phone still rings: the held party hears ringback.
    await b.call("1001", "1002");
    await b.answer("1002");
    x.transfer();
    await b.settle();
    x.dial("1003");
    await b.settle();
    x.transfer();
    await b.settle();
    t.ok(x.isIdle());
    t.equal(a.calls[0]?.state, CallState.RingOut);
    t.equal(a.tone, Tone.AlertingTone);
    await b.answer("1003");
    t.equal(a.calls[0]?.state, CallState.Connected);
    await b.hangUp("1001");
    t.ok(c.isIdle());
});

t.test("invalid numbers get reorder; digits time out; redial, new call and enbloc dialing", async (t) => {
    const b = await branch(t, {
        phones: [{ dn: "1001" }, { dn: "1002", dialMode: "enbloc" }],
        cm: { interDigitTimeoutMs: 5000 },
    });
    const a = b.phone("1001");
    await b.call("1001", "9");
    t.equal(a.tone, Tone.ReorderTone);
    t.equal(a.prompt, "Unknown Number");
    await b.hangUp("1001");
    await b.call("1001", "10");
    t.equal(a.tone, 0, "a prefix of a number waits for more digits");
    await b.advance(5500);
    t.equal(a.tone, Tone.ReorderTone, "inter-digit timeout");
    await b.hangUp("1001");
    a.keypad("1"); // not in a call: ignored
    await b.call("1001", "1002#");
    t.ok(b.phone("1002").isRinging(), "# ends dialling");
    await b.hangUp("1001");
    await b.press("1001", "Redial");
    t.ok(b.phone("1002").isRinging(), "redial from idle");
    await b.hangUp("1001");
    await b.press("1001", "NewCall");
    t.equal(a.tone, Tone.InsideDialTone);
    await b.press("1001", "EndCall");
    await b.call("1002", "1001");
    t.ok(a.isRinging(), "enbloc call");
    t.ok(b.phone("1002").history.some((h) => h.name === "EnblocCall"));
    await b.hangUp("1002");
});

t.test("phones without softkeys use feature buttons (Stimulus)", async (t) => {
    const b = await branch(t, { phones: [{ dn: "1001", model: "7902" }, { dn: "1002" }] });
    const p = b.phone("1001");
    t.same(p.template, [], "no softkey template requested");
    t.throws(() => p.pressSoftKey("CallBack"), { code: "SIM_NO_SOFTKEYS" });
    const presses: SoftKeyPress[] = [];
    b.cm.on("softKey", (x) => presses.push(x));
    await b.call("1002", "1001");
    p.pressButton(9, 1); // line button answers
    await b.settle();
    t.equal(p.calls[0]?.state, CallState.Connected);
    p.hold();
    await b.settle();
    t.equal(p.calls[0]?.state, CallState.Hold);
    p.resume();
    await b.settle();
    p.hangUp();
    await b.settle();
    p.pressButton(0x86, 1);
    await b.settle();
    t.equal(presses.at(-1)?.label, "Callback");
    t.equal(presses.at(-1)?.labelCode, 0x1086);
});

t.test("V20 phones: dynamic messages, header version 0x14, mixed with static phones", async (t) => {
    const port = await freePort();
    const tap = decodingTap(port);
    const b = await Branch.start({
        phones: [
            { dn: "2001", model: "7961" },
            { dn: "2002", model: "7960" },
            { dn: "2003", model: "7970" },
        ],
        tap: tap.output,
        cm: { port },
    });
    t.teardown(() => b.stop());
    const v = b.phone("2001");
    t.equal(v.generation, "v20");
    t.equal(b.phone("2002").generation, "cm4");
    t.ok(v.history.some((h) => h.name === "LineStatV2Res"));
    await b.call("2001", "2002");
    await b.answer("2002");
    await b.hangUp("2001");
    await b.call("2002", "2003");
    await b.answer("2003");
    await b.hangUp("2003");
    const names = new Set(v.history.filter((h) => h.dir === "in").map((h) => h.name));
    for (const n of ["CallInfoV2", "DisplayPromptStatusV2", "DialedNumber", "StopTone"]) t.ok(names.has(n), n);
    t.notOk(names.has("CallInfo"));
    t.equal(v.history.find((h) => h.name === "RegisterAck")?.fields.maxProtocolVer, 20);
    t.same(b.errors().details, []);
    tap.finish();
    t.ok(tap.counts.messages > 100);
    t.same({ ...tap.counts, messages: 0 }, { messages: 0, gaps: 0, resyncs: 0, unknown: 0 });
});

t.test("old CallManager (2.x): short bodies, no CallState, calls still switch", async (t) => {
    const b = await branch(t, { phones: 2, cm: { generation: "cm2" } });
    const [a, c] = [b.phone("1001"), b.phone("1002")];
    t.equal(a.generation, "cm2");
    t.same(a.template, []);
    await b.call("1001", "1002");
    t.ok(c.isRinging(), "ringing told by the ringer");
    t.equal(a.tone, Tone.AlertingTone);
    t.notOk(a.history.some((h) => h.name === "CallState"));
    t.equal(a.text, "Ring Out");
    c.offHook();
    await b.settle();
    t.notOk(c.isRinging());
    a.onHook();
    await b.settle();
    t.ok(a.isIdle());
    t.ok(c.isIdle());
    t.same(b.errors().details, []);
});

t.test("unknown devices are rejected unless auto-registration is on", async (t) => {
    const b = await branch(t, { phones: 1 });
    const { SimPhone } = await import("../../src/sim/phone.js");
    const stranger = new SimPhone({
        ip: "127.0.1.77",
        callManagers: [b.cm.address],
        clock: b.clock,
        network: b.network,
    });
    const rejected = t.rejects(stranger.start(), { code: "SIM_REGISTER_REJECTED" });
    await b.settle();
    await rejected;
    t.equal(b.cm.stats.rejects, 1);
    await stranger.stop();
    const auto = await Branch.start({ phones: 0, cm: { autoRegister: true } });
    const known = new SimPhone({
        ip: "127.0.1.78",
        callManagers: [auto.cm.address],
        clock: auto.clock,
        network: auto.network,
    });
    const started = known.start();
    await auto.settle();
    await started;
    t.ok(known.registered);
    t.same(known.lines, []);
    await known.stop();
    await auto.stop();
});

t.test("keepalives; a silent power-off is noticed by keepalive timeout and its call is cleared", async (t) => {
    const b = await branch(t, { phones: 2, quantumMs: 0 });
    const [a, c] = [b.phone("1001"), b.phone("1002")];
    await b.advance(95_000);
    t.ok(a.stats.keepAlives >= 3, "keepalives every 30 s");
    t.equal(b.cm.stats.keepAliveTimeouts, 0);
    await b.call("1001", "1002");
    await b.answer("1002");
    const gone: string[] = [];
    b.cm.on("unregistered", (name, why) => gone.push(`${name}: ${why}`));
    c.powerOff({ silent: true });
    t.notOk(c.registered);
    await b.advance(80_000);
    t.notOk(b.cm.isRegistered(c.deviceName), "dropped after 2.5 keepalive intervals");
    t.equal(b.cm.stats.keepAliveTimeouts, 1);
    t.match(gone, [/keepalive timeout/]);
    t.ok(a.isIdle(), "the other party's call is cleared");
    await c.powerOn();
    await b.settle();
    t.ok(c.registered);
    t.ok(b.cm.isRegistered(c.deviceName));
    // A reset power-off is noticed at once.
    c.powerOff();
    await b.settle();
    t.notOk(b.cm.isRegistered(c.deviceName));
});

t.test("failover to the standby CallManager, and reconnection", async (t) => {
    const b = await branch(t, { phones: 2, standby: true });
    const a = b.phone("1001");
    t.ok(b.standby);
    await b.advance(1);
    t.notOk(b.standby?.isRegistered(a.deviceName), "standby link carries keepalives only");
    await b.advance(61_000);
    t.ok((b.standby?.stats.messagesIn ?? 0) >= 2, "standby keepalives answered");
    await b.cm.stop();
    await b.settle();
    t.ok(a.registered, "registered again, on the standby");
    t.ok(b.standby?.isRegistered(a.deviceName));
    t.equal(a.stats.failovers, 1);
    await b.call("1001", "1002");
    t.ok(b.phone("1002").isRinging(), "calls switch on the standby");
    await b.hangUp("1001");
});

t.test("unregister, reset and reconnect after losing the CallManager", async (t) => {
    const b = await branch(t, { phones: 2 });
    const a = b.phone("1001");
    a.unregister();
    await b.settle();
    t.notOk(b.cm.isRegistered(a.deviceName));
    t.notOk(a.registered);
    t.throws(() => a.offHook(), { code: "SIM_NOT_REGISTERED" });
    const c = b.phone("1002");
    b.cm.resetDevice(c.deviceName);
    await b.settle();
    t.notOk(c.registered, "reset drops the link");
    await b.advance(10_500);
    t.ok(c.registered, "and the phone registers again");
    t.equal(c.stats.registrations, 2);
});

t.test("the XSI service a phone owns starts after registration and stops with it", async (t) => {
    const log: string[] = [];
    let seen: { idle: boolean; ringing: boolean; model: string; ip: string } | null = null;
    const b = await Branch.start({
        phones: [
            {
                dn: "1001",
                xsi: (phone) => ({
                    start: async () => {
                        log.push(`start ${phone.registered}`);
                        seen = { idle: phone.isIdle(), ringing: phone.isRinging(), model: phone.model, ip: phone.ip };
                        phone.on("ringing", () => log.push("ringing"));
                        phone.on("idle", () => log.push("idle"));
                    },
                    stop: async () => {
                        log.push("stop");
                    },
                }),
            },
            { dn: "1002", xsi: { start: async () => void log.push("start object"), stop: async () => undefined } },
        ],
    });
    t.same(seen, { idle: true, ringing: false, model: "7960", ip: "127.0.1.1" });
    await b.call("1002", "1001");
    b.phone("1001").dial("1002"); // XSI Dial: while ringing answers nothing; goes off hook on the line
    await b.settle();
    await b.stop();
    t.same(log.slice(0, 2).sort(), ["start object", "start true"].sort());
    t.ok(log.includes("ringing"));
    t.equal(log.at(-1), "stop");
});

t.test("the mirror capture of a busy branch decodes without gaps, resyncs or unknown messages", async (t) => {
    const port = await freePort();
    const tap = decodingTap(port, true);
    const b = await Branch.start({
        phones: 6,
        tap: tap.output,
        cm: { port },
        tapOptions: { mss: 100, pureAcks: true },
    });
    t.teardown(() => b.stop());
    await b.call("1001", "1002");
    await b.answer("1002");
    await b.call("1003", "1002");
    await b.press("1003", "CallBack");
    await b.hangUp("1003");
    await b.hangUp("1001");
    await b.advance(31_000);
    await b.stop();
    tap.finish();
    t.ok(b.tap !== null && b.tap.stats.frames > 100);
    t.equal(b.tap?.stats.connections, 6);
    t.same({ ...tap.counts, messages: 0 }, { messages: 0, gaps: 0, resyncs: 0, unknown: 0 });
    const sent = b.cm.stats.messagesOut + b.phones.reduce((n, p) => n + p.stats.messagesSent, 0);
    t.equal(tap.counts.messages, sent, "every message sent is in the capture and decodes");
    t.ok(tap.records.some((r) => r.name === "SoftKeyEvent" && r.fields.softKeyEvent === 20));
});

t.test("XSI Key: names press softkeys, keypad, line and hook keys", async (t) => {
    const b = await branch(t, { phones: [{ dn: "1001", locale: "English_United_States" }, { dn: "1002" }] });
    const [a, c] = [b.phone("1001"), b.phone("1002")];
    t.equal(a.locale, "English_United_States");
    t.equal(c.locale, undefined);
    a.pressKey("Soft2"); // Newcall
    await b.settle();
    t.equal(a.tone, Tone.InsideDialTone);
    for (const k of ["KeyPad1", "KeyPad0", "KeyPad0", "KeyPad2"]) a.pressKey(k);
    await b.settle();
    t.ok(c.isRinging());
    c.pressKey("Line1");
    await b.settle();
    t.equal(c.calls[0]?.state, CallState.Connected);
    c.pressKey("Hold");
    await b.settle();
    t.equal(c.calls[0]?.state, CallState.Hold);
    c.pressKey("Soft1"); // Resume
    await b.settle();
    t.equal(c.calls[0]?.state, CallState.Connected);
    a.pressKey("KeyPadStar");
    a.pressKey("KeyPadPound");
    a.pressKey("Soft9"); // no such slot
    a.pressKey("Whatever");
    a.pressKey("Speaker");
    await b.settle();
    t.ok(a.isIdle());
    t.ok(c.isIdle());
    a.pressKey("Headset");
    await b.settle();
    t.equal(a.tone, Tone.InsideDialTone);
    a.pressKey("KeyPad5");
    await b.settle();
    a.pressKey("Headset");
    await b.settle();
    t.ok(a.isIdle());
});

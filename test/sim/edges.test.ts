/** Less common paths of the simulated CallManager and phones: media, speed dials, odd key orders, failures. */
import t, { type Test } from "tap";
import { Branch, type BranchOptions } from "../../src/sim/branch.js";
import { SimCallManager } from "../../src/sim/callManager.js";
import { ManualClock } from "../../src/sim/clock.js";
import { Msg } from "../../src/sim/ids.js";
import { SimPhone } from "../../src/sim/phone.js";
import { CallState, Tone } from "../../src/sim/types.js";
import { tokens } from "./helpers/sim.js";

async function branch(t: Test, opts: BranchOptions): Promise<Branch> {
    const b = await Branch.start(opts);
    t.teardown(() => b.stop());
    return b;
}

t.test("media channels as CallManager 4.1 opens them (static and V20)", async (t) => {
    const b = await branch(t, {
        phones: [{ dn: "1001" }, { dn: "1002" }, { dn: "1003", model: "7961" }],
        cm: { media: true },
    });
    await b.call("1001", "1002");
    await b.answer("1002");
    const a = b.phone("1001");
    const ins = tokens(a, "in");
    t.ok(ins.includes("OpenReceiveChannel") && ins.includes("StartMediaTransmission"));
    t.ok(tokens(a, "out").includes("OpenReceiveChannelAck"), "the phone acknowledges with its address");
    const smt = a.history.find((h) => h.name === "StartMediaTransmission");
    t.equal(smt?.fields["remoteIpAddr.ipv4"], b.phone("1002").ip, "media towards the other phone");
    a.hold();
    await b.settle();
    a.resume();
    await b.settle();
    await b.hangUp("1002");
    t.ok(tokens(a, "in").includes("CloseReceiveChannel"));
    await b.call("1003", "1001");
    await b.answer("1001");
    await b.hangUp("1003");
    t.ok(tokens(b.phone("1003"), "out").includes("OpenReceiveChannelAck"));
    t.same(b.errors().details, []);
});

t.test("speed dials, ConfigStatReq, VersionReq and any message either way", async (t) => {
    const b = await branch(t, {
        phones: [
            {
                dn: "1001",
                speedDials: [
                    { dn: "1002", name: "Bob" },
                    { dn: "1003", name: "Carol" },
                ],
            },
            { dn: "1002" },
        ],
    });
    const a = b.phone("1001");
    t.same(
        a.history.filter((h) => h.name === "SpeedDialStatRes").map((h) => h.fields.speedDialDisplayName),
        ["Carol", "Bob"],
        "asked last button first, as the 7912 does",
    );
    a.send(Msg.ConfigStatReq, {});
    a.send(0x000f, {}); // VersionReq
    a.send(Msg.SpeedDialStatReq, { speedDialNumber: 9 });
    await b.settle();
    t.match(a.history.find((h) => h.name === "ConfigStatRes")?.fields, {
        deviceName: a.deviceName,
        serverName: "CM_SIM",
        numberOfLines: 1,
        numberOfSpeedDials: 2,
    });
    t.ok(a.history.some((h) => h.name === "VersionRes"));
    b.cm.send(a.deviceName, 0x0114, { timeOutValue: 0, notify: "Hello" }); // DisplayNotify
    b.cm.send(a.deviceName, 0x0120, { timeOutValue: 0, priority: 1, notify: "Urgent" });
    await b.settle();
    t.equal(a.notify, "Hello");
    t.equal(a.priNotify, "Urgent");
    b.cm.send(a.deviceName, Msg.ClearNotify, {});
    b.cm.send(a.deviceName, Msg.ClearPriNotify, { priority: 1 });
    b.cm.send(a.deviceName, Msg.DisplayText, { text: "Text" });
    await b.settle();
    t.equal(a.notify, "");
    t.equal(a.priNotify, "");
    t.equal(a.text, "Text");
    b.cm.send(a.deviceName, Msg.ClearDisplay, {});
    await b.settle();
    t.equal(a.text, "");
    t.throws(() => b.cm.send("SEP000000000000", Msg.ClearNotify, {}), { code: "SIM_NOT_REGISTERED" });
    const errors: string[] = [];
    b.cm.on("protocolError", (_d, text) => errors.push(text));
    a.sendFrame(Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0, 0x77, 0x77, 0, 0));
    await b.settle();
    t.match(errors, [/unknown message id 0x7777/]);
    t.equal(b.cm.errors.length, 1);
    b.cm.send(a.deviceName, 0x7777, { body: "" });
    await b.settle();
    t.equal(a.protocolErrors, 1);
    t.match(a.errors, [/unknown message id/]);
    t.equal(a.speaker, false);
});

t.test("provisioning errors, a second registration of the same device, CallManager API guards", async (t) => {
    const clock = new ManualClock();
    const cm = new SimCallManager({ clock, devices: [{ deviceName: "SEP001E4A000101", lines: ["1001"] }] });
    t.throws(() => cm.addDevice({ deviceName: "SEP001E4A000101", lines: [] }), { code: "SIM_DUPLICATE_DEVICE" });
    t.throws(() => cm.address, { code: "SIM_NOT_STARTED" });
    t.throws(() => cm.startSync(), { code: "SIM_SYNC_NEEDS_MEMORY" });
    t.same(cm.legsOf("nobody"), []);
    cm.resetDevice("nobody");
    await cm.start();
    await cm.start();
    const first = new SimPhone({ ip: "127.0.1.1", callManagers: [cm.address], clock, network: cm.network });
    await first.start();
    // Same device name from another address: the newer registration wins.
    const second = new SimPhone({
        ip: "127.0.1.2",
        mac: "001E4A000101",
        callManagers: [cm.address],
        clock,
        network: cm.network,
        reconnectMs: 0,
    });
    const gone = new Promise<string>((r) => first.once("unregistered", r));
    await second.start();
    t.match(await gone, /link closed/);
    t.ok(cm.isRegistered("SEP001E4A000101"));
    t.equal(cm.registeredDevices().length, 1);
    await first.stop();
    await second.stop();
    await cm.stop();
    await cm.stop();
});

t.test("feature buttons: hold/resume, transfer, forward all, redial", async (t) => {
    const b = await branch(t, { phones: [{ dn: "1001", model: "7910" }, { dn: "1002" }, { dn: "1003" }] });
    const p = b.phone("1001");
    p.pressButton(1); // redial with nothing dialled yet
    await b.settle();
    t.ok(p.isIdle());
    p.pressButton(5, 1); // forward all: dial tone, then the target
    await b.settle();
    p.keypad("1003#");
    await b.settle();
    t.same(p.forward(1).all, "1003");
    t.equal(p.notify, "Forwarded To 1003");
    p.pressButton(5, 1);
    await b.settle();
    t.same(p.forward(1).all, "");
    t.equal(p.notify, "");
    await b.call("1001", "1002");
    await b.answer("1002");
    p.pressButton(3); // hold
    await b.settle();
    t.equal(p.calls[0]?.state, CallState.Hold);
    p.pressButton(3); // resume: no active call, the held one comes back
    await b.settle();
    t.equal(p.calls[0]?.state, CallState.Connected);
    p.pressButton(4); // transfer: consultation leg
    await b.settle();
    p.dial("1003");
    await b.settle();
    await b.answer("1003");
    p.pressButton(4);
    await b.settle();
    t.ok(p.isIdle());
    t.equal(b.phone("1002").calls[0]?.state, CallState.Connected);
    await b.hangUp("1002");
    p.pressButton(1); // redial 1002 (last dialled was 1003 via the consultation)
    await b.settle();
    t.ok(b.phone("1003").isRinging());
    await b.hangUp("1001");
});

t.test("odd orders: answering while dialling, CfwdAll while off hook, resume while dialling", async (t) => {
    const b = await branch(t, { phones: [{ dn: "1001" }, { dn: "1002", busyTrigger: 2 }, { dn: "1003" }] });
    const [a, c, d] = [b.phone("1001"), b.phone("1002"), b.phone("1003")];
    c.offHook();
    await b.settle();
    await b.call("1001", "1002");
    t.ok(c.isRinging(), "call waiting while dialling");
    c.answer();
    await b.settle();
    t.ok(c.isRinging(), "cannot answer while off hook dialling");
    c.onHook();
    await b.settle();
    t.equal(c.ringer, 2, "back on hook: the waiting call rings again");
    await b.answer("1002");
    t.equal(c.calls[0]?.state, CallState.Connected);
    // Caller gives up while the callee hears call waiting on a second call.
    await b.call("1003", "1002");
    t.equal(c.tone, Tone.CallWaitingTone);
    await b.hangUp("1003");
    t.equal(c.calls.length, 1);
    // Hold, start a new call from the held state, then resume while dialling.
    c.hold();
    await b.settle();
    c.pressSoftKey("NewCall");
    await b.settle();
    t.equal(c.tone, Tone.InsideDialTone);
    c.resume();
    await b.settle();
    t.same(
        c.calls.map((x) => x.state),
        [CallState.Connected],
        "dialling leg dropped, held call back",
    );
    // CfwdAll pressed while off hook turns the dial-tone leg into the forward setup.
    await b.hangUp("1001");
    d.offHook();
    await b.settle();
    d.pressSoftKey("CfwdAll", { force: true });
    await b.settle();
    d.send(Msg.EnblocCall, { calledParty: "1001", lineInstance: 1 });
    await b.settle();
    t.same(d.forward(1).all, "1001");
    t.ok(a.isIdle());
});

t.test("numbers whose phones are down: reorder, or forward no answer", async (t) => {
    const b = await branch(t, {
        phones: [{ dn: "1001" }, { dn: "1002" }, { dn: "1003", forward: { noAnswer: "1001" } }, { dn: "1004" }],
    });
    const a = b.phone("1001");
    b.phone("1002").powerOff();
    b.phone("1003").powerOff();
    await b.settle();
    await b.call("1004", "1002");
    t.equal(b.phone("1004").tone, Tone.ReorderTone);
    t.equal(b.phone("1004").prompt, "Temp Fail");
    await b.hangUp("1004");
    await b.call("1004", "1003");
    t.ok(a.isRinging(), "unregistered: forward no answer");
    await b.hangUp("1004");
    // The only ringing phone loses power: the caller hears reorder.
    await b.call("1004", "1001");
    a.powerOff();
    await b.settle();
    t.equal(b.phone("1004").tone, Tone.ReorderTone);
    await b.hangUp("1004");
});

t.test("shared line: a ringing call replaces the in-use-remote hint", async (t) => {
    const b = await branch(t, {
        phones: [{ dn: "1001" }, { dn: ["1005"], busyTrigger: 2 }, { dn: ["1005"], model: "7940", ip: "127.0.1.9" }],
    });
    const p1 = b.phone("127.0.1.2");
    const p2 = b.phone("127.0.1.9");
    p1.offHook();
    await b.settle();
    t.equal(p2.calls[0]?.state, CallState.CallRemoteMultiline);
    await b.call("1001", "1005");
    t.ok(p2.isRinging(), "the other appearance rings");
    t.equal(p2.calls.length, 1, "hint replaced by the ringing call");
    await b.answer("127.0.1.9");
    p1.onHook();
    await b.hangUp("1001");
    t.ok(p1.isIdle());
    t.ok(p2.isIdle());
});

t.test("a hung CallManager: three unanswered keepalives, then failover to the standby", async (t) => {
    const b = await branch(t, { phones: 2, standby: true });
    const p = b.phone("1001");
    b.cm.hang();
    await b.advance(60_000);
    t.ok(b.cm.isRegistered(p.deviceName), "the hung CallManager still thinks so");
    t.ok(p.registered, "two keepalives missed: not yet");
    await b.advance(70_000);
    t.equal(p.stats.failovers, 1);
    t.ok(p.registered);
    t.ok(b.standby?.isRegistered(p.deviceName), "registered on the standby");
    await b.call("1001", "1002");
    t.ok(b.phone("1002").isRinging());
    await b.hangUp("1001");
});

t.test("dialling (XSI Dial:) while a call rings in places a new call instead of answering", async (t) => {
    const b = await branch(t, { phones: [{ dn: "1001" }, { dn: "1002" }, { dn: "1003", busyTrigger: 2 }] });
    await b.call("1001", "1003");
    const p = b.phone("1003");
    t.ok(p.isRinging());
    p.dial("1002");
    await b.settle();
    t.ok(b.phone("1002").isRinging(), "the new call rings out");
    t.ok(
        p.calls.some((c) => c.state === CallState.RingIn),
        "the incoming call still rings",
    );
    await b.hangUp("1003");
    await b.hangUp("1001");
    t.ok(p.isIdle());
});

t.test("messages in states where they mean nothing are ignored, never fatal", async (t) => {
    const b = await branch(t, {
        phones: [{ dn: ["1001", "1011"] }, { dn: "1002" }, { dn: "1003", model: "7961" }],
        cm: { autoRegister: true },
    });
    const [a, c, v] = [b.phone("1001"), b.phone("1002"), b.phone("1003")];
    t.same(a.lines, ["1001", "1011"]);
    const ev = (label: string) => a.template.find((k) => k.label === label)?.event ?? -1;
    const idleBattery = (p: SimPhone) => {
        p.send(Msg.OnHook, {});
        p.send(Msg.KeypadButton, { kpButton: 5, lineInstance: 1, callReference: 0 });
        p.send(Msg.SoftKeyEvent, { softKeyEvent: 99, lineInstance: 0, callReference: 0 });
        for (const label of ["Hold", "Transfer", "Resume", "Answer", "Endcall", "Redial"]) {
            p.send(Msg.SoftKeyEvent, { softKeyEvent: ev(label), lineInstance: 1, callReference: 12345 });
        }
        p.send(Msg.Stimulus, { stimulus: 3, lineInstance: 1, callReference: 0, stimulusStatus: 0 });
        p.send(Msg.Stimulus, { stimulus: 4, lineInstance: 1, callReference: 0, stimulusStatus: 0 });
        p.send(Msg.Stimulus, { stimulus: 0x42, lineInstance: 1, callReference: 0, stimulusStatus: 0 });
        p.send(Msg.LineStatReq, { lineNumber: 7 });
        p.send(Msg.ForwardStatReq, { lineNumber: 7 });
        p.send(Msg.HeadsetStatus, { headsetStatus: 1 });
    };
    idleBattery(a);
    await b.settle();
    t.ok(a.isIdle(), "still idle");
    t.ok(a.history.some((h) => h.name === "LineStatRes" && h.fields.lineNumber === 7 && h.fields.lineDirNumber === ""));
    // Line 2 and the line button.
    a.pressButton(9, 2); // a static phone picks the line with its line button
    await b.settle();
    t.equal(a.calls[0]?.line, 2);
    a.send(Msg.KeypadButton, { kpButton: 0x0a, lineInstance: 2, callReference: a.calls[0]?.callRef ?? 0 }); // "A": not a digit
    a.send(Msg.OffHook, {}); // already off hook
    a.send(Msg.Stimulus, { stimulus: 9, lineInstance: 1, callReference: 0, stimulusStatus: 0 });
    a.send(Msg.SoftKeyEvent, { softKeyEvent: ev("Newcall"), lineInstance: 1, callReference: 0 }); // already dialling
    a.send(Msg.SoftKeyEvent, { softKeyEvent: ev("Redial"), lineInstance: 0, callReference: 0 }); // nothing to redial
    await b.settle();
    t.equal(a.calls.length, 1);
    a.keypad("*1#");
    await b.settle();
    t.equal(a.tone, Tone.ReorderTone, "* and # are digits the dial plan does not know");
    a.send(Msg.EnblocCall, { calledParty: "1002", lineInstance: 2 }); // after reorder: ignored
    await b.settle();
    t.notOk(c.isRinging());
    a.onHook();
    await b.settle();
    // EnblocCall from idle starts the call itself; to an unknown number it is reorder.
    a.send(Msg.EnblocCall, { calledParty: "4444", lineInstance: 1 });
    await b.settle();
    t.equal(a.tone, Tone.ReorderTone);
    a.onHook();
    a.send(Msg.EnblocCall, { calledParty: "1002", lineInstance: 0 });
    await b.settle();
    t.ok(c.isRinging());
    // A ringing phone: OnHook, EndCall and keypad on the ringing call do nothing.
    const ring = c.calls[0]?.callRef ?? 0;
    c.send(Msg.OnHook, { lineInstance: 1, callReference: ring });
    c.send(Msg.KeypadButton, { kpButton: 1, lineInstance: 1, callReference: ring });
    c.send(Msg.SoftKeyEvent, { softKeyEvent: ev("Hold"), lineInstance: 1, callReference: ring });
    await b.settle();
    t.ok(c.isRinging());
    c.send(Msg.Stimulus, { stimulus: 9, lineInstance: 1, callReference: 0, stimulusStatus: 0 });
    await b.settle();
    t.equal(c.calls[0]?.state, CallState.Connected, "line button answers");
    a.send(Msg.SoftKeyEvent, { softKeyEvent: ev("Transfer"), lineInstance: 1, callReference: 0 });
    await b.settle();
    a.send(Msg.SoftKeyEvent, { softKeyEvent: ev("Transfer"), lineInstance: 1, callReference: 0 }); // consult leg not placed yet
    a.send(Msg.SoftKeyEvent, { softKeyEvent: ev("Resume"), lineInstance: 1, callReference: 999 });
    await b.settle();
    a.onHook();
    await b.settle();
    a.resume();
    await b.settle();
    await b.hangUp("1001");
    t.ok(a.isIdle());
    t.ok(c.isIdle());
    // A V20 phone's OffHook names the ringing call.
    await b.call("1002", "1003");
    v.offHook();
    await b.settle();
    t.equal(v.calls[0]?.state, CallState.Connected);
    await b.hangUp("1003");
    // Messages before registration, and a device with no line.
    const { SimPhone: Phone } = await import("../../src/sim/phone.js");
    const bare = new Phone({ ip: "127.0.1.90", callManagers: [b.cm.address], clock: b.clock, network: b.network });
    const started = bare.start();
    await b.settle();
    await started;
    bare.send(Msg.OffHook, {});
    bare.send(Msg.SoftKeyEvent, { softKeyEvent: ev("Newcall"), lineInstance: 0, callReference: 0 });
    bare.send(Msg.SoftKeyEvent, { softKeyEvent: ev("Cfwdall"), lineInstance: 0, callReference: 0 });
    bare.send(Msg.EnblocCall, { calledParty: "1002", lineInstance: 0 });
    bare.send(Msg.Stimulus, { stimulus: 9, lineInstance: 1, callReference: 0, stimulusStatus: 0 });
    await b.settle();
    t.same(bare.calls, [], "no line, no call");
    await bare.stop();
    t.same(b.errors().details, []);
});

t.test("a phone whose first CallManager is down registers with the next one", async (t) => {
    const clock = new ManualClock();
    const cm = new SimCallManager({
        clock,
        host: "127.0.0.2",
        devices: [{ deviceName: "SEP001E4A000191", lines: ["1001"] }],
    });
    await cm.start();
    t.teardown(() => cm.stop());
    const { freePort } = await import("./helpers/sim.js");
    const down = { host: "127.0.0.1", port: await freePort() };
    const p = new SimPhone({
        ip: "127.0.1.145",
        mac: "001E4A000191",
        callManagers: [down, cm.address],
        clock,
        network: cm.network,
        history: 0,
    });
    await p.start();
    t.ok(p.registered);
    t.same(p.history, [], "history off");
    t.ok(cm.isRegistered(p.deviceName));
    await p.stop();
});

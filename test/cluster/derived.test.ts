/** Old CallManagers (2.x) never send CallState: states come from hook, tones, lamps, ringer and media. */
import t from "tap";
import { Harness, type Link } from "./helpers.js";

/** A CM 2.x registration: 12-byte RegisterAck, 28-byte LineStatRes. */
function registerOld(h: Harness, name: string, ip: string, dn: string): Link {
    const l = h.link(ip, "10.0.0.11");
    l.up(0, "RegisterReq", { deviceName: name, stationIpAddr: ip, deviceType: 20, maxStreams: 0 });
    l.down(0, "RegisterAck", { keepAliveInterval: 30, dateTemplate: "M/D/Y" });
    l.down(0, "LineStatRes", { lineNumber: 1, lineDirNumber: dn });
    return l;
}

const lamp = (l: Link, t: number, mode: number) =>
    l.down(t, "SetLamp", { stimulus: 9, stimulusInstance: 1, lampMode: mode });

t.test("outbound without CallState: off hook, dial tone, digits, ringback, answer (media), on hook", async (t) => {
    const h = new Harness();
    const a = registerOld(h, "pyskinny01", "10.5.0.1", "1091");
    t.match(h.model.device("pyskinny01"), {
        callStateMode: "derived",
        cmProtocolVersion: null,
        model: "Virtual30SPplus",
    });
    h.clear();
    a.up(1, "OffHook");
    a.down(1, "StartTone", { tone: 0x21 });
    lamp(a, 1, 2);
    for (const d of "1099") a.up(2, "KeypadButton", { kpButton: Number(d) });
    a.up(2, "KeypadButton", { kpButton: 0x0f }); // '#'
    a.down(2, "StopTone");
    a.down(3, "CallInfo", {
        callingPartyName: "Line 1091",
        callingParty: "1091",
        calledPartyName: "John",
        calledParty: "1099",
    });
    a.down(3, "StartTone", { tone: 0x24 });
    let call = h.model.device("pyskinny01")!.lines[0]!.calls[0]!;
    t.match(call, {
        state: 3,
        stateName: "RingOut",
        source: "derived",
        dialed: "1099#",
        calledParty: "1099",
        tone: 0x24,
    });
    a.up(4, "Stimulus", { stimulus: 0x86, lineInstance: 1 });
    t.match(h.of("CallBackPressed")[0], {
        source: "stimulus",
        calledDn: "1099",
        trigger: "ringback",
        callRef: 0,
        line: 1,
    });
    a.down(5, "StopTone");
    a.down(5, "StartMediaTransmission", {
        "remoteIpAddr.ipv4": "10.5.0.9",
        remotePortNumber: 5001,
        milliSecondPacketSize: 30,
        compressionType: 4,
    });
    call = h.model.device("pyskinny01")!.lines[0]!.calls[0]!;
    t.match(call, { state: 5, connectedAt: 5 });
    a.up(9, "OnHook");
    lamp(a, 9, 1);
    t.same(h.lineChanges(), ["1091:idle>busy", "1091:busy>idle"]);
    t.equal(h.model.liveCalls().length, 0);
});

t.test("busy and reorder without CallState", async (t) => {
    const h = new Harness();
    const a = registerOld(h, "pyskinny01", "10.5.0.1", "1091");
    a.up(1, "OffHook");
    a.down(1, "StartTone", { tone: 0x21 });
    a.down(2, "StartTone", { tone: 0x23 });
    t.match(h.model.device("pyskinny01")!.lines[0]!.calls[0], { state: 6, busySeen: true });
    a.up(3, "OnHook");
    a.up(4, "OffHook");
    a.down(5, "StartTone", { tone: 0x25 });
    t.match(h.model.device("pyskinny01")!.lines[0]!.calls[0], { state: 7, stateName: "Congestion" });
    a.up(6, "OnHook");
    t.equal(h.model.dnState("1091"), "idle");
});

t.test("inbound without CallState: ringer and blinking lamp, answered by going off hook", async (t) => {
    const h = new Harness();
    const b = registerOld(h, "pyskinny02", "10.5.0.2", "1099");
    h.clear();
    b.down(1, "SetRinger", { ringMode: 2 });
    lamp(b, 1, 5);
    b.down(1, "CallInfo", {
        callingPartyName: "Line 1091",
        callingParty: "1091",
        calledPartyName: "John",
        calledParty: "1099",
    });
    t.equal(h.model.dnState("1099"), "ringing");
    t.match(h.model.device("pyskinny02")!.lines[0]!.calls[0], { state: 4, direction: "inbound", callingParty: "1091" });
    b.down(2, "SetRinger", { ringMode: 1 });
    b.up(2, "OffHook");
    lamp(b, 2, 2);
    t.equal(h.model.dnState("1099"), "busy");
    // Hold (flash) and resume (lamp on).
    b.up(3, "Stimulus", { stimulus: 3, lineInstance: 1 });
    lamp(b, 3, 4);
    t.match(h.model.device("pyskinny02")!.lines[0]!.calls[0], { state: 8 });
    b.down(3, "StartTone", { tone: 0x21 }); // dial tone while the call is held: no new state
    t.match(h.model.device("pyskinny02")!.lines[0]!.calls[0], { state: 8, tone: 0x21 });
    lamp(b, 5, 2);
    t.match(h.model.device("pyskinny02")!.lines[0]!.calls[0], { state: 5 });
    // The caller hangs up: the CallManager turns the lamp off.
    lamp(b, 9, 1);
    t.same(h.lineChanges(), ["1099:idle>ringing", "1099:ringing>busy", "1099:busy>idle"]);
});

t.test("lamp states alone, on hook keeps a held call, and lamps for other buttons", async (t) => {
    const h = new Harness();
    const b = registerOld(h, "pyskinny02", "10.5.0.2", "1099");
    lamp(b, 1, 5); // ringing without a ringer message
    t.equal(h.model.dnState("1099"), "ringing");
    lamp(b, 1, 5); // again: no change
    lamp(b, 2, 2);
    t.equal(h.model.dnState("1099"), "busy");
    lamp(b, 3, 3); // wink: held
    t.match(h.model.device("pyskinny02")!.lines[0]!.calls[0], { state: 8 });
    b.up(4, "OnHook"); // hanging up with only a held call leaves it
    t.equal(h.model.liveCalls().length, 1);
    lamp(b, 5, 1);
    lamp(b, 6, 4); // flash with no call: a held call appears
    t.equal(h.model.dnState("1099"), "busy");
    lamp(b, 7, 1);
    lamp(b, 8, 2); // lamp on without a call: in use
    t.equal(h.model.dnState("1099"), "busy");
    lamp(b, 8, 2);
    lamp(b, 9, 1);
    b.down(9, "SetLamp", { stimulus: 15, stimulusInstance: 1, lampMode: 2 }); // voicemail lamp: ignored
    t.equal(h.model.dnState("1099"), "idle");
    b.down(10, "SetRinger", { ringMode: 2 });
    b.down(10, "SetRinger", { ringMode: 3 }); // already ringing
    t.equal(h.model.liveCalls().length, 1);
    b.up(11, "OnHook"); // the ringing call was never answered
    t.equal(h.model.dnState("1099"), "idle");
});

t.test("a CallManager that does send CallState replaces derived calls", async (t) => {
    const h = new Harness();
    const l = h.link("10.5.0.3", "10.0.0.1", { midstream: true });
    l.down(1, "StartTone", { tone: 0x21 }); // old form, unknown mode: treated as derived
    t.match(h.model.deviceByIp("10.5.0.3"), { callStateMode: "derived" });
    t.equal(h.model.liveCalls().length, 1);
    l.down(2, "CallState", { callState: 1, lineInstance: 1, callReference: 44 });
    t.match(h.model.deviceByIp("10.5.0.3"), { callStateMode: "callstate" });
    t.same(
        h.model.liveCalls().map((c) => [c.callRef, c.source]),
        [[44, "callstate"]],
    );
    // In CallState mode hook, lamp, ringer and tones do not change call states.
    l.up(3, "OnHook", { lineInstance: 1, callReference: 44 });
    l.down(3, "SetLamp", { stimulus: 9, stimulusInstance: 1, lampMode: 1 });
    l.down(3, "SetRinger", { ringMode: 2, ringDuration: 1, lineInstance: 1, callReference: 45 });
    l.down(3, "StartTone", { tone: 0x24, "tone.output.direction": 0, lineInstance: 1, callReference: 44 });
    l.up(3, "OffHook", { lineInstance: 1, callReference: 44 });
    t.same(
        h.model.liveCalls().map((c) => [c.callRef, c.state, c.tone]),
        [[44, 1, 0x24]],
    );
});

t.test("a modern CallManager's RegisterAck selects CallState mode; media then means nothing", async (t) => {
    const h = new Harness();
    const a = h.register({ name: "SEP0000000E0001", ip: "10.5.0.4", dns: ["3001"] }, 0);
    a.up(1, "OffHook", { lineInstance: 1, callReference: 0 });
    t.equal(h.model.liveCalls().length, 0);
    a.down(1, "StartMediaTransmission", {
        "remoteIpAddr.ipv4": "10.5.0.9",
        remotePortNumber: 1,
        milliSecondPacketSize: 20,
        compressionType: 4,
    });
    t.equal(h.model.liveCalls().length, 0);
});

t.test("an old CallInfo before its call waits for it; digits and EnblocCall go to the active call", async (t) => {
    const h = new Harness();
    const a = registerOld(h, "pyskinny03", "10.5.0.5", "1093");
    a.down(1, "CallInfo", { callingPartyName: "", callingParty: "1000", calledPartyName: "", calledParty: "1093" });
    t.equal(h.model.liveCalls().length, 0);
    t.equal(h.model.dnState("1093"), "idle");
    a.down(1, "SetRinger", { ringMode: 2 });
    t.match(h.model.liveCalls()[0], { state: 4, callingParty: "1000", calledParty: "1093" });
    t.equal(h.model.dnState("1093"), "ringing");
    a.up(1, "OffHook");
    // Too late for a CallInfo: a new call does not take it.
    a.up(1, "OnHook");
    a.down(1, "CallInfo", { callingPartyName: "", callingParty: "1000", calledPartyName: "", calledParty: "1093" });
    a.up(5, "OffHook");
    t.match(h.model.liveCalls()[0], { state: 1, callingParty: null });
    a.up(5, "OnHook");
    // A CallManager 2.x answering with a CallInfo for a call that has no state yet.
    const x = h.link("10.5.0.6", "10.0.0.11", { midstream: true });
    x.up(5, "Stimulus", { stimulus: 9, lineInstance: 1 });
    x.down(5, "CallInfo", { callingPartyName: "", callingParty: "1", calledPartyName: "", calledParty: "2" });
    x.down(5, "SetLamp", { stimulus: 9, stimulusInstance: 1, lampMode: 5 });
    t.match(h.model.deviceByIp("10.5.0.6")!.lines[0]!.calls[0], { state: 4, callingParty: "1" });
    a.up(6, "OffHook");
    a.down(6, "CallInfo", { callingPartyName: "", callingParty: "1093", calledPartyName: "", calledParty: "1000" });
    a.up(6, "EnblocCall", { calledParty: "1000" });
    a.up(2, "KeypadButton", { kpButton: 0x0e });
    a.up(2, "KeypadButton", { kpButton: 0x0a });
    a.up(2, "KeypadButton", { kpButton: 0x10 });
    a.up(2, "KeypadButton", { kpButton: 0x11 }); // not a key
    t.equal(h.model.liveCalls()[0]!.dialed, "1000*A+");
    t.equal(h.model.liveCalls()[0]!.calledParty, "1000");
    a.down(7, "StartMediaReception", { body: "00" });
    t.match(h.model.liveCalls()[0], { state: 5 });
    // Without any call, digits go nowhere.
    a.up(4, "OnHook");
    a.up(4, "KeypadButton", { kpButton: 1 });
    a.up(4, "EnblocCall", { calledParty: "1", lineInstance: 1 });
    a.down(4, "StopTone");
    t.equal(h.model.device("pyskinny03")!.lines[0]!.calls.length, 0);
});

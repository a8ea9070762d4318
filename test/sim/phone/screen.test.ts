/** What the phone shows: messages from the CallManager applied to the state, and softkey lookup. */
import t from "tap";
import type { SccpFields } from "../../../src/sccp/index.js";
import { Msg } from "../../../src/sim/ids.js";
import { activeCall, canPress, findKey, isVisible, showMessage } from "../../../src/sim/phone/screen.js";
import type { PhoneState } from "../../../src/sim/phone/state.js";
import { CallState, SoftKeySet, Tone } from "../../../src/sim/types.js";
import { selectSet, testPhone } from "../helpers/phone.js";

const show = (s: PhoneState, id: number, fields: SccpFields) => showMessage(s, { hv: 0, id, name: "", fields });

t.test("call states make, update and end calls, with events", async (t) => {
    const { s, events } = testPhone();
    const seen: string[] = [];
    events.on("callState", (line, ref, state) => seen.push(`state ${line}/${ref}=${state}`));
    events.on("ringing", (line, ref) => seen.push(`ringing ${line}/${ref}`));
    show(s, Msg.CallState, { callState: CallState.RingIn, lineInstance: 1, callReference: 7 });
    show(s, Msg.CallInfo, { callReference: 7, callingParty: "1001" });
    show(s, Msg.StartTone, { tone: Tone.CallWaitingTone, lineInstance: 1, callReference: 7 });
    t.match(s.calls.get(7), { state: CallState.RingIn, info: { callingParty: "1001" }, tone: Tone.CallWaitingTone });
    t.equal(activeCall(s), null, "a call ringing in is not the active one");
    show(s, Msg.CallState, { callState: CallState.Connected, lineInstance: 1, callReference: 7 });
    t.equal(activeCall(s)?.callRef, 7);
    show(s, Msg.DialedNumber, { dialedNumber: "1002", callReference: 7 });
    t.equal(s.calls.get(7)?.dialed, "1002");
    show(s, Msg.StopTone, { lineInstance: 1, callReference: 7 });
    t.equal(s.tone, 0);
    show(s, Msg.CallState, { callState: CallState.OnHook, lineInstance: 1, callReference: 7 });
    t.equal(s.calls.size, 0);
    t.same(seen, ["state 1/7=4", "ringing 1/7", "state 1/7=5", "state 1/7=2"]);
});

t.test("dial tone with digits waiting asks for dialing after the burst", async (t) => {
    const { s } = testPhone();
    s.pendingDigits = "12";
    show(s, Msg.CallState, { callState: CallState.OffHook, lineInstance: 1, callReference: 3 });
    t.ok(s.dialAfterBurst);
    const old = testPhone("7960");
    old.s.gen = "cm2";
    old.s.pendingDigits = "1";
    show(old.s, Msg.StartTone, { tone: Tone.InsideDialTone, lineInstance: 0, callReference: 0 });
    t.ok(old.s.dialAfterBurst, "an old CallManager's dial tone is the cue");
});

t.test("display, lamp, ringer and speaker messages are kept as shown", async (t) => {
    const { s, events } = testPhone();
    const shown: string[] = [];
    events.on("display", (kind, text) => shown.push(`${kind}:${text}`));
    show(s, Msg.DisplayPromptStatus, { promptStatus: "Enter number" });
    show(s, Msg.DisplayNotify, { notify: "Forwarded" });
    show(s, Msg.DisplayPriNotify, { notify: "From 1001" });
    show(s, Msg.DisplayText, { text: "old" });
    t.same([s.prompt, s.notify, s.priNotify, s.text], ["Enter number", "Forwarded", "From 1001", "old"]);
    show(s, Msg.ClearPromptStatus, {});
    show(s, Msg.ClearNotify, {});
    show(s, Msg.ClearPriNotify, {});
    show(s, Msg.ClearDisplay, {});
    t.same([s.prompt, s.notify, s.priNotify, s.text], ["", "", "", ""]);
    t.same(shown, ["prompt:Enter number", "notify:Forwarded", "priNotify:From 1001", "text:old", "prompt:"]);
    show(s, Msg.SetLamp, { stimulus: 9, stimulusInstance: 1, lampMode: 5 });
    show(s, Msg.SetRinger, { ringMode: 2 });
    show(s, Msg.SetSpeakerMode, { speakerMode: 1 });
    t.equal(s.lamps.get("9:1"), 5);
    t.equal(s.ringer, 2);
    t.ok(s.speaker);
    t.ok(s.hookOff, "the speaker on is the hook off");
});

t.test("a softkey set renders the template's labels; lookup by label finds shown keys", async (t) => {
    const { s, events } = testPhone();
    let labels: readonly string[] = [];
    events.on("softKeys", (_set, l) => {
        labels = l;
    });
    show(s, Msg.SelectSoftKeys, {
        softKeySetIndex: SoftKeySet.OnHook,
        validKeyMask: 0xffff,
        lineInstance: 0,
        callReference: 0,
    });
    t.same(labels, ["Redial", "Newcall", "Cfwdall", "Callback"]);
    t.same(s.softKeys.labels, labels);
    t.ok(canPress(s, "new call"), "labels match without case, spaces or dashes");
    t.notOk(canPress(s, "EndCall"));
    const i = findKey(s, "EndCall");
    t.ok(i >= 0, "in the template");
    t.notOk(isVisible(s, i + 1));
    selectSet(s, SoftKeySet.Connected);
    t.ok(canPress(s, "EndCall"));
    s.softKeys = { ...s.softKeys, mask: 0 };
    t.notOk(canPress(s, "EndCall"), "a masked slot is not shown");
    t.equal(findKey(s, "NoSuchKey"), -1);
});

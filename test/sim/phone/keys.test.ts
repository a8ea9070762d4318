/** What a user does: hook, dialing, softkeys by label, XSI key names, buttons, hold, resume, transfer. */
import t from "tap";
import { Stimulus } from "../../../src/sim/ids.js";
import {
    answer,
    dial,
    hangUp,
    hold,
    keypad,
    offHook,
    onHook,
    pressButton,
    pressKey,
    pressSoftKey,
    resume,
    transfer,
} from "../../../src/sim/phone/keys.js";
import type { PhoneState } from "../../../src/sim/phone/state.js";
import { CallState, SoftKeySet } from "../../../src/sim/types.js";
import { selectSet, testPhone } from "../helpers/phone.js";

const out = (sent: string[]) => sent.filter((x) => !x.startsWith("session."));
const addCall = (s: PhoneState, callRef: number, state: number, line = 1) =>
    s.calls.set(callRef, { line, callRef, state, tone: 0, info: null, dialed: "" });

t.test("off hook answers a ringing call, else takes the line; on hook ends the active call", async (t) => {
    const { s, sent } = testPhone();
    offHook(s, 2);
    addCall(s, 9, CallState.RingIn, 1);
    offHook(s);
    addCall(s, 5, CallState.Connected);
    onHook(s);
    t.same(out(sent), ["offHook(2,0)", "offHook(1,9)", "onHook(1,5)"]);
    t.notOk(s.hookOff);
});

t.test("dialing: off hook first, digits once the CallManager gives dial tone; enbloc in one message", async (t) => {
    const { s, sent } = testPhone();
    dial(s, "10*#");
    t.same(out(sent), ["offHook(1,0)"]);
    t.equal(s.pendingDigits, "10*#");
    addCall(s, 3, CallState.OffHook);
    keypad(s, "");
    t.same(out(sent).slice(1), ["keypad(1,1,3)", "keypad(0,1,3)", "keypad(14,1,3)", "keypad(15,1,3)"]);
    const e = testPhone("7960", { dialMode: "enbloc" });
    dial(e.s, "1002");
    t.same(out(e.sent), ["offHook(1,0)", "enbloc(1002,1)"]);
});

t.test("digits paced by the inter-digit pause go out one per pause", async (t) => {
    const { s, sent, clock } = testPhone("7960", { interDigitMs: 100 });
    addCall(s, 3, CallState.OffHook);
    keypad(s, "123");
    t.equal(out(sent).length, 1);
    clock.advance(100);
    t.equal(out(sent).length, 2);
    clock.advance(100);
    t.same(out(sent), ["keypad(1,1,3)", "keypad(2,1,3)", "keypad(3,1,3)"]);
});

t.test("dialing while a call rings in uses NewCall, so the handset does not answer", async (t) => {
    const { s, sent } = testPhone();
    addCall(s, 9, CallState.RingIn);
    dial(s, "1002");
    t.same(out(sent), ["softKeyEvent(2,1,0)"]);
});

t.test("softkeys by label: the template's event, the shown set's line and call; errors when absent", async (t) => {
    const { s, sent } = testPhone();
    selectSet(s, SoftKeySet.Connected, 1, 5);
    pressSoftKey(s, "EndCall");
    t.throws(() => pressSoftKey(s, "Redial"), { code: "SIM_SOFTKEY_NOT_SHOWN" });
    pressSoftKey(s, "Redial", { force: true, line: 2, callRef: 0 });
    t.throws(() => pressSoftKey(s, "Nope"), { code: "SIM_NO_SUCH_SOFTKEY" });
    const old = testPhone("7910");
    t.throws(() => pressSoftKey(old.s, "EndCall"), { code: "SIM_NO_SOFTKEYS" });
    t.same(out(sent), ["softKeyEvent(9,1,5)", "softKeyEvent(1,2,0)"]);
    hangUp(s);
    t.equal(out(sent).at(-1), "softKeyEvent(9,1,5)", "hang up uses EndCall when shown");
    selectSet(s, SoftKeySet.OnHook);
    hangUp(s);
    t.match(out(sent).at(-1), /^onHook/, "else on hook");
});

t.test("XSI key names: softkey slots, keypad, lines, speaker and hold", async (t) => {
    const { s, sent } = testPhone();
    selectSet(s, SoftKeySet.OnHook);
    s.softKeys = { ...s.softKeys, labels: ["Redial", "NewCall"] };
    pressKey(s, "Soft2");
    pressKey(s, "Soft7");
    pressKey(s, "Line2");
    pressKey(s, "Speaker");
    t.same(out(sent), ["softKeyEvent(2,0,0)", `stimulus(${Stimulus.Line},2,0)`, "offHook(1,0)"]);
    addCall(s, 4, CallState.OffHook);
    pressKey(s, "KeyPadPound");
    pressKey(s, "Headset");
    pressKey(s, "Bogus");
    t.same(out(sent).slice(3), ["keypad(15,1,4)", "onHook(1,4)"]);
});

t.test("answer, hold, resume and transfer pick softkeys or feature buttons by phone", async (t) => {
    const { s, sent } = testPhone();
    addCall(s, 4, CallState.Connected);
    addCall(s, 9, CallState.RingIn, 2);
    answer(s);
    selectSet(s, SoftKeySet.Connected, 1, 4);
    hold(s);
    transfer(s);
    s.calls.set(4, { line: 1, callRef: 4, state: CallState.Hold, tone: 0, info: null, dialed: "" });
    resume(s);
    t.same(out(sent), ["softKeyEvent(11,2,9)", "softKeyEvent(3,1,4)", "softKeyEvent(4,1,4)", "softKeyEvent(10,1,4)"]);
    const old = testPhone("7910");
    addCall(old.s, 4, CallState.Connected);
    hold(old.s);
    transfer(old.s);
    old.s.calls.set(4, { line: 1, callRef: 4, state: CallState.Hold, tone: 0, info: null, dialed: "" });
    resume(old.s);
    pressButton(old.s, Stimulus.CallBack);
    t.same(out(old.sent), [
        `stimulus(${Stimulus.Hold},1,4)`,
        `stimulus(${Stimulus.Transfer},1,4)`,
        `stimulus(${Stimulus.Hold},1,0)`,
        `stimulus(${Stimulus.CallBack},1,0)`,
    ]);
});

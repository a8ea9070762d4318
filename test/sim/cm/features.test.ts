/** What a phone does: hook, digits and digit analysis, softkeys and buttons, forward all, transfer. */
import t from "tap";
import { enbloc, keypad, offHook, onHook, pressStimulus, softKey } from "../../../src/sim/cm/features.js";
import type { Device, Leg } from "../../../src/sim/cm/state.js";
import type { SoftKeyPress } from "../../../src/sim/cm/types.js";
import { Stimulus } from "../../../src/sim/ids.js";
import { CallState, Tone } from "../../../src/sim/types.js";
import { calls, type TestCm, testCm } from "../helpers/cm.js";

function device(cm: TestCm, name: string): Device {
    const d = cm.s.devices.get(name);
    if (d === undefined) throw new Error(`no ${name}`);
    return d;
}

const legs = (d: Device): Leg[] => d.apps.flatMap((a) => a.legs);
const eventOf = (d: Device, code: number): number => d.template.find((k) => k.code === code)?.event ?? -1;

function office(options = {}): { cm: TestCm; a: Device; b: Device } {
    const cm = testCm(options);
    cm.station({ deviceName: "SEPA", lines: ["1001"] });
    cm.station({ deviceName: "SEPB", lines: ["1002"] });
    return { cm, a: device(cm, "SEPA"), b: device(cm, "SEPB") };
}

t.test("off hook gives dial tone; the last digit of a known number routes it", async (t) => {
    const { cm, a, b } = office();
    offHook(cm.s, a, 1, 0);
    const [leg] = legs(a);
    t.equal(leg?.tone, Tone.InsideDialTone);
    t.same(calls(cm, "SEPA").slice(0, 3), ["setRinger", "speaker", "setLamp"]);
    for (const k of [1, 0, 0]) keypad(cm.s, a, k, leg?.ref ?? 0);
    t.equal(leg?.digits, "100", "a prefix waits for more digits");
    keypad(cm.s, a, 2, leg?.ref ?? 0);
    t.equal(leg?.state, CallState.RingOut);
    t.equal(legs(b)[0]?.state, CallState.RingIn);
    offHook(cm.s, b, 1, 0);
    t.equal(legs(b)[0]?.state, CallState.Connected, "off hook answers the ringing call");
    onHook(cm.s, b, 0);
    t.same(legs(a), []);
});

t.test("an unknown number is refused at once; a silent pause gives reorder too", async (t) => {
    const { cm, a } = office({ interDigitTimeoutMs: 500 });
    offHook(cm.s, a, 1, 0);
    const leg = legs(a)[0];
    keypad(cm.s, a, 9, 0);
    t.equal(leg?.tone, Tone.ReorderTone);
    t.ok(leg?.collected);
    onHook(cm.s, a, 0);
    offHook(cm.s, a, 1, 0);
    const again = legs(a)[0];
    keypad(cm.s, a, 1, 0);
    cm.clock.advance(500);
    t.equal(again?.tone, Tone.ReorderTone);
});

t.test("enbloc dials the whole number; redial repeats it", async (t) => {
    const { cm, a, b } = office();
    enbloc(cm.s, a, "1002", 1);
    t.equal(legs(b)[0]?.state, CallState.RingIn);
    onHook(cm.s, a, legs(a)[0]?.ref ?? 0);
    t.same(legs(b), []);
    softKey(cm.s, a, eventOf(a, 0x01), 1, 0);
    t.equal(legs(b)[0]?.state, CallState.RingIn, "Redial");
});

t.test("every softkey and button press is reported with the call it was pressed on", async (t) => {
    const { cm, a } = office();
    const presses: SoftKeyPress[] = [];
    cm.events.on("softKey", (p) => presses.push(p));
    enbloc(cm.s, a, "1002", 1);
    const ref = legs(a)[0]?.ref ?? 0;
    softKey(cm.s, a, eventOf(a, 0x41), 1, ref);
    pressStimulus(cm.s, a, Stimulus.CallBack, 1, ref);
    t.match(presses, [
        {
            deviceName: "SEPA",
            labelCode: 0x41,
            label: "Callback",
            callRef: ref,
            callState: CallState.RingOut,
            tone: Tone.AlertingTone,
            calledDn: "1002",
        },
        { labelCode: 0x1000 + Stimulus.CallBack, label: "Callback" },
    ]);
});

t.test("forward all from the phone: the key, the target's digits, the key again to clear", async (t) => {
    const { cm, a } = office();
    pressStimulus(cm.s, a, Stimulus.ForwardAll, 1, 0);
    const leg = legs(a)[0];
    t.equal(leg?.role, "cfwd");
    for (const k of [1, 0, 0, 2]) keypad(cm.s, a, k, leg?.ref ?? 0);
    t.equal(cm.s.dns.get("1001")?.forward.all, "1002");
    t.same(legs(a), []);
    softKey(cm.s, a, eventOf(a, 0x05), 1, 0);
    t.equal(cm.s.dns.get("1001")?.forward.all, "");
});

t.test("transfer: the first press consults, the second joins the held party with the consulted one", async (t) => {
    const cm = testCm();
    for (const [n, dn] of [
        ["SEPA", "1001"],
        ["SEPB", "1002"],
        ["SEPC", "1003"],
    ] as const) {
        cm.station({ deviceName: n, lines: [dn] });
    }
    const [a, b, c] = [device(cm, "SEPA"), device(cm, "SEPB"), device(cm, "SEPC")];
    enbloc(cm.s, a, "1002", 1);
    offHook(cm.s, b, 1, 0);
    const bRef = legs(b)[0]?.ref ?? 0;
    pressStimulus(cm.s, b, Stimulus.Transfer, 1, bRef);
    t.equal(legs(b).length, 2, "held call and consultation");
    enbloc(cm.s, b, "1003", 1);
    offHook(cm.s, c, 1, 0);
    pressStimulus(cm.s, b, Stimulus.Transfer, 1, 0);
    t.same(legs(b), [], "the transferring phone is out");
    t.equal(legs(a)[0]?.call, legs(c)[0]?.call, "caller and consulted party share the call");
    t.equal(legs(c)[0]?.state, CallState.Connected);
});

import { enumValue, LAMP_MODES, RING_MODES, STIMULI } from "../sccp/tables/enums.js";
import { DISPLAY_LABELS_200 } from "../sccp/tables/labels.js";
import { SCCP_ID } from "../sccp/tables/messages.js";

/** SCCP message ids by Wireshark name: the codec's table (sccp/tables/messages.ts), under the simulator's name. */
export const Msg = SCCP_ID;

/** Values of an enum table under the simulator's names (`{ Off: "RingOff" }` → `{ Off: 1 }`). */
function valuesOf<K extends string>(
    table: Readonly<Record<number, string>>,
    names: Readonly<Record<K, string>>,
): Readonly<Record<K, number>> {
    return Object.fromEntries(Object.entries<string>(names).map(([k, name]) => [k, enumValue(table, name)])) as Record<
        K,
        number
    >;
}

/** Stimulus / button definition codes (SCCP-REFERENCE 3.8). */
export const Stimulus = valuesOf(STIMULI, {
    LastNumberRedial: "LastNumberRedial",
    SpeedDial: "SpeedDial",
    Hold: "Hold",
    Transfer: "Transfer",
    ForwardAll: "ForwardAll",
    ForwardBusy: "ForwardBusy",
    ForwardNoAnswer: "ForwardNoAnswer",
    Line: "Line",
    VoiceMail: "VoiceMail",
    CallBack: "CallBack",
    NewCall: "NewCall",
    EndCall: "EndCall",
});

/** Lamp modes (SCCP-REFERENCE 3.9). */
export const Lamp = valuesOf(LAMP_MODES, { Off: "Off", On: "On", Wink: "Wink", Flash: "Flash", Blink: "Blink" });

/** Ring modes (SCCP-REFERENCE 3.9). */
export const Ring = valuesOf(RING_MODES, {
    Off: "RingOff",
    Inside: "InsideRing",
    Outside: "OutsideRing",
    Feature: "FeatureRing",
});

/** Display label codes of table 200 (`0x80 n`) the CallManager puts in prompts. */
export const Label = valuesOf(DISPLAY_LABELS_200, {
    YourCurrentOptions: "Your Current Options",
    OffHook: "Off Hook",
    RingOut: "Ring Out",
    From: "From",
    Connected: "Connected",
    Busy: "Busy",
    CallWaiting: "Call Waiting",
    InUseRemote: "In Use Remote",
    EnterNumber: "Enter Number",
    ForwardedTo: "Forwarded To",
    KeyIsNotActive: "Key Is Not Active",
    UnknownNumber: "Unknown Number",
    TempFail: "Temp Fail",
    Hold: "Hold",
    CallBack: "Callback",
});

/** Wire text of a label (`0x80 n`) followed by literal text. */
export function label(code: number, text = ""): string {
    return `\u0080${String.fromCharCode(code)}${text}`;
}

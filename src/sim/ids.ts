import { SCCP_ID } from "../sccp/tables/messages.js";

/** SCCP message ids by Wireshark name: the codec's table (sccp/tables/messages.ts), under the simulator's name. */
export const Msg = SCCP_ID;

/** Stimulus / button definition codes (SCCP-REFERENCE 3.8). */
export const Stimulus = {
    LastNumberRedial: 1,
    SpeedDial: 2,
    Hold: 3,
    Transfer: 4,
    ForwardAll: 5,
    ForwardBusy: 6,
    ForwardNoAnswer: 7,
    Line: 9,
    VoiceMail: 0x0f,
    CallBack: 0x86,
    NewCall: 0x89,
    EndCall: 0x8a,
} as const;

/** Lamp modes (SCCP-REFERENCE 3.9). */
export const Lamp = { Off: 1, On: 2, Wink: 3, Flash: 4, Blink: 5 } as const;

/** Ring modes (SCCP-REFERENCE 3.9). */
export const Ring = { Off: 1, Inside: 2, Outside: 3, Feature: 4 } as const;

/** Display label codes of table 200 (`0x80 n`) the CallManager puts in prompts. */
export const Label = {
    YourCurrentOptions: 0x13,
    OffHook: 0x14,
    RingOut: 0x16,
    From: 0x17,
    Connected: 0x18,
    Busy: 0x19,
    CallWaiting: 0x1b,
    InUseRemote: 0x1f,
    EnterNumber: 0x20,
    ForwardedTo: 0x25,
    KeyIsNotActive: 0x2d,
    UnknownNumber: 0x38,
    TempFail: 0x23,
    Hold: 0x03,
    CallBack: 0x41,
} as const;

/** Wire text of a label (`0x80 n`) followed by literal text. */
export function label(code: number, text = ""): string {
    return `\u0080${String.fromCharCode(code)}${text}`;
}

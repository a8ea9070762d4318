/**
 * The CallManager 4.1 softkey template and sets (from the 7912 capture), plus the CallBack key
 * (label 0x80 0x41) in the On Hook, Ring Out and Connected Transfer sets when a device has it.
 */
import { renderLabels } from "../sccp/index.js";
import { Label, label } from "./ids.js";
import { SoftKeySet } from "./types.js";

/** One template entry. */
export interface SoftKeyDef {
    /** Label code in table 200. */
    readonly code: number;
    /** Wire text (0x80 code). */
    readonly wire: string;
    /** Rendered label, e.g. "Callback". */
    readonly label: string;
    /** Event number the phone reports. */
    readonly event: number;
}

/** [label code, event] of CUCM 4.1's template, in order (template index = position + 1). */
const CM41_TEMPLATE: readonly (readonly [number, number])[] = [
    [0x01, 1], // Redial
    [0x02, 2], // NewCall
    [0x03, 3], // Hold
    [0x04, 4], // Transfer
    [0x05, 5], // CfwdAll
    [0x08, 8], // Backspace
    [0x09, 9], // EndCall
    [0x0a, 10], // Resume
    [0x0b, 11], // Answer
    [0x0d, 13], // Confrn
    [0x0e, 14], // Park
    [0x0f, 15], // Join
    [0x10, 16], // MeetMe
    [0x11, 17], // PickUp
    [0x12, 18], // GPickUp
    [0x43, 21], // Barge
    [0x4d, 28], // DirTrfr
    [0x4e, 29], // Select
    [0x4f, 30], // ConfList
    [0x58, 33], // VidMode
];

/** Template index (1-based) of the CallBack key: appended after CUCM 4.1's twenty keys. */
export const CALLBACK_TEMPLATE_INDEX = CM41_TEMPLATE.length + 1;

/** The template: CUCM 4.1's keys plus CallBack with the given event number. */
export function buildSoftKeyTemplate(callBackEvent: number): SoftKeyDef[] {
    const keys: [number, number][] = [...CM41_TEMPLATE.map(([c, e]): [number, number] => [c, e])];
    keys.push([Label.CallBack, callBackEvent]);
    return keys.map(([code, event]) => {
        const wire = label(code);
        return { code, wire, label: renderLabels(wire), event };
    });
}

/** CUCM 4.1's eleven sets as [template indexes, info indexes]. */
const CM41_SETS: readonly (readonly [readonly number[], readonly number[]])[] = [
    [
        [1, 2, 5],
        [301, 302, 305],
    ], // On Hook
    [
        [3, 7, 4, 11, 10, 19, 18, 12, 17, 20],
        [303, 309, 304, 314, 313, 330, 329, 315, 328, 333],
    ], // Connected
    [
        [8, 2, 17, 18, 12],
        [310, 302, 328, 329, 315],
    ], // On Hold
    [[9], [311]], // Ring In
    [
        [1, 7, 5, 14, 15, 13],
        [301, 309, 305, 317, 318, 316],
    ], // Off Hook
    [
        [0, 7, 4],
        [0, 309, 304],
    ], // Connected Transferable
    [
        [6, 7],
        [308, 309],
    ], // Digits Following
    [
        [0, 7, 10],
        [0, 309, 313],
    ], // Connected Conference
    [
        [0, 7],
        [0, 309],
    ], // Ring Out
    [
        [1, 7],
        [301, 309],
    ], // Off Hook with Features
    [
        [16, 2],
        [321, 302],
    ], // In Use Hint
];

/** softKeyInfoIndex of CallBack (Wireshark's table). */
const CALLBACK_INFO = 320;

/** The sets a device gets; with `callBack` the key is in On Hook, Ring Out and Connected Transferable. */
export function buildSoftKeySets(callBack: boolean): { template: number[]; info: number[] }[] {
    return CM41_SETS.map(([t, i], index) => {
        const template = [...t];
        const info = [...i];
        if (callBack) {
            if (index === SoftKeySet.OnHook) {
                template.push(CALLBACK_TEMPLATE_INDEX);
                info.push(CALLBACK_INFO);
            } else if (index === SoftKeySet.RingOut || index === SoftKeySet.ConnectedTransferable) {
                // CUCM 4.1 leaves the first slot of these sets empty: CallBack takes it.
                template[0] = CALLBACK_TEMPLATE_INDEX;
                info[0] = CALLBACK_INFO;
            }
        }
        return { template, info };
    });
}

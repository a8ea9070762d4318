/**
 * Compares callbackd's decoding of a message with Wireshark's (see tshark.ts): every Wireshark leaf whose
 * name callbackd also emits must have the same value, in the same order.
 */

import { hasSccpLayout, type SccpFields, type SccpMessage, type SccpValue } from "../../../src/sccp/codec.js";
import { WIRESHARK_TO_CONTRACT } from "../../../src/sccp/tables/fieldNames.js";
import { type TsharkMessage, tsharkNumber } from "./tshark.js";

/** Wireshark leaves that are not message fields, or that callbackd renders as one number. */
const IGNORED = new Set(["data_length", "hdr_version", "messageId", "response_to", "response_time"]);
/** Wireshark bit-field leaves folded into one number in callbackd: leaf prefix -> [field, bit by leaf]. */
const BITS: Record<string, [string, Record<string, number>]> = {
    "SoftKeyMask.": [
        "validKeyMask",
        Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`SoftKeyMask.SoftKey${i + 1}`, 1 << i])),
    ],
    "PhoneFeatures.": [
        "phoneFeatures",
        {
            "PhoneFeatures.UTF8": 0x10,
            "PhoneFeatures.DynamicMessages": 0x80,
            "PhoneFeatures.RFC2833": 0x200,
            "PhoneFeatures.Abbreviated.Dial": 0x8000,
        },
    ],
    "RestrictInformationType.": [
        "partyPIRestrictionBits",
        {
            "RestrictInformationType.CallingPartyName": 1,
            "RestrictInformationType.CallingPartyNumber": 2,
            "RestrictInformationType.CalledPartyName": 4,
            "RestrictInformationType.CalledPartyNumber": 8,
            "RestrictInformationType.OriginalCalledPartyName": 16,
            "RestrictInformationType.OriginalCalledPartyNumber": 32,
            "RestrictInformationType.LastRedirectPartyName": 64,
            "RestrictInformationType.LastRedirectPartyNumber": 128,
        },
    ],
    "": ["lineType", { OrigDialed: 1, RedirDialed: 2, CallingPartyNumber: 4, CallingPartyName: 8 }],
};
/** Leaves Wireshark shows that callbackd does not emit under that name (reason in the comment). */
const NOT_EMITTED = new Set([
    "xmldata", // callbackd emits the same text once, as xmlData
    "macAddress", // callbackd keeps all 12 bytes as hex; Wireshark shows the first 6 as a MAC
]);

/**
 * Flattens callbackd fields in order, as Wireshark lists leaves (arrays element by element). Label fields
 * take their wire form (the `Codes` companion) since Wireshark shows the raw bytes.
 */
export function flattenFields(fields: SccpFields): Map<string, SccpValue[]> {
    const out = new Map<string, SccpValue[]>();
    const add = (k: string, v: SccpValue) => {
        const list = out.get(k);
        if (list === undefined) out.set(k, [v]);
        else list.push(v);
    };
    const walk = (f: SccpFields) => {
        for (const [k, v] of Object.entries(f)) {
            if (k.endsWith("Codes") && k.slice(0, -5) in f) continue;
            const codes = f[`${k}Codes`];
            if (codes !== undefined) {
                add(k, codes);
                continue;
            }
            if (Array.isArray(v)) {
                for (const x of v) {
                    if (typeof x === "object") walk(x as SccpFields);
                    else add(k, x);
                }
            } else add(k, v);
        }
    };
    walk(fields);
    return out;
}

/** Wireshark's rendering of a Latin-1 string: bytes >= 0x80 are not ASCII and show as U+FFFD. */
export function asWireshark(s: string): string {
    let out = "";
    for (let i = 0; i < s.length; i++) out += s.charCodeAt(i) >= 0x80 ? "\ufffd" : s[i];
    return out;
}

function sameValue(mine: SccpValue, ws: string): boolean {
    if (typeof mine === "number") return tsharkNumber(ws) === mine;
    if (typeof mine === "string") return mine === ws || asWireshark(mine) === ws;
    return false;
}

/**
 * Differences between callbackd's and Wireshark's view of one message (empty when they agree).
 * `prefixOnly`: callbackd decoded a known prefix only, so Wireshark leaves it lacks are not differences.
 */
export function compareMessage(mine: SccpMessage, ws: TsharkMessage, prefixOnly = false): string[] {
    const diffs: string[] = [];
    if (mine.hv !== ws.hv) diffs.push(`hv ${mine.hv} != ${ws.hv}`);
    if (mine.id !== ws.id) {
        diffs.push(`id ${mine.id} != ${ws.id}`);
        return diffs;
    }
    // Ids without a layout carry only their raw body.
    if (!hasSccpLayout(mine.id)) return diffs;
    const flat = flattenFields(mine.fields);
    const seen = new Map<string, number>();
    const bitFields = new Map<string, number>();
    for (const [name, value] of ws.leaves) {
        if (IGNORED.has(name) || NOT_EMITTED.has(name)) continue;
        const bit = Object.entries(BITS).find(([prefix, [, bits]]) => name.startsWith(prefix) && name in bits);
        if (bit !== undefined) {
            const [field, bits] = bit[1];
            const mask = bits[name] as number;
            const mineVal = flat.get(field)?.[0];
            if (typeof mineVal !== "number") {
                diffs.push(`${name}: callbackd has no ${field}`);
                continue;
            }
            if (((mineVal & mask) !== 0) !== (value === "1")) diffs.push(`${name}=${value} but ${field}=${mineVal}`);
            bitFields.set(field, 1);
            continue;
        }
        if (name.startsWith("PhoneFeatures.") || name.startsWith("RestrictInformationType.")) continue;
        const list = flat.get(WIRESHARK_TO_CONTRACT[name] ?? name);
        const i = seen.get(name) ?? 0;
        seen.set(name, i + 1);
        if (list === undefined || i >= list.length) {
            if (prefixOnly) continue;
            diffs.push(`${name}=${JSON.stringify(value)} missing in callbackd`);
            continue;
        }
        const m = list[i] as SccpValue;
        if (!sameValue(m, value))
            diffs.push(`${name}: callbackd ${JSON.stringify(m)} != wireshark ${JSON.stringify(value)}`);
    }
    return diffs;
}

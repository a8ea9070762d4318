/**
 * Sample messages built from the layout tables: for every message id, every layout variant and header
 * versions inside the variant's range, fields with deterministic pseudo-random values that the clean
 * encoder must reproduce exactly.
 */

import type { SccpFields, SccpMessage } from "../../../src/sccp/codec.js";
import { sccpMessageName } from "../../../src/sccp/codec.js";
import { type CField, type CVariant, compileMessage, Op } from "../../../src/sccp/layout.js";
import { SCCP_LAYOUTS } from "../../../src/sccp/tables/layouts.js";
import { renderLabels } from "../../../src/sccp/text.js";

/** Small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const KNOWN_HV = [0x00, 0x0a, 0x0b, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16];
const TEXT = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz #*+-./:=@_";

/** Options for sample values. */
export interface SampleOptions {
    /** Use bytes 0xA0-0xFF in plain strings too (Latin-1 round trip; not for Wireshark comparisons). */
    latin1?: boolean;
    /** Use IPv6 in ip46 fields. */
    ipv6?: boolean;
    /** Allow empty strings. */
    empty?: boolean;
}

function text(rnd: () => number, max: number, opts: SampleOptions): string {
    const min = opts.empty === true ? 0 : 1;
    const n = min + Math.floor(rnd() * (Math.max(0, max - min) + 1));
    let s = "";
    for (let i = 0; i < n; i++) {
        if (opts.latin1 === true && rnd() < 0.2) s += String.fromCharCode(0xa0 + Math.floor(rnd() * 0x60));
        else s += TEXT.charAt(Math.floor(rnd() * TEXT.length));
    }
    return s;
}

function labelWire(rnd: () => number, max: number, opts: SampleOptions): string {
    const codes = ["\x80\x17", "\x80\x19", "\x80\x41", "\x80\x20", "\x1e\x38"];
    const label = codes[Math.floor(rnd() * codes.length)] as string;
    const rest = max - label.length;
    return rnd() < 0.5 || rest < 1 ? label : label + text(rnd, Math.min(rest, 8), { ...opts, empty: false });
}

function hex(rnd: () => number, n: number): string {
    let s = "";
    for (let i = 0; i < n; i++)
        s += Math.floor(rnd() * 256)
            .toString(16)
            .padStart(2, "0");
    return s;
}

function fill(fs: readonly CField[], rnd: () => number, opts: SampleOptions, out: SccpFields): void {
    for (const f of fs) {
        switch (f.op) {
            case Op.U8:
                out[f.name] = Math.floor(rnd() * 256);
                break;
            case Op.U16:
                out[f.name] = Math.floor(rnd() * 65536);
                break;
            case Op.U32:
                if (f.countOf !== "") break; // set with its array
                if (f.name === "ipv4or6") out[f.name] = opts.ipv6 === true ? 1 : 0;
                // Real codec numbers (G.711, G.729...): Wireshark reads codec bytes per codec.
                else if (f.name === "payloadCapability" || f.name === "compressionType") {
                    out[f.name] = [2, 4, 11, 12, 15, 16][Math.floor(rnd() * 6)] as number;
                } else if (f.name === "lineInstance" || f.name === "lineNumber")
                    out[f.name] = 1 + Math.floor(rnd() * 6);
                else out[f.name] = rnd() < 0.3 ? Math.floor(rnd() * 16) : Math.floor(rnd() * 4294967296);
                break;
            case Op.IPV4:
                out[f.name] = `10.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`;
                break;
            case Op.IP16:
                out[f.name] = `fe80::${Math.floor(rnd() * 65536).toString(16)}`;
                break;
            case Op.IP46:
                if (opts.ipv6 === true) out[f.v6] = `2001:db8::${(1 + Math.floor(rnd() * 65535)).toString(16)}`;
                else out[f.v4] = `10.1.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`;
                break;
            case Op.STR:
                out[f.name] = text(rnd, f.len, opts);
                break;
            case Op.CSTR:
                out[f.name] = text(rnd, 20, opts);
                break;
            case Op.LABEL:
            case Op.LCSTR: {
                const max = f.op === Op.LABEL ? f.len : 24;
                if (rnd() < 0.5) {
                    out[f.name] = text(rnd, max, { ...opts, latin1: false });
                } else {
                    const wire = labelWire(rnd, max, opts);
                    out[f.name] = renderLabels(wire);
                    out[f.codes] = wire;
                }
                break;
            }
            case Op.DATA: {
                const s = `<CiscoIPPhoneText><Text>${text(rnd, 40, { ...opts, empty: false })}</Text></CiscoIPPhoneText>`;
                out[f.name] = s;
                out[f.ref] = s.length;
                break;
            }
            case Op.HEX:
                out[f.name] = hex(rnd, f.len);
                break;
            case Op.U8X:
            case Op.U16X:
                out[f.name] = Array.from({ length: f.len }, () => Math.floor(rnd() * (f.op === Op.U8X ? 256 : 65536)));
                break;
            case Op.PAD:
                break;
            case Op.ARRAY: {
                const n = 1 + Math.floor(rnd() * f.max);
                const list: SccpFields[] = [];
                for (let k = 0; k < n; k++) {
                    const item: SccpFields = {};
                    fill(f.sub, rnd, opts, item);
                    list.push(item);
                }
                out[f.name] = list;
                break;
            }
        }
    }
    // Counts derived from arrays; single-page templates (total = count), as CallManagers send them.
    for (const f of fs) {
        if (f.countOf === "") continue;
        const n = (out[f.countOf] as SccpFields[]).length;
        out[f.name] = n;
        const total = `total${f.name.charAt(0).toUpperCase()}${f.name.slice(1)}`;
        if (total in out) out[total] = n;
    }
    // Keep the layout's field order (counts were filled last).
    const ordered: SccpFields = {};
    for (const f of fs) {
        if (f.op === Op.PAD) continue;
        for (const k of [f.name, f.codes, f.v4, f.v6]) if (k !== "" && k in out) ordered[k] = out[k] as never;
    }
    for (const k of Object.keys(out)) delete out[k];
    Object.assign(out, ordered);
}

/** One sample: the message, its variant and why it cannot round-trip, when it cannot. */
export interface Sample {
    msg: SccpMessage;
    variant: CVariant;
    variantIndex: number;
}

/** Header versions to try for a variant: its lower bound and a couple of known versions in range. */
export function versionsFor(v: CVariant): number[] {
    const inRange = KNOWN_HV.filter((h) => h >= v.hvMin && h <= v.hvMax);
    const picks = new Set<number>([inRange[0] ?? v.hvMin, inRange[inRange.length - 1] ?? v.hvMin]);
    return [...picks];
}

/** Samples for every id with a layout, every variant, header versions in range; `perVariant` value sets each. */
export function buildSamples(seed: number, perVariant: number, opts: SampleOptions = {}): Sample[] {
    const rnd = prng(seed);
    const samples: Sample[] = [];
    for (const key of Object.keys(SCCP_LAYOUTS)) {
        const id = Number(key);
        const m = compileMessage(id, SCCP_LAYOUTS[id] ?? []);
        m.variants.forEach((v, variantIndex) => {
            for (const hv of versionsFor(v)) {
                for (let i = 0; i < perVariant; i++) {
                    const fields: SccpFields = {};
                    fill(v.fields, rnd, { ...opts, ipv6: opts.ipv6 === true && i % 2 === 1 }, fields);
                    samples.push({ msg: { hv, id, name: sccpMessageName(id), fields }, variant: v, variantIndex });
                }
            }
        });
    }
    return samples;
}

/**
 * Decoding: picks a message's layout variant by body length first and header version (or the version
 * negotiated on the connection) second, reads the fields without reading past the body, and keeps a copy
 * of a body the clean encoder would not reproduce. The hot path of the service: no allocation beyond the
 * fields, module-level flags instead of result objects for the readers.
 */
import { DecodeError } from "../../errors.js";
import { u16le as u16, u32le as u32 } from "../../util/bytes.js";
import type { SccpConnectionContext } from "../context.js";
import { type CField, type CMessage, type CVariant, canonicalOf, inRange, Op } from "../layout.js";
import { allZero, findNul, ipv4ToString, ipv6ToString, latin1, renderLabels, toHex } from "../text.js";
import { messageOf, sccpMessageName } from "./catalog.js";
import { SCCP_HEADER_SIZE, SCCP_MAX_LENGTH, type SccpFields, type SccpMessage } from "./types.js";

// Set by field readers when bytes are not what the clean encoder would write.
let irregular = false;
let truncatedRead = false;

/** Reads a fixed char[n] at o, cut at the first NUL; flags garbage after the NUL. */
function readFixedString(b: Uint8Array, o: number, end: number): string {
    const nul = findNul(b, o, end);
    if (nul < end - 1 && !allZero(b, nul + 1, end)) irregular = true;
    return latin1(b, o, nul);
}

function putLabel(out: SccpFields, f: CField, wire: string): void {
    for (let i = 0; i < wire.length; i++) {
        const c = wire.charCodeAt(i);
        if (c === 0x80 || c === 0x1e) {
            out[f.name] = renderLabels(wire);
            out[f.codes] = wire;
            return;
        }
    }
    out[f.name] = wire;
}

/**
 * Decodes `fields` from b[o..end) into `out`. Returns the offset after the last field, or -1 when a field
 * does not fit (the fields that fit are kept; a partly present string is decoded from what is there).
 */
function readFields(fields: readonly CField[], b: Uint8Array, o: number, end: number, out: SccpFields): number {
    for (let i = 0; i < fields.length; i++) {
        const f = fields[i] as CField;
        const size = f.size;
        if (size > 0 && o + size > end) {
            if ((f.op === Op.STR || f.op === Op.LABEL) && o < end) {
                const s = readFixedString(b, o, end);
                if (f.op === Op.LABEL) putLabel(out, f, s);
                else out[f.name] = s;
            }
            truncatedRead = true;
            return -1;
        }
        switch (f.op) {
            case Op.U32:
                out[f.name] = u32(b, o);
                break;
            case Op.U8:
                out[f.name] = b[o] as number;
                break;
            case Op.U16:
                out[f.name] = u16(b, o);
                break;
            case Op.STR:
                out[f.name] = readFixedString(b, o, o + size);
                break;
            case Op.LABEL:
                putLabel(out, f, readFixedString(b, o, o + size));
                break;
            case Op.IPV4:
                out[f.name] = ipv4ToString(b, o);
                break;
            case Op.IP16:
                out[f.name] = ipv6ToString(b, o);
                break;
            case Op.IP46:
                if (out.ipv4or6 === 1) out[f.v6] = ipv6ToString(b, o);
                else {
                    out[f.v4] = ipv4ToString(b, o);
                    if (!allZero(b, o + 4, o + 16)) irregular = true;
                }
                break;
            case Op.CSTR:
            case Op.LCSTR: {
                if (o >= end) {
                    truncatedRead = true;
                    return -1;
                }
                const nul = findNul(b, o, end);
                const s = latin1(b, o, nul);
                if (f.op === Op.LCSTR) putLabel(out, f, s);
                else out[f.name] = s;
                if (nul === end) {
                    irregular = true; // unterminated: the encoder would add a NUL
                    o = end;
                } else o = nul + 1;
                continue;
            }
            case Op.DATA: {
                const want = out[f.ref];
                const n = typeof want === "number" ? want : 0;
                const take = Math.min(n, end - o);
                if (take < n) irregular = true;
                out[f.name] = latin1(b, o, o + take);
                o += take;
                continue;
            }
            case Op.HEX:
                out[f.name] = toHex(b, o, o + size);
                break;
            case Op.U8X: {
                const a: number[] = new Array<number>(f.len);
                for (let k = 0; k < f.len; k++) a[k] = b[o + k] as number;
                out[f.name] = a;
                break;
            }
            case Op.U16X: {
                const a: number[] = new Array<number>(f.len);
                for (let k = 0; k < f.len; k++) a[k] = u16(b, o + 2 * k);
                out[f.name] = a;
                break;
            }
            case Op.PAD:
                if (!allZero(b, o, o + size)) irregular = true;
                break;
            case Op.ARRAY: {
                const count = out[f.ref];
                const c = typeof count === "number" ? count : 0;
                const n = Math.min(c, f.max);
                if (c > f.max) irregular = true;
                const list: SccpFields[] = new Array<SccpFields>(n);
                for (let k = 0; k < n; k++) {
                    const item: SccpFields = {};
                    readFields(f.sub, b, o + k * f.slot, o + (k + 1) * f.slot, item);
                    list[k] = item;
                }
                if (!allZero(b, o + n * f.slot, o + size)) irregular = true;
                out[f.name] = list;
                break;
            }
        }
        o += size;
    }
    return o;
}

/** Plausibility of a same-size candidate: zero pads and small line numbers score. */
function plausibility(v: CVariant, b: Uint8Array, start: number): number {
    let o = start;
    let score = 0;
    for (const f of v.fields) {
        if (f.op === Op.PAD && allZero(b, o, o + f.size)) score++;
        else if (f.op === Op.U32 && (f.name === "lineInstance" || f.name === "lineNumber") && u32(b, o) < 0x10000)
            score++;
        o += f.size;
    }
    return score;
}

function pickFixed(m: CMessage, len: number, ver: number, b: Uint8Array, start: number): CVariant | undefined {
    const list = m.bySize.get(len);
    if (list === undefined) return undefined;
    if (list.length === 1) return list[0];
    let inR: CVariant[] = list.filter((v) => inRange(v, ver));
    if (inR.length === 0) inR = list as CVariant[];
    if (inR.length === 1) return inR[0];
    let best = inR[0] as CVariant;
    let bestScore = plausibility(best, b, start);
    for (let i = 1; i < inR.length; i++) {
        const v = inR[i] as CVariant;
        const s = plausibility(v, b, start);
        if (s > bestScore) {
            best = v;
            bestScore = s;
        }
    }
    return best;
}

/** Canonical padded length of a dynamic body whose content ends at `contentEnd`. */
export function padded(contentEnd: number): number {
    return (contentEnd + 3) & ~3;
}

export interface Attempt {
    v: CVariant;
    fields: SccpFields;
    irregular: boolean;
}

/** Tries a dynamic/open variant; returns the attempt when it fits (exactly unless `loose`). */
function tryFlexible(v: CVariant, b: Uint8Array, start: number, end: number, loose: boolean): Attempt | undefined {
    irregular = false;
    truncatedRead = false;
    const out: SccpFields = {};
    const stop = readFields(v.fields, b, start, end, out);
    if (stop < 0) return undefined;
    if (v.open) {
        if (stop < end) irregular = true;
        return { v, fields: out, irregular };
    }
    const zeros = allZero(b, stop, end);
    if (!loose && !(end - stop < 4 && zeros)) return undefined;
    if (end - start !== padded(stop - start) || !zeros) irregular = true;
    return { v, fields: out, irregular };
}

function decodeWithLayout(m: CMessage, ver: number, b: Uint8Array, start: number, end: number): Attempt {
    const len = end - start;
    const fixed = pickFixed(m, len, ver, b, start);
    if (fixed !== undefined && inRange(fixed, ver)) return decodeFixed(fixed, b, start, end);
    const flex = m.flexible;
    for (const v of flex) {
        if (!inRange(v, ver)) continue;
        const a = tryFlexible(v, b, start, end, false);
        if (a !== undefined) return a;
    }
    if (fixed !== undefined) return decodeFixed(fixed, b, start, end);
    for (const v of flex) {
        if (inRange(v, ver)) continue;
        const a = tryFlexible(v, b, start, end, false);
        if (a !== undefined) return a;
    }
    // Nothing fits exactly: a dynamic layout with leftovers, else the largest fixed layout that fits with a
    // tail, else the smallest layout truncated. All of these keep the raw body.
    for (const v of flex) {
        const a = tryFlexible(v, b, start, end, true);
        if (a !== undefined) return { ...a, irregular: true };
    }
    let below: CVariant | undefined;
    let smallest: CVariant | undefined;
    for (const v of m.variants) {
        if (v.dyn || v.open) continue;
        if (v.size < len && (below === undefined || v.size > below.size || (v.size === below.size && inRange(v, ver))))
            below = v;
        if (smallest === undefined || v.size < smallest.size) smallest = v;
    }
    const v = below ?? smallest ?? (m.variants[0] as CVariant);
    const a = decodeFixed(v, b, start, end);
    a.irregular = true;
    return a;
}

function decodeFixed(v: CVariant, b: Uint8Array, start: number, end: number): Attempt {
    irregular = false;
    truncatedRead = false;
    const out: SccpFields = {};
    readFields(v.fields, b, start, end, out);
    return { v, fields: out, irregular };
}

// Version used to decode each kept raw body, so re-encoding re-checks it exactly as it was decoded.
/** The version a kept raw body was decoded with (the encoder re-checks it with the same). */
export const RAW_VERSION = new WeakMap<Uint8Array, number>();

export function decodeAt(m: CMessage, ver: number, b: Uint8Array, start: number, end: number): Attempt {
    const only = m.variants.length === 1 ? m.variants[0] : undefined;
    if (only !== undefined && !only.dyn && !only.open && only.size === end - start)
        return decodeFixed(only, b, start, end);
    return decodeWithLayout(m, ver, b, start, end);
}

/**
 * Decodes one message body (a view; it is not retained unless copied into `raw`). Never throws: bodies that
 * fit no layout are decoded as far as they go and keep a raw copy. Updates `ctx` from RegisterReq/RegisterAck.
 */
export function decodeSccpBody(
    id: number,
    hv: number,
    body: Uint8Array,
    ctx?: SccpConnectionContext,
    keepRaw = true,
): SccpMessage {
    return decodeSccpBodyAt(id, hv, body, 0, body.length, ctx, keepRaw);
}

/** As `decodeSccpBody` for the body at buf[start, end): the framer's zero-copy form. */
export function decodeSccpBodyAt(
    id: number,
    hv: number,
    buf: Uint8Array,
    start: number,
    end: number,
    ctx?: SccpConnectionContext,
    keepRaw = true,
): SccpMessage {
    const name = sccpMessageName(id);
    const m = messageOf(id);
    if (m === undefined) {
        if (ctx !== undefined) {
            ctx.stats.messages++;
            ctx.stats.opaque++;
        }
        return { hv, id, name, fields: { body: toHex(buf, start, end) } };
    }
    const ver = hv !== 0 || ctx === undefined ? hv : ctx.protocolVersion;
    const a = decodeAt(m, ver, buf, start, end);
    let dirty = a.irregular;
    if (!dirty && a.v.group.length > 1 && canonicalOf(a.v, hv, a.fields) !== a.v) dirty = true;
    const msg: SccpMessage = { hv, id, name, fields: a.fields };
    if (dirty && keepRaw) {
        const raw = buf.slice(start, end);
        RAW_VERSION.set(raw, ver);
        msg.raw = raw;
    }
    if (ctx !== undefined) {
        ctx.stats.messages++;
        if (truncatedRead) ctx.stats.truncated++;
        if (dirty) ctx.stats.irregular++;
        if (id === 0x0001) {
            const pv = a.fields.protocolVer;
            if (typeof pv === "number") ctx.phoneProtocolVer = pv;
            const dn = a.fields.deviceName;
            if (typeof dn === "string") ctx.deviceName = dn;
        } else if (id === 0x0081) {
            const mv = a.fields.maxProtocolVer;
            if (typeof mv === "number") ctx.cmProtocolVer = mv;
        }
    }
    return msg;
}

/** Decodes one complete frame (header + body). Strict: throws DecodeError on a bad header or length. */
export function decodeSccpFrame(frame: Uint8Array, ctx?: SccpConnectionContext): SccpMessage {
    if (frame.length < SCCP_HEADER_SIZE) {
        throw new DecodeError("SCCP_SHORT_FRAME", "SCCP frame shorter than its 12-byte header", {
            length: frame.length,
        });
    }
    const length = u32(frame, 0);
    if (length < 4 || length > SCCP_MAX_LENGTH || length + 8 !== frame.length) {
        throw new DecodeError("SCCP_BAD_LENGTH", "SCCP length word does not match the frame", {
            length,
            frameLength: frame.length,
        });
    }
    return decodeSccpBody(u32(frame, 8), u32(frame, 4), frame.subarray(SCCP_HEADER_SIZE), ctx);
}

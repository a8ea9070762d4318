/**
 * SCCP codec: decode a body into Wireshark-named fields by (id, body length, header version), and encode
 * fields back into a byte-exact frame. Layouts come from `tables/layouts.ts`; this file only interprets them.
 *
 * Byte exactness: when a body holds bytes the clean encoding would not reproduce (garbage after a NUL,
 * unknown trailing bytes, a non-canonical variant), the decoder attaches a copy of the body as `raw`, and
 * `encodeSccp` emits it as long as the fields still equal what `raw` decodes to.
 */
import { CallbackdError, DecodeError } from "../errors.js";
import { u16le as u16, u32le as u32 } from "../util/bytes.js";
import type { SccpConnectionContext } from "./context.js";
import {
    type CField,
    type CMessage,
    type CVariant,
    canonicalOf,
    compileMessage,
    inRange,
    logicalName,
    Op,
} from "./layout.js";
import { SCCP_LAYOUTS } from "./tables/layouts.js";
import { SCCP_MESSAGE_TABLE } from "./tables/messages.js";
import {
    allZero,
    findNul,
    ipv4ToString,
    ipv6ToString,
    latin1,
    renderLabels,
    toHex,
    writeHex,
    writeIpv4,
    writeIpv6,
    writeLatin1,
} from "./text.js";

/** A decoded field value: number, text, numeric array, or array of sub-records. */
export type SccpValue = number | string | number[] | SccpFields[];

/** Decoded fields by Wireshark field name (without the `skinny.` prefix). */
export interface SccpFields {
    [name: string]: SccpValue;
}

/** One decoded SCCP message. `raw` (body copy) is present only when needed for byte-exact re-encoding. */
export interface SccpMessage {
    hv: number;
    id: number;
    name: string;
    fields: SccpFields;
    raw?: Uint8Array;
}

/** Size of the SCCP header: length, header version, message id. */
export const SCCP_HEADER_SIZE = 12;
/** Largest `length` word accepted (counts id + body); larger means the stream is out of sync. */
export const SCCP_MAX_LENGTH = 8192;

/** Thrown by `encodeSccp` for fields that do not fit any layout of the message. */
export class SccpEncodeError extends CallbackdError {}

// --- tables compiled once ---

const NAME_BY_ID = new Map<number, string>();
for (const [id, name] of SCCP_MESSAGE_TABLE) NAME_BY_ID.set(id, name);
const LOW_NAMES: (string | undefined)[] = [];
for (const [id, name] of SCCP_MESSAGE_TABLE) if (id < 0x200) LOW_NAMES[id] = name;

// A message's layouts are compiled on the first lookup of its id (start-up compiles none; a capture needs a
// few dozen of the ~170); null marks an id without layouts.
const MESSAGES = new Map<number, CMessage | null>();
const LOW_MESSAGES: (CMessage | null | undefined)[] = [];

/** The compiled layouts of a message id, or undefined when it has none. */
function messageOf(id: number): CMessage | undefined {
    const m = id < 0x200 ? LOW_MESSAGES[id] : MESSAGES.get(id);
    if (m !== undefined) return m === null ? undefined : m;
    const compiled = Object.hasOwn(SCCP_LAYOUTS, id) ? compileMessage(id, SCCP_LAYOUTS[id] ?? []) : null;
    if (id < 0x200 && id >= 0) LOW_MESSAGES[id] = compiled;
    else MESSAGES.set(id, compiled);
    return compiled === null ? undefined : compiled;
}

/** Wireshark name of a message id ("Unknown" when Wireshark 4.0 and the reference have none). */
export function sccpMessageName(id: number): string {
    const n = id < 0x200 ? LOW_NAMES[id] : NAME_BY_ID.get(id);
    return n === undefined ? "Unknown" : n;
}

/** True when the id is one the reference lists (used to judge resync candidates). */
export function isKnownSccpId(id: number): boolean {
    return (id < 0x200 ? LOW_NAMES[id] : NAME_BY_ID.get(id)) !== undefined;
}

/** Largest plausible body for an id: the largest fixed layout, or SCCP_MAX_LENGTH - 4 when unbounded/unknown. */
export function sccpMaxBody(id: number): number {
    const m = messageOf(id);
    if (m === undefined || m.maxBody === Number.POSITIVE_INFINITY) return SCCP_MAX_LENGTH - 4;
    return m.maxBody;
}

/** Smallest plausible body for an id: the smallest layout (0 for ids without one). */
export function sccpMinBody(id: number): number {
    const m = messageOf(id);
    return m === undefined ? 0 : m.minBody;
}

/** True when `decodeSccpBody` has a field layout for the id (others decode to name + raw body hex). */
export function hasSccpLayout(id: number): boolean {
    return Object.hasOwn(SCCP_LAYOUTS, id);
}

// --- decoding ---

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
function padded(contentEnd: number): number {
    return (contentEnd + 3) & ~3;
}

interface Attempt {
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
const RAW_VERSION = new WeakMap<Uint8Array, number>();

function decodeAt(m: CMessage, ver: number, b: Uint8Array, start: number, end: number): Attempt {
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

// --- encoding ---

function fail(id: number, message: string, details: Record<string, unknown> = {}): never {
    throw new SccpEncodeError("SCCP_ENCODE_INVALID", message, { id, ...details });
}

function num(fields: SccpFields, name: string, id: number): number {
    const v = fields[name];
    if (v === undefined) return 0;
    if (typeof v !== "number" || !Number.isFinite(v)) fail(id, `field ${name} must be a number`, { field: name });
    return v;
}

function str(fields: SccpFields, name: string, id: number): string {
    const v = fields[name];
    if (v === undefined) return "";
    if (typeof v !== "string") fail(id, `field ${name} must be a string`, { field: name });
    return v;
}

/** Wire text of a label-capable field: its `Codes` companion when present, else the text itself. */
function labelWire(fields: SccpFields, f: CField, id: number): string {
    const c = fields[f.codes];
    if (typeof c === "string") return c;
    return str(fields, f.name, id);
}

function arr(fields: SccpFields, name: string, id: number): readonly unknown[] {
    const v = fields[name];
    if (v === undefined) return [];
    if (!Array.isArray(v)) fail(id, `field ${name} must be an array`, { field: name });
    return v;
}

/** Body size the fields need with this variant. */
function measure(fs: readonly CField[], fields: SccpFields, id: number, dyn: boolean): number {
    let n = 0;
    for (const f of fs) {
        if (f.size >= 0) n += f.size;
        else if (f.op === Op.CSTR) n += str(fields, f.name, id).length + 1;
        else if (f.op === Op.LCSTR) n += labelWire(fields, f, id).length + 1;
        else if (f.op === Op.DATA) n += str(fields, f.name, id).length;
    }
    return dyn ? padded(n) : n;
}

function writeFields(fs: readonly CField[], fields: SccpFields, b: Uint8Array, o: number, id: number): number {
    for (const f of fs) {
        switch (f.op) {
            case Op.U32: {
                let v: number;
                if (f.countOf !== "") {
                    const n = arr(fields, f.countOf, id).length;
                    v = Math.min(n, f.max);
                } else v = num(fields, f.name, id);
                b[o] = v & 0xff;
                b[o + 1] = (v >>> 8) & 0xff;
                b[o + 2] = (v >>> 16) & 0xff;
                b[o + 3] = (v >>> 24) & 0xff;
                break;
            }
            case Op.U8:
                b[o] = num(fields, f.name, id) & 0xff;
                break;
            case Op.U16: {
                const v = num(fields, f.name, id);
                b[o] = v & 0xff;
                b[o + 1] = (v >>> 8) & 0xff;
                break;
            }
            case Op.STR:
                writeLatin1(b, o, str(fields, f.name, id), f.size);
                break;
            case Op.LABEL:
                writeLatin1(b, o, labelWire(fields, f, id), f.size);
                break;
            case Op.IPV4: {
                const s = fields[f.name];
                if (s !== undefined && (typeof s !== "string" || !writeIpv4(b, o, s))) {
                    fail(id, `field ${f.name} must be a dotted IPv4 address`, { field: f.name });
                }
                break;
            }
            case Op.IP16: {
                const s = fields[f.name];
                if (s !== undefined && (typeof s !== "string" || !writeIpv6(b, o, s))) {
                    fail(id, `field ${f.name} must be an IPv6 address`, { field: f.name });
                }
                break;
            }
            case Op.IP46: {
                const v6 = fields[f.v6];
                if (v6 !== undefined) {
                    if (typeof v6 !== "string" || !writeIpv6(b, o, v6))
                        fail(id, `field ${f.v6} must be an IPv6 address`);
                } else {
                    const v4 = fields[f.v4];
                    if (v4 !== undefined && (typeof v4 !== "string" || !writeIpv4(b, o, v4))) {
                        fail(id, `field ${f.v4} must be a dotted IPv4 address`);
                    }
                }
                break;
            }
            case Op.CSTR:
            case Op.LCSTR: {
                const s = f.op === Op.LCSTR ? labelWire(fields, f, id) : str(fields, f.name, id);
                o += writeLatin1(b, o, s, s.length);
                b[o++] = 0;
                continue;
            }
            case Op.DATA: {
                const s = str(fields, f.name, id);
                o += writeLatin1(b, o, s, s.length);
                continue;
            }
            case Op.HEX: {
                const s = str(fields, f.name, id);
                if (writeHex(b, o, s, f.size) < 0) fail(id, `field ${f.name} must be hex`, { field: f.name });
                break;
            }
            case Op.U8X:
            case Op.U16X: {
                const a = arr(fields, f.name, id);
                const n = Math.min(a.length, f.len);
                for (let k = 0; k < n; k++) {
                    const v = a[k];
                    if (typeof v !== "number") fail(id, `field ${f.name} must hold numbers`, { field: f.name });
                    if (f.op === Op.U8X) b[o + k] = v & 0xff;
                    else {
                        b[o + 2 * k] = v & 0xff;
                        b[o + 2 * k + 1] = (v >>> 8) & 0xff;
                    }
                }
                break;
            }
            case Op.PAD:
                break;
            case Op.ARRAY: {
                const a = arr(fields, f.name, id);
                const n = Math.min(a.length, f.max);
                for (let k = 0; k < n; k++) {
                    const item = a[k];
                    if (typeof item !== "object" || item === null || Array.isArray(item)) {
                        fail(id, `field ${f.name} must hold records`, { field: f.name });
                    }
                    writeFields(f.sub, item as SccpFields, b, o + k * f.slot, id);
                }
                break;
            }
        }
        o += f.size;
    }
    return o;
}

/** Logical key of a fields entry for this message: label companions drop out, x.ipv4/x.ipv6 become x. */
function logicalKeys(m: CMessage, fields: SccpFields): string[] {
    const keys: string[] = [];
    for (const k of Object.keys(fields)) {
        if (k.endsWith("Codes") && m.variants.some((v) => v.fields.some((f) => f.codes === k))) continue;
        if (k.endsWith(".ipv4") || k.endsWith(".ipv6")) keys.push(k.slice(0, -5));
        else keys.push(k);
    }
    return keys;
}

function variantNames(v: CVariant): Set<string> {
    return new Set(v.fields.filter((f) => f.op !== Op.PAD).map(logicalName));
}

/** The variant the encoder uses for these fields at header version `hv`. */
function chooseVariant(m: CMessage, fields: SccpFields, hv: number): CVariant {
    const keys = logicalKeys(m, fields);
    const shape = [...keys].sort().join(",");
    for (const v of m.variants) if (v.shape === shape) return canonicalOf(v, hv, fields);
    // Partial fields: the smallest layout that holds them all (missing fields encode as zero/empty).
    let best: CVariant | undefined;
    let bestExtra = Number.POSITIVE_INFINITY;
    for (const v of m.variants) {
        const names = variantNames(v);
        if (!keys.every((k) => names.has(k))) continue;
        const extra = names.size - keys.length;
        if (extra < bestExtra || (extra === bestExtra && best !== undefined && !inRange(best, hv) && inRange(v, hv))) {
            best = v;
            bestExtra = extra;
        }
    }
    if (best === undefined) fail(m.id, "fields match no layout of this message", { keys });
    return canonicalOf(best, hv, fields);
}

function equalValues(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a) && Array.isArray(b)) {
        if (a.length !== b.length) return false;
        for (let i = 0; i < a.length; i++) if (!equalValues(a[i], b[i])) return false;
        return true;
    }
    if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
        const ka = Object.keys(a);
        if (ka.length !== Object.keys(b).length) return false;
        for (const k of ka) {
            if (!equalValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
        }
        return true;
    }
    return false;
}

/** True when two field records are deeply equal (numbers, strings, arrays, sub-records). */
export function sameSccpFields(a: SccpFields, b: SccpFields): boolean {
    return equalValues(a, b);
}

function frameOf(hv: number, id: number, bodySize: number): Uint8Array {
    const out = new Uint8Array(SCCP_HEADER_SIZE + bodySize);
    const len = bodySize + 4;
    out[0] = len & 0xff;
    out[1] = (len >>> 8) & 0xff;
    out[2] = (len >>> 16) & 0xff;
    out[3] = (len >>> 24) & 0xff;
    out[4] = hv & 0xff;
    out[5] = (hv >>> 8) & 0xff;
    out[6] = (hv >>> 16) & 0xff;
    out[7] = (hv >>> 24) & 0xff;
    out[8] = id & 0xff;
    out[9] = (id >>> 8) & 0xff;
    out[10] = (id >>> 16) & 0xff;
    out[11] = (id >>> 24) & 0xff;
    return out;
}

/** Re-checks a kept raw body: its fields must still equal the message's (else the message was edited). */
function rawStillValid(msg: Pick<SccpMessage, "hv" | "fields">, raw: Uint8Array, m: CMessage): boolean {
    const a = decodeAt(m, RAW_VERSION.get(raw) ?? msg.hv, raw, 0, raw.length);
    return equalValues(a.fields, msg.fields);
}

/**
 * Encodes a message into a complete frame (header + body). Uses `raw` when present and still matching the
 * fields (byte-exact re-encoding); otherwise writes the canonical layout for (fields, hv) with zero padding.
 * Throws SccpEncodeError when the fields fit no layout of the id.
 */
export function encodeSccp(msg: Pick<SccpMessage, "hv" | "id" | "fields" | "raw">): Uint8Array {
    const { hv, id, fields } = msg;
    const m = messageOf(id);
    if (msg.raw !== undefined && m !== undefined && rawStillValid(msg, msg.raw, m)) {
        const out = frameOf(hv, id, msg.raw.length);
        out.set(msg.raw, SCCP_HEADER_SIZE);
        return out;
    }
    if (m === undefined) {
        const hex = fields.body;
        const s = typeof hex === "string" ? hex : "";
        if (hex !== undefined && typeof hex !== "string") fail(id, "field body must be hex");
        const out = frameOf(hv, id, s.length / 2);
        if (s.length % 2 !== 0 || writeHex(out, SCCP_HEADER_SIZE, s, s.length / 2) < 0)
            fail(id, "field body must be hex");
        return out;
    }
    const v = chooseVariant(m, fields, hv);
    const size = measure(v.fields, fields, id, v.dyn);
    const out = frameOf(hv, id, size);
    writeFields(v.fields, fields, out, SCCP_HEADER_SIZE, id);
    return out;
}

/** The JSON record of a message as the CLI prints it (without t/src/dst, which the pipeline adds). */
export interface SccpRecord {
    hv?: number;
    id?: number;
    name: string;
    fields: SccpFields;
}

/** Record for a decoded message: `{hv, id, name, fields}`. */
export function sccpRecord(msg: SccpMessage): SccpRecord {
    return { hv: msg.hv, id: msg.id, name: msg.name, fields: msg.fields };
}

/** Record for bytes lost before the framer (capture or reassembly gap) and a partial message dropped. */
export function sccpGapRecord(missedBytes: number, discardedBytes: number): SccpRecord {
    return { name: "Gap", fields: { missedBytes, discardedBytes } };
}

/** Record for bytes skipped while searching for the next plausible header. */
export function sccpResyncRecord(skippedBytes: number): SccpRecord {
    return { name: "Resync", fields: { skippedBytes } };
}

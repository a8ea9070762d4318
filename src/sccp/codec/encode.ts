/**
 * Encoding: writes fields into a byte-exact frame. A kept raw body is emitted as long as the fields still
 * equal what it decodes to; otherwise the canonical layout variant for (fields, hv), zero-padded.
 */
import { type CField, type CMessage, type CVariant, canonicalOf, inRange, logicalName, Op } from "../layout.js";
import { writeHex, writeIpv4, writeIpv6, writeLatin1 } from "../text.js";
import { messageOf } from "./catalog.js";
import { decodeAt, padded, RAW_VERSION } from "./decode.js";
import { SCCP_HEADER_SIZE, SccpEncodeError, type SccpFields, type SccpMessage } from "./types.js";

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

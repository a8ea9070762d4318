/**
 * Schema-driven QBE codec (QBE-REFERENCE.md §2-§3).
 *
 * Decoding follows the absolute offsets of every descriptor, never the order of the variable part, applies
 * the fixedSize rule of §3.4 (a shorter fixed part leaves the remaining fields absent, a longer one is
 * ignored), and never reads outside the frame: a descriptor that points outside it gives null and a
 * "problem" note. The work per frame is bounded by a budget proportional to the frame size, so shared or
 * overlapping offsets cannot blow up memory.
 *
 * Encoding lays out frames exactly as Cisco's 12.5 client library does (variable data in field order,
 * depth first, right after the fixed part; null data points at the next free byte), so the fixtures
 * round-trip byte for byte.
 */
import { CallbackdError, DecodeError } from "../errors.js";
import { i32le as i32, u32le as u32 } from "../util/bytes.js";
import {
    type QbeFieldDef,
    type QbeMessageDef,
    type QbeStructDef,
    qbeMessageDef,
    qbeMessageId,
    qbeMessageName,
    SLOT_SIZE,
    W,
} from "./schema.js";

/** Header constants. */
export const QBE_HEADER_SIZE = 32;
export const QBE_MAGIC = 0xffffdddd;
export const QBE_VERSION = 0x00110000;

/** A byte array field: hex, plus the text when every byte is printable ASCII (tab, CR, LF allowed). */
export interface QbeBytes {
    hex: string;
    ascii?: string;
}

/** A decoded value: int32 → number, bool32 → boolean, strings → text or null, elements → objects. */
export type QbeValue = number | boolean | string | null | QbeBytes | QbeFields | QbeValue[];

/** Decoded fields by their schema.json names. */
export interface QbeFields {
    [name: string]: QbeValue;
}

/** What `encodeQbe` accepts: decoded values, plus Uint8Array for byte arrays and undefined for defaults. */
export type QbeInputValue = QbeValue | Uint8Array | undefined | QbeInputFields | QbeInputValue[];

/** Fields to encode, by their schema.json names. */
export interface QbeInputFields {
    [name: string]: QbeInputValue;
}

/** One decoded frame. */
export interface QbeMessage {
    id: number;
    /** Class name as in ids.tsv; the constant for ids without a class; "Unknown" outside the table. */
    name: string;
    /** False when this client version has no layout for the id: `fields` then describe the raw body. */
    known: boolean;
    fields: QbeFields;
    /** Frame size in bytes. */
    size: number;
    /** Anomalies met while decoding (descriptors outside the frame, cut slots, ...); absent when clean. */
    problems?: string[];
}

/** Thrown by `encodeQbe` for an unknown id or a value that does not fit its wire type. */
export class QbeEncodeError extends CallbackdError {}

// --- little-endian reads (the caller guarantees bounds) ---

// --- decoding ---

/** Body bytes shown as hex for ids without a layout. */
const UNKNOWN_HEX_BYTES = 256;

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, "0"));

const utf8 = new TextDecoder("utf-8");
const utf16 = new TextDecoder("utf-16le");

/**
 * The frame being decoded: its bytes and bounds, the work budget left, and the problems met. One per
 * decoded frame, handed to every reader, so decoding keeps no state between calls.
 */
class QbeCursor {
    /** Work left: proportional to the frame size, so shared or overlapping offsets cannot blow up. */
    #budget: number;
    problems: string[] | null = null;

    constructor(
        readonly b: Uint8Array,
        /** Offset of the frame in `b`, and its length; descriptor offsets are relative to it. */
        readonly start: number,
        readonly len: number,
    ) {
        this.#budget = 4 * len + 1024;
    }

    problem(text: string): void {
        if (this.problems === null) this.problems = [];
        if (this.problems.length < 16) this.problems.push(text);
    }

    /** True when frame-relative [off, off + size) lies inside the frame. */
    inFrame(off: number, size: number): boolean {
        return off <= this.len && size <= this.len - off;
    }

    /** Spends decode budget; false (with a note) once it is exhausted. */
    spend(units: number): boolean {
        this.#budget -= units;
        if (this.#budget >= 0) return true;
        if (this.#budget + units >= 0) this.problem("decode budget exhausted");
        return false;
    }
}

function isValidUtf8(b: Uint8Array, s: number, e: number): boolean {
    let i = s;
    while (i < e) {
        const c = b[i] as number;
        if (c < 0x80) {
            i++;
            continue;
        }
        let n: number;
        let min: number;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            min = 0x10000;
        } else return false;
        if (i + n >= e) return false;
        let cp = c & (0x3f >> n);
        for (let k = 1; k <= n; k++) {
            const cc = b[i + k] as number;
            if ((cc & 0xc0) !== 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += n + 1;
    }
    return true;
}

/** Single-byte text up to the first 0x00: ASCII as is, valid UTF-8 as UTF-8, anything else as Latin-1. */
function text8(b: Uint8Array, s: number, e: number): string {
    let ascii = true;
    let end = s;
    while (end < e) {
        const c = b[end] as number;
        if (c === 0) break;
        if (c >= 0x80) ascii = false;
        end++;
    }
    const n = end - s;
    if (ascii && n <= 64) {
        let out = "";
        for (let i = s; i < end; i++) out += String.fromCharCode(b[i] as number);
        return out;
    }
    if (ascii || isValidUtf8(b, s, end)) return utf8.decode(b.subarray(s, end));
    let out = "";
    for (let i = s; i < end; i++) out += String.fromCharCode(b[i] as number);
    return out;
}

/** UTF-16LE text of `units` code units, cut at the first U+0000. */
function text16(b: Uint8Array, s: number, units: number): string {
    let n = 0;
    while (n < units && ((b[s + 2 * n] as number) | (b[s + 2 * n + 1] as number)) !== 0) n++;
    if (n <= 32) {
        let out = "";
        for (let i = 0; i < n; i++)
            out += String.fromCharCode((b[s + 2 * i] as number) | ((b[s + 2 * i + 1] as number) << 8));
        return out;
    }
    return utf16.decode(b.subarray(s, s + 2 * n));
}

/** Byte array value: hex, plus ascii when printable. */
function bytesValue(b: Uint8Array, s: number, e: number): QbeBytes {
    let hex = "";
    let printable = true;
    for (let i = s; i < e; i++) {
        const c = b[i] as number;
        hex += HEX[c];
        if ((c < 0x20 || c > 0x7e) && c !== 0x09 && c !== 0x0a && c !== 0x0d) printable = false;
    }
    if (!printable) return { hex };
    let ascii = "";
    for (let i = s; i < e; i++) ascii += String.fromCharCode(b[i] as number);
    return { hex, ascii };
}

/** Decodes an element's fixed slots (nesting depth is bounded by the schema, which has no cycles). */
function decodeStruct(c: QbeCursor, def: QbeStructDef, start: number, fixedSize: number): QbeFields {
    const out: QbeFields = {};
    const fields = def.fields;
    // Slots must lie inside both the declared fixed part and the frame.
    const limit = Math.min(start + fixedSize, c.start + c.len);
    let pos = start;
    for (let i = 0; i < fields.length; i++) {
        if (pos - start >= fixedSize) break; // §3.4: a shorter fixed part leaves the rest absent
        const f = fields[i] as QbeFieldDef;
        const slot = SLOT_SIZE[f.type] as number;
        if (pos + slot > limit) {
            c.problem(`${def.name}.${f.name}: slot cut at the end of the fixed part`);
            break;
        }
        if (!c.spend(1)) break;
        out[f.name] = decodeValue(c, f, pos);
        pos += slot;
    }
    return out;
}

function decodeValue(c: QbeCursor, f: QbeFieldDef, pos: number): QbeValue {
    const b = c.b;
    const frameStart = c.start;
    switch (f.type) {
        case W.int32:
            return i32(b, pos);
        case W.bool32:
            return i32(b, pos) !== 0;
        case W.callhandle:
            return { callManagerID: i32(b, pos), callLegID: i32(b, pos + 4) };
        case W.string: {
            const off = u32(b, pos);
            const size = u32(b, pos + 4);
            if (size === 0) return null;
            if (!c.inFrame(off, size)) return outside(c, f, off, size);
            if (!c.spend(size)) return null;
            return text8(b, frameStart + off, frameStart + off + size);
        }
        case W.bytes: {
            const off = u32(b, pos);
            const size = u32(b, pos + 4);
            if (size === 0) return null;
            if (!c.inFrame(off, size)) return outside(c, f, off, size);
            if (!c.spend(3 * size)) return null;
            return bytesValue(b, frameStart + off, frameStart + off + size);
        }
        case W.ustring: {
            const off = u32(b, pos);
            const size = u32(b, pos + 4);
            const count = u32(b, pos + 8);
            if (size === 0) return null;
            // Works for both conventions: count = n (client) and count = n + 1 with a terminator (server).
            const units = Math.min(size >>> 1, count);
            if (!c.inFrame(off, 2 * units)) return outside(c, f, off, 2 * units);
            if (!c.spend(units)) return null;
            return text16(b, frameStart + off, units);
        }
        case W.element: {
            const off = u32(b, pos);
            const total = u32(b, pos + 4);
            const xfs = u32(b, pos + 8);
            if (total === 0) return null;
            if (!c.inFrame(off, xfs)) return outside(c, f, off, xfs);
            return decodeStruct(c, f.element as QbeStructDef, frameStart + off, xfs);
        }
        case W.elementArray: {
            const off = u32(b, pos);
            const total = u32(b, pos + 4);
            const count = u32(b, pos + 8);
            const esz = u32(b, pos + 12);
            if (total === 0) return null;
            if (count > 0 && (esz === 0 || !c.inFrame(off, count * esz))) return outside(c, f, off, count * esz);
            const def = f.element as QbeStructDef;
            const arr: QbeValue[] = [];
            for (let i = 0; i < count; i++) {
                if (!c.spend(1)) break;
                arr.push(decodeStruct(c, def, frameStart + off + i * esz, esz));
            }
            return arr;
        }
        case W.int32Array:
        case W.callhandleArray: {
            const off = u32(b, pos);
            const total = u32(b, pos + 4);
            const count = u32(b, pos + 8);
            const esz = u32(b, pos + 12);
            if (total === 0) return null;
            const want = f.type === W.int32Array ? 4 : 8;
            if (count > 0 && esz !== want) {
                c.problem(`${f.name}: element size ${esz}, expected ${want}`);
                return null;
            }
            if (!c.inFrame(off, count * want)) return outside(c, f, off, count * want);
            if (!c.spend(count)) return null;
            const arr: QbeValue[] = [];
            let p = frameStart + off;
            for (let i = 0; i < count; i++, p += want) {
                arr.push(want === 4 ? i32(b, p) : { callManagerID: i32(b, p), callLegID: i32(b, p + 4) });
            }
            return arr;
        }
    }
}

function outside(c: QbeCursor, f: QbeFieldDef, off: number, size: number): null {
    c.problem(`${f.name}: data [${off}, +${size}) outside the ${c.len}-byte frame`);
    return null;
}

/**
 * Decodes the frame buf[start, end) without throwing. The caller (normally the framer) has checked the
 * header; this function still bounds every read by `end`.
 */
export function decodeQbe(b: Uint8Array, start: number, end: number): QbeMessage {
    const len = end - start;
    if (len < QBE_HEADER_SIZE) {
        return { id: -1, name: "Malformed", known: false, fields: { size: len }, size: len, problems: ["short frame"] };
    }
    const id = u32(b, start + 16);
    const hs = u32(b, start + 20);
    const fs = u32(b, start + 24);
    const vs = u32(b, start + 28);
    const def = qbeMessageDef(id);
    if (def === undefined) {
        const bodyStart = Math.min(hs, len);
        const shown = Math.min(len - bodyStart, UNKNOWN_HEX_BYTES);
        const fields: QbeFields = {
            fixedSize: fs,
            varSize: vs,
            hex: bytesValue(b, start + bodyStart, start + bodyStart + shown).hex,
        };
        if (shown < len - bodyStart) fields.truncated = true;
        return { id, name: qbeMessageName(id) ?? "Unknown", known: false, fields, size: len };
    }
    const c = new QbeCursor(b, start, len);
    const fields = hs <= len ? decodeStruct(c, def, start + hs, fs) : {};
    if (hs > len) c.problem(`headerSize ${hs} beyond the frame`);
    const msg: QbeMessage = { id, name: def.name, known: true, fields, size: len };
    if (c.problems !== null) msg.problems = c.problems;
    return msg;
}

const EMPTY = new Uint8Array(0);

/** Header words of a frame. */
export interface QbeHeader {
    length: number;
    reserved: number;
    magic: number;
    version: number;
    messageId: number;
    headerSize: number;
    fixedSize: number;
    varSize: number;
}

/** Reads the 8 header words at `o` (the caller guarantees 32 bytes). */
export function readQbeHeader(b: Uint8Array, o = 0): QbeHeader {
    return {
        length: u32(b, o),
        reserved: u32(b, o + 4),
        magic: u32(b, o + 8),
        version: u32(b, o + 12),
        messageId: u32(b, o + 16),
        headerSize: u32(b, o + 20),
        fixedSize: u32(b, o + 24),
        varSize: u32(b, o + 28),
    };
}

/**
 * Strict decode of exactly one frame: throws DecodeError when the bytes are not one well-formed frame
 * (short, wrong magic, headerSize below 32, sizes that do not add up to the frame).
 */
export function decodeQbeFrame(frame: Uint8Array): QbeMessage {
    if (frame.length < QBE_HEADER_SIZE) {
        throw new DecodeError("QBE_SHORT_FRAME", "QBE frame shorter than its 32-byte header", { length: frame.length });
    }
    const h = readQbeHeader(frame);
    if (h.magic !== QBE_MAGIC) {
        throw new DecodeError("QBE_BAD_MAGIC", "QBE frame without the 0xFFFFDDDD magic", { magic: h.magic });
    }
    const total = h.headerSize + h.fixedSize + h.varSize;
    if (h.headerSize < QBE_HEADER_SIZE || total !== frame.length) {
        throw new DecodeError("QBE_BAD_SIZE", "QBE header sizes do not match the frame", {
            length: frame.length,
            headerSize: h.headerSize,
            fixedSize: h.fixedSize,
            varSize: h.varSize,
        });
    }
    return decodeQbe(frame, 0, frame.length);
}

// --- encoding ---

/** How UnicodeStrings are written (§3.3). */
export type QbeUstringStyle = "plain" | "terminated";

/** Options of `encodeQbe`. */
export interface QbeEncodeOptions {
    /**
     * "plain": count = characters, no terminator (what the 12.5 client sends); "terminated": count =
     * characters + 1 with a U+0000 (what the client expects from the server). Default: plain for requests,
     * terminated for everything else.
     */
    ustring?: QbeUstringStyle;
    /** Header words the reader ignores (defaults 0 and 0x00110000). */
    reserved?: number;
    version?: number;
}

class Writer {
    b = new Uint8Array(512);
    /** Next free byte of the variable part. */
    cursor = 0;
    constructor(
        readonly id: number,
        readonly terminated: boolean,
    ) {}

    ensure(n: number): void {
        if (n <= this.b.length) return;
        let cap = this.b.length * 2;
        while (cap < n) cap *= 2;
        const nb = new Uint8Array(cap);
        nb.set(this.b);
        this.b = nb;
    }

    w32(o: number, v: number): void {
        const b = this.b;
        b[o] = v & 0xff;
        b[o + 1] = (v >>> 8) & 0xff;
        b[o + 2] = (v >>> 16) & 0xff;
        b[o + 3] = (v >>> 24) & 0xff;
    }

    /** Reserves `n` bytes of the variable part and returns their offset. */
    take(n: number): number {
        const at = this.cursor;
        this.ensure(at + n);
        this.cursor = at + n;
        return at;
    }

    fail(path: string, message: string): never {
        throw new QbeEncodeError("QBE_ENCODE_INVALID", `${path}: ${message}`, { id: this.id, field: path });
    }

    int(path: string, v: unknown): number {
        if (v === undefined || v === null) return 0;
        if (typeof v === "boolean") return v ? -1 : 0;
        if (typeof v !== "number" || !Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) {
            this.fail(path, "must be an int32 (or uint32) number");
        }
        return v;
    }

    /** Writes the fixed slots of `def` at `at` (fixed part already reserved) and its variable data at the cursor. */
    struct(def: QbeStructDef, v: unknown, at: number, path: string): void {
        if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(path, "must be an object");
        const obj = v as Record<string, unknown>;
        let pos = at;
        for (const f of def.fields) {
            this.field(f, obj[f.name], pos, `${path}.${f.name}`);
            pos += SLOT_SIZE[f.type] as number;
        }
    }

    field(f: QbeFieldDef, v: unknown, pos: number, path: string): void {
        switch (f.type) {
            case W.int32:
                this.w32(pos, this.int(path, v));
                return;
            case W.bool32:
                if (v !== undefined && v !== null && typeof v !== "boolean" && typeof v !== "number") {
                    this.fail(path, "must be a boolean");
                }
                this.w32(pos, v ? -1 : 0);
                return;
            case W.callhandle: {
                const h = this.handle(path, v);
                this.w32(pos, h[0]);
                this.w32(pos + 4, h[1]);
                return;
            }
            case W.string: {
                if (v === undefined || v === null) {
                    this.desc(pos, this.cursor, 0);
                    return;
                }
                if (typeof v !== "string") this.fail(path, "must be a string or null");
                const at = this.take(v.length + 1);
                const b = this.b;
                for (let i = 0; i < v.length; i++) b[at + i] = v.charCodeAt(i) & 0xff; // low 8 bits, as the jar
                b[at + v.length] = 0;
                this.desc(pos, at, v.length + 1);
                return;
            }
            case W.ustring: {
                if (v === undefined || v === null) {
                    // Unverified: no fixture has a null UnicodeString; written like the other null descriptors.
                    this.desc(pos, this.cursor, 0);
                    this.w32(pos + 8, 0);
                    this.w32(pos + 12, 0);
                    return;
                }
                if (typeof v !== "string") this.fail(path, "must be a string or null");
                const count = v.length + (this.terminated ? 1 : 0);
                const at = this.take(2 * count);
                const b = this.b;
                for (let i = 0; i < count; i++) {
                    const c = i < v.length ? v.charCodeAt(i) : 0;
                    b[at + 2 * i] = c & 0xff;
                    b[at + 2 * i + 1] = c >>> 8;
                }
                this.desc(pos, at, 2 * count);
                this.w32(pos + 8, count);
                this.w32(pos + 12, 2);
                return;
            }
            case W.bytes: {
                const data = this.bytes(path, v);
                if (data === null) {
                    this.desc(pos, this.cursor, 0);
                    return;
                }
                const at = this.take(data.length);
                this.b.set(data, at);
                this.desc(pos, at, data.length);
                return;
            }
            case W.element: {
                if (v === undefined || v === null) {
                    this.desc(pos, this.cursor, 0);
                    this.w32(pos + 8, 0);
                    return;
                }
                const def = f.element as QbeStructDef;
                const at = this.take(def.fixedSize);
                this.struct(def, v, at, path);
                this.desc(pos, at, this.cursor - at);
                this.w32(pos + 8, def.fixedSize);
                return;
            }
            case W.elementArray: {
                const def = f.element as QbeStructDef;
                this.array(pos, v, path, def.fixedSize, (item, at, p) => this.struct(def, item, at, p));
                return;
            }
            case W.int32Array:
                this.array(pos, v, path, 4, (item, at, p) => this.w32(at, this.int(p, item)));
                if (v !== undefined && v !== null) {
                    // The jar reserves 16 bytes per int (CallPlayDtmfRequest fixture: 4 ints, totalSize 64, zero
                    // padded) although the reader needs only 4 per int.
                    const n = (v as unknown[]).length;
                    this.take(12 * n);
                    this.w32(pos + 4, 16 * n);
                }
                return;
            case W.callhandleArray:
                this.array(pos, v, path, 8, (item, at, p) => {
                    const h = this.handle(p, item);
                    this.w32(at, h[0]);
                    this.w32(at + 4, h[1]);
                });
                return;
        }
    }

    /** Array descriptor (offset, totalSize, count, elemSize): fixed parts back to back, then their variable data. */
    array(
        pos: number,
        v: unknown,
        path: string,
        esz: number,
        put: (item: unknown, at: number, path: string) => void,
    ): void {
        if (v === undefined || v === null) {
            // Null array: (next free byte, 0, 0, 0), as in the DeviceRegisteredEventWithLineInfo fixture.
            this.desc(pos, this.cursor, 0);
            this.w32(pos + 8, 0);
            this.w32(pos + 12, 0);
            return;
        }
        if (!Array.isArray(v)) this.fail(path, "must be an array or null");
        const at = this.take(v.length * esz);
        for (let i = 0; i < v.length; i++) put(v[i], at + i * esz, `${path}[${i}]`);
        this.desc(pos, at, this.cursor - at);
        this.w32(pos + 8, v.length);
        this.w32(pos + 12, esz);
    }

    desc(pos: number, off: number, size: number): void {
        this.w32(pos, off);
        this.w32(pos + 4, size);
    }

    handle(path: string, v: unknown): [number, number] {
        if (v === undefined || v === null) return [0, 0];
        if (typeof v !== "object") this.fail(path, "must be {callManagerID, callLegID}");
        const h = v as Record<string, unknown>;
        return [this.int(`${path}.callManagerID`, h.callManagerID), this.int(`${path}.callLegID`, h.callLegID)];
    }

    bytes(path: string, v: unknown): Uint8Array | null {
        if (v === undefined || v === null) return null;
        if (v instanceof Uint8Array) return v;
        if (typeof v === "object" && typeof (v as { hex?: unknown }).hex === "string") {
            const hex = (v as { hex: string }).hex;
            if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex))
                this.fail(path, "hex must be an even count of hex digits");
            return Uint8Array.from(Buffer.from(hex, "hex"));
        }
        return this.fail(path, "must be a Uint8Array, {hex} or null");
    }
}

/**
 * Encodes one message (by id or class name) from its fields, byte-exact with Cisco's 12.5 client library.
 * Missing fields take their defaults (0, false, null). Throws QbeEncodeError on an unknown id or a bad value.
 */
export function encodeQbe(
    message: number | string,
    fields: QbeInputFields = {},
    opts: QbeEncodeOptions = {},
): Uint8Array {
    const id = typeof message === "number" ? message : qbeMessageId(message);
    const def: QbeMessageDef | undefined = id === undefined ? undefined : qbeMessageDef(id);
    if (id === undefined || def === undefined) {
        throw new QbeEncodeError("QBE_ENCODE_UNKNOWN", `no QBE layout for message ${String(message)}`, { message });
    }
    const terminated = (opts.ustring ?? (def.kind === "Request" ? "plain" : "terminated")) === "terminated";
    const w = new Writer(id, terminated);
    const fixedEnd = QBE_HEADER_SIZE + def.fixedSize;
    w.ensure(fixedEnd);
    w.cursor = fixedEnd;
    w.struct(def, fields, QBE_HEADER_SIZE, def.name);
    const total = w.cursor;
    w.w32(0, total - 8);
    w.w32(4, opts.reserved ?? 0);
    w.w32(8, QBE_MAGIC);
    w.w32(12, opts.version ?? QBE_VERSION);
    w.w32(16, id);
    w.w32(20, QBE_HEADER_SIZE);
    w.w32(24, def.fixedSize);
    w.w32(28, total - fixedEnd);
    return w.b.slice(0, total);
}

/** Builds a frame from raw parts (any id, e.g. one without a layout); used by tests and the simulator. */
export function encodeQbeRaw(id: number, fixed: Uint8Array = EMPTY, variable: Uint8Array = EMPTY): Uint8Array {
    const total = QBE_HEADER_SIZE + fixed.length + variable.length;
    const out = new Uint8Array(total);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, total - 8, true);
    dv.setUint32(8, QBE_MAGIC, true);
    dv.setUint32(12, QBE_VERSION, true);
    dv.setUint32(16, id >>> 0, true);
    dv.setUint32(20, QBE_HEADER_SIZE, true);
    dv.setUint32(24, fixed.length, true);
    dv.setUint32(28, variable.length, true);
    out.set(fixed, QBE_HEADER_SIZE);
    out.set(variable, QBE_HEADER_SIZE + fixed.length);
    return out;
}

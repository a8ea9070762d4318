/**
 * QBE decoding (QBE-REFERENCE.md §2-§3). Follows the absolute offsets of every descriptor, never the order of
 * the variable part, applies the fixedSize rule of §3.4 (a shorter fixed part leaves the remaining fields
 * absent, a longer one is ignored), and never reads outside the frame: a descriptor that points outside it
 * gives null and a "problem" note. The work per frame is bounded by a budget proportional to the frame
 * size, so shared or overlapping offsets cannot blow up memory.
 */
import { DecodeError } from "../../errors.js";
import { i32le as i32, u32le as u32 } from "../../util/bytes.js";
import { type QbeFieldDef, type QbeStructDef, qbeMessageDef, qbeMessageName, SLOT_SIZE, W } from "../schema.js";
import {
    QBE_HEADER_SIZE,
    QBE_MAGIC,
    type QbeBytes,
    type QbeFields,
    type QbeHeader,
    type QbeMessage,
    type QbeValue,
} from "./types.js";

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

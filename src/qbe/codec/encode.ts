/**
 * QBE encoding: lays out frames exactly as Cisco's 12.5 client library does (variable data in field order,
 * depth first, right after the fixed part; null data points at the next free byte), so the fixtures
 * round-trip byte for byte.
 */
import {
    type QbeFieldDef,
    type QbeMessageDef,
    type QbeStructDef,
    qbeMessageDef,
    qbeMessageId,
    SLOT_SIZE,
    W,
} from "../schema.js";
import { QBE_HEADER_SIZE, QBE_MAGIC, QBE_VERSION, QbeEncodeError, type QbeInputFields } from "./types.js";

const EMPTY = new Uint8Array(0);

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

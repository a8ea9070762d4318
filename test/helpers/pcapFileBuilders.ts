/**
 * Hand-built pcap / pcapng byte buffers for the capture file reader tests.
 * Everything is written field by field with DataView so each test states exactly what is on disk.
 */
import type { CapturedFrame } from "../../src/capture/frame.js";

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
        out.set(p, o);
        o += p.length;
    }
    return out;
}

/** Deterministic payload of n bytes. */
export function payload(n: number, seed = 1): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
    return b;
}

export interface PcapRecord {
    sec: number;
    frac: number;
    data: Uint8Array;
    origLen?: number;
    /** Override the caplen field (to build corrupt records). */
    caplen?: number;
}

export interface PcapOptions {
    le?: boolean;
    ns?: boolean;
    linkType?: number;
    snaplen?: number;
}

/** A classic pcap file. */
export function pcap(opts: PcapOptions, records: PcapRecord[]): Uint8Array {
    const le = opts.le ?? true;
    const hdr = new Uint8Array(24);
    const h = new DataView(hdr.buffer);
    h.setUint32(0, opts.ns ? 0xa1b23c4d : 0xa1b2c3d4, le);
    h.setUint16(4, 2, le);
    h.setUint16(6, 4, le);
    h.setUint32(16, opts.snaplen ?? 65535, le);
    h.setUint32(20, opts.linkType ?? 1, le);
    const recs = records.map((r) => {
        const b = new Uint8Array(16 + r.data.length);
        const d = new DataView(b.buffer);
        d.setUint32(0, r.sec, le);
        d.setUint32(4, r.frac, le);
        d.setUint32(8, r.caplen ?? r.data.length, le);
        d.setUint32(12, r.origLen ?? r.data.length, le);
        b.set(r.data, 16);
        return b;
    });
    return concat(hdr, ...recs);
}

/** A pcapng option: code, value (padded to 4). */
export function opt(code: number, value: Uint8Array, le = true): Uint8Array {
    const b = new Uint8Array(4 + ((value.length + 3) & ~3));
    const d = new DataView(b.buffer);
    d.setUint16(0, code, le);
    d.setUint16(2, value.length, le);
    b.set(value, 4);
    return b;
}

/** opt_endofopt. */
export const END_OPT = new Uint8Array(4);

/** Any pcapng block: type, total length, body (padded to 4), trailing total length. */
export function block(
    type: number,
    body: Uint8Array,
    le = true,
    totalOverride?: number,
    trailerOverride?: number,
): Uint8Array {
    const padded = (body.length + 3) & ~3;
    const total = 12 + padded;
    const b = new Uint8Array(total);
    const d = new DataView(b.buffer);
    d.setUint32(0, type, le);
    d.setUint32(4, totalOverride ?? total, le);
    b.set(body, 8);
    d.setUint32(total - 4, trailerOverride ?? totalOverride ?? total, le);
    return b;
}

/** Section Header Block. */
export function shb(le = true, major = 1, options: Uint8Array[] = []): Uint8Array {
    const body = new Uint8Array(16);
    const d = new DataView(body.buffer);
    d.setUint32(0, 0x1a2b3c4d, le);
    d.setUint16(4, major, le);
    d.setUint16(6, 0, le);
    d.setInt32(8, -1, le);
    d.setInt32(12, -1, le);
    return block(0x0a0d0d0a, concat(body, ...options), le);
}

export interface IdbOptions {
    le?: boolean;
    linkType?: number;
    snaplen?: number;
    /** Raw if_tsresol byte. */
    tsresol?: number;
    /** if_tsoffset seconds. */
    tsoffset?: bigint;
    extra?: Uint8Array[];
}

/** Interface Description Block. */
export function idb(o: IdbOptions = {}): Uint8Array {
    const le = o.le ?? true;
    const fixed = new Uint8Array(8);
    const d = new DataView(fixed.buffer);
    d.setUint16(0, o.linkType ?? 1, le);
    d.setUint32(4, o.snaplen ?? 0, le);
    const opts: Uint8Array[] = [...(o.extra ?? [])];
    if (o.tsresol !== undefined) opts.push(opt(9, Uint8Array.of(o.tsresol), le));
    if (o.tsoffset !== undefined) {
        const v = new Uint8Array(8);
        new DataView(v.buffer).setBigInt64(0, o.tsoffset, le);
        opts.push(opt(14, v, le));
    }
    if (opts.length > 0) opts.push(END_OPT);
    return block(1, concat(fixed, ...opts), le);
}

export interface EpbOptions {
    le?: boolean;
    ifId?: number;
    /** Timestamp in interface units. */
    ts: bigint;
    data: Uint8Array;
    origLen?: number;
    caplen?: number;
    options?: Uint8Array[];
    /** 2 = obsolete Packet Block (16-bit interface id + drops count). */
    type?: 2 | 6;
}

/** Enhanced Packet Block (or obsolete Packet Block). */
export function epb(o: EpbOptions): Uint8Array {
    const le = o.le ?? true;
    const fixed = new Uint8Array(20);
    const d = new DataView(fixed.buffer);
    if (o.type === 2) {
        d.setUint16(0, o.ifId ?? 0, le);
        d.setUint16(2, 0, le);
    } else d.setUint32(0, o.ifId ?? 0, le);
    d.setUint32(4, Number(o.ts >> 32n), le);
    d.setUint32(8, Number(o.ts & 0xffffffffn), le);
    d.setUint32(12, o.caplen ?? o.data.length, le);
    d.setUint32(16, o.origLen ?? o.data.length, le);
    const data = new Uint8Array((o.data.length + 3) & ~3);
    data.set(o.data);
    return block(o.type ?? 6, concat(fixed, data, ...(o.options ?? [])), le);
}

/** Simple Packet Block. */
export function spb(data: Uint8Array, origLen = data.length, le = true): Uint8Array {
    const fixed = new Uint8Array(4);
    new DataView(fixed.buffer).setUint32(0, origLen, le);
    return block(3, concat(fixed, data), le);
}

/** A frame with its bytes copied, comparable with t.same. */
export interface FrameCopy {
    ts: number;
    linkType: number;
    bytes: number[];
    origLen: number;
    ifIndex: number;
}

/** Copies a frame out of the sink call. */
export function copyFrame(f: CapturedFrame): FrameCopy {
    return { ts: f.ts, linkType: f.linkType, bytes: Array.from(f.bytes), origLen: f.origLen, ifIndex: f.ifIndex };
}

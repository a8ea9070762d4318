import { TcpFlag } from "./types.js";

/**
 * Builds Ethernet II / IPv4 / TCP frames: the inverse of decodeFrame for the simple case. The simulator
 * and the benchmarks use it to synthesise captures that tshark and our decoder both read.
 */
export interface TcpFrameSpec {
    srcMac?: Uint8Array;
    dstMac?: Uint8Array;
    srcAddr: string;
    dstAddr: string;
    srcPort: number;
    dstPort: number;
    seq: number;
    ack: number;
    flags?: number;
    window?: number;
    /** IPv4 identification field. */
    ipId?: number;
    ttl?: number;
    payload?: Uint8Array;
}

/** The per-direction constant part of a frame: everything but sequence numbers, flags, id and payload. */
export type TcpEndpointsSpec = Omit<TcpFrameSpec, "seq" | "ack" | "flags" | "ipId" | "payload">;

const DEFAULT_SRC_MAC = Uint8Array.of(0x00, 0x1e, 0x4a, 0x00, 0x00, 0x01);
const DEFAULT_DST_MAC = Uint8Array.of(0x00, 0x1e, 0x4a, 0x00, 0x00, 0x02);

/** Size of the Ethernet + IPv4 + TCP headers the builder writes (no IP or TCP options). */
export const TCP_FRAME_HEADER_SIZE = 54;

/** Dotted IPv4 text as an unsigned 32-bit number, or -1 when it is not a dotted quad. */
export function parseIpv4(addr: string): number {
    const parts = addr.split(".");
    if (parts.length !== 4) return -1;
    let v = 0;
    for (const p of parts) {
        if (!/^\d{1,3}$/.test(p)) return -1;
        const n = Number(p);
        if (n > 255) return -1;
        v = v * 256 + n;
    }
    return v;
}

function writeIpv4(out: Uint8Array, off: number, addr: string): void {
    const v = parseIpv4(addr);
    if (v < 0) throw new RangeError(`not an IPv4 address: ${addr}`);
    out[off] = v >>> 24;
    out[off + 1] = (v >>> 16) & 0xff;
    out[off + 2] = (v >>> 8) & 0xff;
    out[off + 3] = v & 0xff;
}

/** Internet checksum (RFC 1071) over `len` bytes from `off`, plus a starting sum. */
export function inetChecksum(bytes: Uint8Array, off: number, len: number, initial = 0): number {
    let sum = initial;
    const end = off + len - 1;
    let i = off;
    for (; i < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
    if (i === end) sum += bytes[i]! << 8;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    return ~sum & 0xffff;
}

/**
 * Frames of one direction of one connection. The 54 header bytes are prepared once; `writeInto` then only
 * patches lengths, sequence numbers, flags and checksums, and copies the payload (no allocation), which
 * is what multi-million-packet synthetic captures need.
 */
export class TcpFrameBuilder {
    readonly #template = new Uint8Array(TCP_FRAME_HEADER_SIZE);
    /** Pseudo-header sum of the addresses and the protocol. */
    readonly #pseudo: number;

    constructor(spec: TcpEndpointsSpec) {
        const h = this.#template;
        const dv = new DataView(h.buffer);
        h.set(spec.dstMac ?? DEFAULT_DST_MAC, 0);
        h.set(spec.srcMac ?? DEFAULT_SRC_MAC, 6);
        dv.setUint16(12, 0x0800);
        h[14] = 0x45;
        dv.setUint16(20, 0x4000); // DF
        h[22] = spec.ttl ?? 64;
        h[23] = 6;
        writeIpv4(h, 26, spec.srcAddr);
        writeIpv4(h, 30, spec.dstAddr);
        dv.setUint16(34, spec.srcPort);
        dv.setUint16(36, spec.dstPort);
        h[46] = 5 << 4;
        dv.setUint16(48, spec.window ?? 65535);
        let pseudo = 6;
        for (let i = 26; i < 34; i += 2) pseudo += (h[i]! << 8) | h[i + 1]!;
        this.#pseudo = pseudo;
    }

    /**
     * Writes the frame carrying payload[pStart, pEnd) at out[off..] and returns its length
     * (TCP_FRAME_HEADER_SIZE + pEnd - pStart). `out` must have the room.
     */
    writeInto(
        out: Uint8Array,
        off: number,
        seq: number,
        ack: number,
        flags: number,
        payload: Uint8Array | null,
        pStart: number,
        pEnd: number,
        ipId: number,
    ): number {
        const n = payload === null ? 0 : pEnd - pStart;
        out.set(this.#template, off);
        if (n > 0) out.set((payload as Uint8Array).subarray(pStart, pEnd), off + TCP_FRAME_HEADER_SIZE);
        const ipLen = 40 + n;
        out[off + 16] = ipLen >>> 8;
        out[off + 17] = ipLen & 0xff;
        out[off + 18] = (ipId >>> 8) & 0xff;
        out[off + 19] = ipId & 0xff;
        const ipSum = inetChecksum(out, off + 14, 20);
        out[off + 24] = ipSum >>> 8;
        out[off + 25] = ipSum & 0xff;
        out[off + 38] = seq >>> 24;
        out[off + 39] = (seq >>> 16) & 0xff;
        out[off + 40] = (seq >>> 8) & 0xff;
        out[off + 41] = seq & 0xff;
        out[off + 42] = ack >>> 24;
        out[off + 43] = (ack >>> 16) & 0xff;
        out[off + 44] = (ack >>> 8) & 0xff;
        out[off + 45] = ack & 0xff;
        out[off + 47] = flags & 0xff;
        const tcpSum = inetChecksum(out, off + 34, 20 + n, this.#pseudo + 20 + n);
        out[off + 50] = tcpSum >>> 8;
        out[off + 51] = tcpSum & 0xff;
        return TCP_FRAME_HEADER_SIZE + n;
    }

    /** One frame in a new array. */
    build(seq: number, ack: number, flags: number, payload?: Uint8Array, ipId = 0): Uint8Array {
        const p = payload ?? null;
        const out = new Uint8Array(TCP_FRAME_HEADER_SIZE + (p === null ? 0 : p.length));
        this.writeInto(out, 0, seq, ack, flags, p, 0, p === null ? 0 : p.length, ipId);
        return out;
    }
}

/** One Ethernet/IPv4/TCP frame with valid IP and TCP checksums. */
export function buildTcpFrame(spec: TcpFrameSpec): Uint8Array {
    return new TcpFrameBuilder(spec).build(
        spec.seq >>> 0,
        spec.ack >>> 0,
        spec.flags ?? TcpFlag.ACK | TcpFlag.PSH,
        spec.payload,
        spec.ipId ?? 0,
    );
}

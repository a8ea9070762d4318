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

const DEFAULT_SRC_MAC = Uint8Array.of(0x00, 0x1e, 0x4a, 0x00, 0x00, 0x01);
const DEFAULT_DST_MAC = Uint8Array.of(0x00, 0x1e, 0x4a, 0x00, 0x00, 0x02);

function writeIpv4(out: Uint8Array, off: number, addr: string): void {
    const parts = addr.split(".");
    for (let i = 0; i < 4; i++) out[off + i] = Number(parts[i]) & 0xff;
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

/** One Ethernet/IPv4/TCP frame with valid IP and TCP checksums. */
export function buildTcpFrame(spec: TcpFrameSpec): Uint8Array {
    const payload = spec.payload ?? new Uint8Array(0);
    const ipLen = 20 + 20 + payload.length;
    const frame = new Uint8Array(14 + ipLen);
    const dv = new DataView(frame.buffer);
    frame.set(spec.dstMac ?? DEFAULT_DST_MAC, 0);
    frame.set(spec.srcMac ?? DEFAULT_SRC_MAC, 6);
    dv.setUint16(12, 0x0800);
    // IPv4 header
    frame[14] = 0x45;
    dv.setUint16(16, ipLen);
    dv.setUint16(18, spec.ipId ?? 0);
    dv.setUint16(20, 0x4000); // DF
    frame[22] = spec.ttl ?? 64;
    frame[23] = 6;
    writeIpv4(frame, 26, spec.srcAddr);
    writeIpv4(frame, 30, spec.dstAddr);
    dv.setUint16(24, inetChecksum(frame, 14, 20));
    // TCP header
    dv.setUint16(34, spec.srcPort);
    dv.setUint16(36, spec.dstPort);
    dv.setUint32(38, spec.seq >>> 0);
    dv.setUint32(42, spec.ack >>> 0);
    frame[46] = 5 << 4;
    frame[47] = spec.flags ?? TcpFlag.ACK | TcpFlag.PSH;
    dv.setUint16(48, spec.window ?? 65535);
    frame.set(payload, 54);
    // TCP checksum over the pseudo-header, header and payload.
    let pseudo = 0;
    for (let i = 26; i < 34; i += 2) pseudo += (frame[i]! << 8) | frame[i + 1]!;
    pseudo += 6 + 20 + payload.length;
    dv.setUint16(50, inetChecksum(frame, 34, 20 + payload.length, pseudo));
    return frame;
}

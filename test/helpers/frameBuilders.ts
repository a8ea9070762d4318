// Hand-built frames for the wire decoder tests: each layer is a small byte-array builder.
import { isIP } from "node:net";
import type { CapturedFrame } from "../../src/capture/frame.js";

/** Concatenates byte arrays. */
export function concat(...parts: ArrayLike<number>[]): Uint8Array {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
        out.set(p, off);
        off += p.length;
    }
    return out;
}

/** Big-endian 16-bit. */
export function u16(v: number): number[] {
    return [(v >> 8) & 0xff, v & 0xff];
}

/** Big-endian 32-bit. */
export function u32(v: number): number[] {
    return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

export interface TcpSpec {
    srcPort?: number;
    dstPort?: number;
    seq?: number;
    ack?: number;
    flags?: number;
    window?: number;
    /** Raw option bytes; padded with EOL to a multiple of 4. */
    options?: number[];
    payload?: ArrayLike<number>;
    /** Override the data offset nibble (in 32-bit words). */
    dataOffset?: number;
}

/** A TCP header plus payload. */
export function tcp(spec: TcpSpec = {}): Uint8Array {
    const opts = [...(spec.options ?? [])];
    while (opts.length % 4 !== 0) opts.push(0);
    const doff = spec.dataOffset ?? 5 + opts.length / 4;
    return concat(
        u16(spec.srcPort ?? 51000),
        u16(spec.dstPort ?? 2000),
        u32(spec.seq ?? 0x01020304),
        u32(spec.ack ?? 0xfffffffe),
        [doff << 4, spec.flags ?? 0x18],
        u16(spec.window ?? 8192),
        [0, 0, 0, 0],
        opts,
        spec.payload ?? [],
    );
}

export interface Ipv4Spec {
    src?: string;
    dst?: string;
    protocol?: number;
    /** Raw option bytes (must be a multiple of 4). */
    options?: number[];
    /** Flags and fragment offset field (16 bits). */
    flagsFrag?: number;
    /** Override the total length field. */
    totalLength?: number;
    /** Override the IHL nibble. */
    ihl?: number;
    version?: number;
}

/** An IPv4 header in front of `payload`. */
export function ipv4(payload: ArrayLike<number>, spec: Ipv4Spec = {}): Uint8Array {
    const opts = spec.options ?? [];
    const ihl = spec.ihl ?? 5 + opts.length / 4;
    const total = spec.totalLength ?? 20 + opts.length + payload.length;
    return concat(
        [((spec.version ?? 4) << 4) | ihl, 0],
        u16(total),
        u16(0x1234),
        u16(spec.flagsFrag ?? 0x4000),
        [64, spec.protocol ?? 6],
        [0, 0],
        v4bytes(spec.src ?? "192.168.1.10"),
        v4bytes(spec.dst ?? "10.0.0.1"),
        opts,
        payload,
    );
}

/** The 4 bytes of a dotted-quad address. */
export function v4bytes(addr: string): number[] {
    return addr.split(".").map(Number);
}

/** The 16 bytes of any IPv6 text address (expands "::" and embedded IPv4). */
export function v6bytes(addr: string): number[] {
    if (isIP(addr) !== 6) throw new Error(`not IPv6: ${addr}`);
    let text = addr;
    const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (dotted) {
        const [a, b, c, d] = v4bytes(dotted[1]!) as [number, number, number, number];
        text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    }
    const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
    const h = head ? head.split(":") : [];
    const t = tail ? tail.split(":") : [];
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
    return groups.flatMap((g) => u16(Number.parseInt(g, 16)));
}

export interface Ipv6Ext {
    /** Extension header protocol number (0, 43, 44, 51, 60, ...). */
    type: number;
    /** Raw header bytes; byte 0 (next header) is filled in by ipv6(). */
    bytes: number[];
}

export interface Ipv6Spec {
    src?: string;
    dst?: string;
    /** Upper-layer protocol after the extension headers. */
    protocol?: number;
    ext?: Ipv6Ext[];
    /** Override the payload length field. */
    payloadLength?: number;
    version?: number;
}

/** An IPv6 header and extension-header chain in front of `payload`. */
export function ipv6(payload: ArrayLike<number>, spec: Ipv6Spec = {}): Uint8Array {
    const ext = spec.ext ?? [];
    const chain: number[] = [];
    ext.forEach((e, i) => {
        const next = ext[i + 1]?.type ?? spec.protocol ?? 6;
        chain.push(next, ...e.bytes.slice(1));
    });
    const first = ext[0]?.type ?? spec.protocol ?? 6;
    return concat(
        [(spec.version ?? 6) << 4, 0, 0, 0],
        u16(spec.payloadLength ?? chain.length + payload.length),
        [first, 64],
        v6bytes(spec.src ?? "2001:db8::10"),
        v6bytes(spec.dst ?? "2001:db8::1"),
        chain,
        payload,
    );
}

/** A generic (hop-by-hop / routing / destination options) extension header of 8 * (1 + hdrExtLen) bytes. */
export function optsExt(type: number, hdrExtLen = 0): Ipv6Ext {
    const bytes = new Array<number>(8 * (hdrExtLen + 1)).fill(0);
    bytes[1] = hdrExtLen;
    if (hdrExtLen === 0) bytes.splice(2, 6, 1, 4, 0, 0, 0, 0); // PadN
    return { type, bytes };
}

/** An IPv6 fragment header. */
export function fragExt(offset: number, more: boolean): Ipv6Ext {
    return { type: 44, bytes: [0, 0, ...u16((offset << 3) | (more ? 1 : 0)), ...u32(0xabcd)] };
}

/** An authentication header with `icvWords` 32-bit words of ICV (length field = 1 + icvWords). */
export function ahExt(icvWords: number): Ipv6Ext {
    return {
        type: 51,
        bytes: [0, 1 + icvWords, 0, 0, ...u32(0x100), ...u32(7), ...new Array<number>(icvWords * 4).fill(0xee)],
    };
}

/** Ethernet II header with optional stacked tags: each tag is [tpid, tci]. */
export function ether(payload: ArrayLike<number>, type: number, tags: Array<[number, number]> = []): Uint8Array {
    return concat(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        ...tags.flatMap(([tpid, tci]) => [u16(tpid), u16(tci)]),
        u16(type),
        payload,
    );
}

/** Linux cooked v1 header. */
export function sll(payload: ArrayLike<number>, protocol: number): Uint8Array {
    return concat(u16(0), u16(1), u16(6), [0, 1, 2, 3, 4, 5, 0, 0], u16(protocol), payload);
}

/** Linux cooked v2 header. */
export function sll2(payload: ArrayLike<number>, protocol: number): Uint8Array {
    return concat(u16(protocol), u16(0), u32(2), u16(1), [0, 6], [0, 1, 2, 3, 4, 5, 0, 0], payload);
}

/** BSD null header in little- or big-endian host order. */
export function nullHdr(payload: ArrayLike<number>, family: number, littleEndian: boolean): Uint8Array {
    const fam = u32(family);
    return concat(littleEndian ? fam.reverse() : fam, payload);
}

/** Wraps bytes as a captured frame. */
export function frame(linkType: number, bytes: Uint8Array, origLen = bytes.length): CapturedFrame {
    return { ts: 1700000000.25, linkType, bytes, origLen, ifIndex: 0 };
}

/** A typical Ethernet/IPv4/TCP frame with a small payload. */
export function ethTcpV4(payload: ArrayLike<number> = [1, 2, 3, 4, 5], t: TcpSpec = {}, ip: Ipv4Spec = {}): Uint8Array {
    return ether(ipv4(tcp({ ...t, payload }), ip), 0x0800);
}

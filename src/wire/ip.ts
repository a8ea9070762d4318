import { Drop } from "./outcome.js";

/**
 * What the IP step hands to the TCP step. One instance is reused for every frame (no allocation
 * per packet); it is only meaningful right after a successful decodeIpv4/decodeIpv6 call.
 */
export interface IpInfo {
    version: 4 | 6;
    src: string;
    dst: string;
    /** Offset of the TCP header in the frame bytes. */
    l4Start: number;
    /** End of the IP payload (exclusive): link-layer padding and trailers are cut off here. */
    l4End: number;
}

/** Creates a scratch IpInfo for decodeIpv4/decodeIpv6. */
export function newIpInfo(): IpInfo {
    return { version: 4, src: "", dst: "", l4Start: 0, l4End: 0 };
}

const PROTO_TCP = 6;
/** Extension headers walked before giving up as malformed (real stacks send 0-3). */
export const MAX_IPV6_EXT_HEADERS = 16;

/**
 * Decodes an IPv4 header at `off`. On success (returns 0) fills `out` with the addresses and the
 * TCP segment bounds; otherwise returns a Drop code. `snapCut` tells that the capture cut the frame.
 */
export function decodeIpv4(bytes: Uint8Array, off: number, snapCut: boolean, out: IpInfo): number {
    const len = bytes.length;
    if (off + 20 > len) return Drop.MALFORMED;
    const vihl = bytes[off]!;
    if (vihl >> 4 !== 4) return Drop.MALFORMED;
    const headerLen = (vihl & 0x0f) * 4;
    if (headerLen < 20) return Drop.MALFORMED;
    let total = (bytes[off + 2]! << 8) | bytes[off + 3]!;
    if (total === 0) {
        // TCP segmentation offload on the capturing host leaves 0 here (as Wireshark, use what was captured).
        if (snapCut) return Drop.MALFORMED;
        total = len - off;
    }
    // A total length past the captured bytes is either a lie or a snaplen cut: the payload is incomplete.
    if (total < headerLen || off + total > len) return Drop.MALFORMED;
    // MF flag (0x20) or any fragment offset bit.
    if (((bytes[off + 6]! & 0x3f) | bytes[off + 7]!) !== 0) return Drop.IP_FRAGMENT;
    if (bytes[off + 9] !== PROTO_TCP) return Drop.NON_TCP;
    out.version = 4;
    out.src = ipv4ToString(bytes, off + 12);
    out.dst = ipv4ToString(bytes, off + 16);
    out.l4Start = off + headerLen;
    out.l4End = off + total;
    return 0;
}

/**
 * Decodes an IPv6 header and its extension-header chain at `off`. On success (returns 0) fills `out`;
 * otherwise returns a Drop code. `snapCut` tells that the capture cut the frame.
 */
export function decodeIpv6(bytes: Uint8Array, off: number, snapCut: boolean, out: IpInfo): number {
    const len = bytes.length;
    if (off + 40 > len) return Drop.MALFORMED;
    if (bytes[off]! >> 4 !== 6) return Drop.MALFORMED;
    const payloadLen = (bytes[off + 4]! << 8) | bytes[off + 5]!;
    let end: number;
    if (payloadLen === 0) {
        // Jumbogram or TSO on the capturing host: use what was captured, if it was not cut.
        if (snapCut) return Drop.MALFORMED;
        end = len;
    } else {
        end = off + 40 + payloadLen;
        if (end > len) return Drop.MALFORMED;
    }
    let next = bytes[off + 6]!;
    let p = off + 40;
    for (let hops = 0; ; hops++) {
        if (next === PROTO_TCP) break;
        if (hops === MAX_IPV6_EXT_HEADERS) return Drop.MALFORMED;
        if (next === 0 || next === 43 || next === 60) {
            // Hop-by-hop, routing, destination options: length in 8-octet units, not counting the first 8.
            if (p + 2 > end) return Drop.MALFORMED;
            next = bytes[p]!;
            p += (bytes[p + 1]! + 1) * 8;
        } else if (next === 44) {
            if (p + 8 > end) return Drop.MALFORMED;
            // Offset (13 bits) and M flag; an atomic fragment (both 0) is a whole packet.
            if ((((bytes[p + 2]! << 8) | bytes[p + 3]!) & 0xfff9) !== 0) return Drop.IP_FRAGMENT;
            next = bytes[p]!;
            p += 8;
        } else if (next === 51) {
            // AH: length in 4-octet units, minus 2.
            if (p + 2 > end) return Drop.MALFORMED;
            next = bytes[p]!;
            p += (bytes[p + 1]! + 2) * 4;
        } else {
            // ESP (50, encrypted), no next header (59), UDP, ICMPv6, ...
            return Drop.NON_TCP;
        }
        if (p > end) return Drop.MALFORMED;
    }
    out.version = 6;
    out.src = ipv6ToString(bytes, off + 8);
    out.dst = ipv6ToString(bytes, off + 24);
    out.l4Start = p;
    out.l4End = end;
    return 0;
}

const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

// Direct-mapped caches: a mirror port sees few hosts, so nearly every lookup hits, and the memory is fixed
// whatever the traffic. Slots start as the all-zero address so that key 0 needs no "empty" marker.
const V4_SLOTS = 4096;
const v4Keys = new Int32Array(V4_SLOTS);
const v4Strings: string[] = new Array<string>(V4_SLOTS).fill("0.0.0.0");

/** Dotted-quad text of the 4 bytes at `off` (cached). */
export function ipv4ToString(bytes: Uint8Array, off: number): string {
    const key = (bytes[off]! << 24) | (bytes[off + 1]! << 16) | (bytes[off + 2]! << 8) | bytes[off + 3]!;
    const slot = Math.imul(key, 0x9e3779b1) >>> 20; // Fibonacci hashing onto 12 bits
    if (v4Keys[slot] === key) return v4Strings[slot]!;
    const text = `${DEC[key >>> 24]}.${DEC[(key >> 16) & 0xff]}.${DEC[(key >> 8) & 0xff]}.${DEC[key & 0xff]}`;
    v4Keys[slot] = key;
    v4Strings[slot] = text;
    return text;
}

const V6_SLOTS = 1024;
const v6Keys = new Int32Array(V6_SLOTS * 4);
const v6Strings: string[] = new Array<string>(V6_SLOTS).fill("::");
const groups = new Uint16Array(8);

/** RFC 5952 text of the 16 bytes at `off` (cached), formatted exactly like inet_ntop, Node and tshark. */
export function ipv6ToString(bytes: Uint8Array, off: number): string {
    const w0 = (bytes[off]! << 24) | (bytes[off + 1]! << 16) | (bytes[off + 2]! << 8) | bytes[off + 3]!;
    const w1 = (bytes[off + 4]! << 24) | (bytes[off + 5]! << 16) | (bytes[off + 6]! << 8) | bytes[off + 7]!;
    const w2 = (bytes[off + 8]! << 24) | (bytes[off + 9]! << 16) | (bytes[off + 10]! << 8) | bytes[off + 11]!;
    const w3 = (bytes[off + 12]! << 24) | (bytes[off + 13]! << 16) | (bytes[off + 14]! << 8) | bytes[off + 15]!;
    const slot = Math.imul(w0 ^ Math.imul(w1, 31) ^ Math.imul(w2, 961) ^ Math.imul(w3, 29791), 0x9e3779b1) >>> 22;
    const k = slot * 4;
    if (v6Keys[k] === w0 && v6Keys[k + 1] === w1 && v6Keys[k + 2] === w2 && v6Keys[k + 3] === w3) {
        return v6Strings[slot]!;
    }
    const text = formatIpv6(bytes, off);
    v6Keys[k] = w0;
    v6Keys[k + 1] = w1;
    v6Keys[k + 2] = w2;
    v6Keys[k + 3] = w3;
    v6Strings[slot] = text;
    return text;
}

/** Uncached RFC 5952 formatting: lowercase hex, longest run (>= 2) of zero groups as "::", first on ties. */
function formatIpv6(bytes: Uint8Array, off: number): string {
    let bestStart = -1;
    let bestLen = 1;
    let runStart = -1;
    for (let i = 0; i < 8; i++) {
        const g = (bytes[off + 2 * i]! << 8) | bytes[off + 2 * i + 1]!;
        groups[i] = g;
        if (g !== 0) {
            runStart = -1;
        } else {
            if (runStart < 0) runStart = i;
            if (i - runStart + 1 > bestLen) {
                bestStart = runStart;
                bestLen = i - runStart + 1;
            }
        }
    }
    // Embedded IPv4 as inet_ntop writes it: IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d.
    if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff))) {
        const v4 = `${DEC[bytes[off + 12]!]}.${DEC[bytes[off + 13]!]}.${DEC[bytes[off + 14]!]}.${DEC[bytes[off + 15]!]}`;
        return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`;
    }
    let text = "";
    for (let i = 0; i < 8; i++) {
        if (i === bestStart) {
            text += "::";
            i += bestLen - 1;
            continue;
        }
        if (i !== 0 && i !== bestStart + bestLen) text += ":";
        text += groups[i]!.toString(16);
    }
    return text;
}

import { u32be } from "../util/bytes.js";
import type { IpInfo } from "./ip.js";
import type { TcpOptions, TcpSegment } from "./types.js";

/** The options of every segment whose header has none: shared, so a plain segment allocates no second object. */
const NO_OPTIONS: TcpOptions = Object.freeze({});

/**
 * Decodes the TCP header in `bytes[ip.l4Start, ip.l4End)` into a segment whose payload is a view of
 * `bytes` (no copy). Returns null when the header is truncated or its data offset is impossible.
 */
export function decodeTcp(bytes: Uint8Array, ip: IpInfo, ts: number): TcpSegment | null {
    const p = ip.l4Start;
    const end = ip.l4End;
    if (p + 20 > end) return null;
    const headerLen = (bytes[p + 12]! >> 4) * 4;
    if (headerLen < 20 || p + headerLen > end) return null;
    return {
        ts,
        ipVersion: ip.version,
        srcAddr: ip.src,
        dstAddr: ip.dst,
        srcPort: (bytes[p]! << 8) | bytes[p + 1]!,
        dstPort: (bytes[p + 2]! << 8) | bytes[p + 3]!,
        seq: u32be(bytes, p + 4),
        ack: u32be(bytes, p + 8),
        flags: bytes[p + 13]!,
        window: (bytes[p + 14]! << 8) | bytes[p + 15]!,
        options: headerLen === 20 ? NO_OPTIONS : parseTcpOptions(bytes, p + 20, p + headerLen),
        payload: bytes.subarray(p + headerLen, end),
    };
}

/**
 * Parses the TCP option list in `bytes[start, end)`. Unknown options are skipped by their length;
 * a malformed list (length < 2 or running past the header) ends parsing, keeping what was read so far,
 * as Wireshark does. Known options with a wrong length are skipped.
 */
export function parseTcpOptions(bytes: Uint8Array, start: number, end: number): TcpOptions {
    const options: TcpOptions = {};
    let i = start;
    while (i < end) {
        const kind = bytes[i]!;
        if (kind === 0) break; // end of option list
        if (kind === 1) {
            i++; // NOP
            continue;
        }
        if (i + 2 > end) break;
        const len = bytes[i + 1]!;
        if (len < 2 || i + len > end) break;
        switch (kind) {
            case 2: // MSS
                if (len === 4) options.mss = (bytes[i + 2]! << 8) | bytes[i + 3]!;
                break;
            case 3: // window scale
                if (len === 3) options.windowScale = bytes[i + 2]!;
                break;
            case 4: // SACK permitted
                if (len === 2) options.sackPermitted = true;
                break;
            case 5: // SACK: 1 to 4 blocks of (left, right) edges
                if (len > 2 && (len - 2) % 8 === 0) {
                    const blocks: Array<[number, number]> = [];
                    for (let b = i + 2; b < i + len; b += 8) blocks.push([u32be(bytes, b), u32be(bytes, b + 4)]);
                    options.sack = blocks;
                }
                break;
            case 8: // timestamps
                if (len === 10) {
                    options.tsVal = u32be(bytes, i + 2);
                    options.tsEcr = u32be(bytes, i + 6);
                }
                break;
        }
        i += len;
    }
    return options;
}

import type { CapturedFrame } from "../capture/frame.js";
import { decodeIpv4, decodeIpv6, newIpInfo } from "./ip.js";
import { linkPayload, NetProto, payloadOffset, payloadProto } from "./link.js";
import { Drop } from "./outcome.js";
import { decodeTcp } from "./tcp.js";
import type { TcpSegment, WireCounters } from "./types.js";

// Reused for every frame: decoding is synchronous, so one scratch record is enough.
const ip = newIpInfo();

/**
 * Decodes a captured frame down to its TCP segment (link layer -> IPv4/IPv6 -> TCP).
 * Counts every frame in `frames`/`bytes` and in exactly one of `tcp` or a drop counter; never throws.
 * The segment's payload is a view of `frame.bytes`, valid only during the synchronous call.
 */
export function decodeFrame(frame: CapturedFrame, counters: WireCounters): TcpSegment | null {
    const bytes = frame.bytes;
    counters.frames++;
    counters.bytes += bytes.length;
    const code = decodeNetwork(frame.linkType, bytes, frame.origLen > bytes.length);
    if (code === 0) {
        const segment = decodeTcp(bytes, ip, frame.ts);
        if (segment !== null) {
            counters.tcp++;
            return segment;
        }
        counters.malformed++;
        return null;
    }
    countDrop(counters, code);
    return null;
}

/** Link and IP layers: returns 0 with `ip` filled, or a Drop code. */
function decodeNetwork(linkType: number, bytes: Uint8Array, snapCut: boolean): number {
    const packed = linkPayload(linkType, bytes);
    if (packed < 0) return packed;
    const off = payloadOffset(packed);
    let proto = payloadProto(packed);
    if (proto === NetProto.ANY) {
        // Raw IP: the version nibble decides (linkPayload checked that the byte exists).
        const version = bytes[off]! >> 4;
        if (version === 4) proto = NetProto.IPV4;
        else if (version === 6) proto = NetProto.IPV6;
        else return Drop.MALFORMED;
    }
    return proto === NetProto.IPV4 ? decodeIpv4(bytes, off, snapCut, ip) : decodeIpv6(bytes, off, snapCut, ip);
}

/** Adds one to the counter that a Drop code stands for. */
function countDrop(counters: WireCounters, code: number): void {
    switch (code) {
        case Drop.UNSUPPORTED_LINK_TYPE:
            counters.unsupportedLinkType++;
            break;
        case Drop.NON_IP:
            counters.nonIp++;
            break;
        case Drop.NON_TCP:
            counters.nonTcp++;
            break;
        case Drop.IP_FRAGMENT:
            counters.ipFragments++;
            break;
        default:
            counters.malformed++;
            break;
    }
}

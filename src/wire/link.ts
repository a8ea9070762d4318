import { Drop } from "./outcome.js";

/**
 * Network-layer protocol announced by the link layer, packed into the low 3 bits of
 * {@link linkPayload}'s result. ANY means "raw IP: let the version nibble decide".
 */
export const NetProto = { ANY: 0, IPV4: 4, IPV6: 6 } as const;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100; // 802.1Q
const ETHERTYPE_QINQ = 0x88a8; // 802.1ad
const ETHERTYPE_QINQ_OLD = 0x9100; // pre-standard QinQ

/**
 * Finds the network-layer header of a captured frame.
 * Returns `offset * 8 + NetProto.*` (decode with {@link payloadOffset} and {@link payloadProto}),
 * or a negative Drop code (unsupported link type, non-IP payload, truncated link header).
 */
export function linkPayload(linkType: number, bytes: Uint8Array): number {
    const len = bytes.length;
    switch (linkType) {
        case 1: // Ethernet II / 802.3
            if (len < 14) return Drop.MALFORMED;
            return etherPayload(bytes, (bytes[12]! << 8) | bytes[13]!, 14);
        case 113: // Linux cooked v1: protocol at 14, header 16
            if (len < 16) return Drop.MALFORMED;
            return etherPayload(bytes, (bytes[14]! << 8) | bytes[15]!, 16);
        case 276: // Linux cooked v2: protocol at 0, header 20
            if (len < 20) return Drop.MALFORMED;
            return etherPayload(bytes, (bytes[0]! << 8) | bytes[1]!, 20);
        case 0: {
            // BSD null: address family in the capturing host's byte order, so accept both.
            if (len < 4) return Drop.MALFORMED;
            let family = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24);
            if ((family & 0xffff0000) !== 0)
                family = (bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!;
            return bsdFamily(family);
        }
        case 108: // OpenBSD loop: family in network order
            if (len < 4) return Drop.MALFORMED;
            return bsdFamily((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!);
        case 101: // raw IP (LINKTYPE_RAW) and its old DLT value 12
        case 12:
            return len === 0 ? Drop.MALFORMED : NetProto.ANY;
        case 228:
            return NetProto.IPV4;
        case 229:
            return NetProto.IPV6;
        default:
            return Drop.UNSUPPORTED_LINK_TYPE;
    }
}

/** Byte offset of the network header in a non-negative {@link linkPayload} result. */
export function payloadOffset(packed: number): number {
    return packed >>> 3;
}

/** NetProto.* of a non-negative {@link linkPayload} result. */
export function payloadProto(packed: number): number {
    return packed & 7;
}

/** Skips any stack of 802.1Q/802.1ad tags starting with `type` (read just before `off`). */
function etherPayload(bytes: Uint8Array, type: number, off: number): number {
    // Each tag consumes 4 bytes, so the walk is bounded by the frame length.
    while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
        if (off + 4 > bytes.length) return Drop.MALFORMED;
        type = (bytes[off + 2]! << 8) | bytes[off + 3]!;
        off += 4;
    }
    if (type === ETHERTYPE_IPV4) return off * 8 + NetProto.IPV4;
    if (type === ETHERTYPE_IPV6) return off * 8 + NetProto.IPV6;
    // Everything else, including 802.3 length fields (<= 1500), ARP, LLDP, ...
    return Drop.NON_IP;
}

/** Maps a BSD address family (after the 4-byte null/loop header) to a packed payload result. */
function bsdFamily(family: number): number {
    if (family === 2) return 4 * 8 + NetProto.IPV4;
    // AF_INET6 differs per BSD: 24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS.
    if (family === 24 || family === 28 || family === 30) return 4 * 8 + NetProto.IPV6;
    return Drop.NON_IP;
}

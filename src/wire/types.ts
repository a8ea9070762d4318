/** One decoded TCP segment, as the reassembler consumes it. */
export interface TcpSegment {
    /** Capture time in seconds since the epoch. */
    ts: number;
    /** 4 for IPv4, 6 for IPv6. */
    ipVersion: 4 | 6;
    /** Source and destination addresses in text form ("10.0.0.1", "fe80::1"). */
    srcAddr: string;
    dstAddr: string;
    srcPort: number;
    dstPort: number;
    /** Sequence and acknowledgement numbers, unsigned 32-bit. */
    seq: number;
    ack: number;
    /** TCP flag bits (TcpFlag.*). */
    flags: number;
    window: number;
    /** Parsed options that matter to a passive observer (MSS, window scale, SACK permitted, timestamps). */
    options: TcpOptions;
    /** The TCP payload: a view into the frame (valid only during the synchronous call). */
    payload: Uint8Array;
}

export interface TcpOptions {
    mss?: number;
    windowScale?: number;
    sackPermitted?: boolean;
    /** SACK blocks as [left, right) pairs. */
    sack?: Array<[number, number]>;
    tsVal?: number;
    tsEcr?: number;
}

export const TcpFlag = {
    FIN: 0x01,
    SYN: 0x02,
    RST: 0x04,
    PSH: 0x08,
    ACK: 0x10,
    URG: 0x20,
    ECE: 0x40,
    CWR: 0x80,
} as const;

/**
 * Counters of what the wire decoder saw and skipped. Every frame ends up in exactly one of
 * `tcp` or one of the drop counters, so `frames` equals their sum.
 */
export interface WireCounters {
    frames: number;
    bytes: number;
    /** Frames that yielded a TCP segment. */
    tcp: number;
    /** Link type we do not decode. */
    unsupportedLinkType: number;
    /** Link layer decoded but the payload is neither IPv4 nor IPv6 (ARP, LLDP, ...). */
    nonIp: number;
    /** IP but not TCP (UDP, ICMP, ...). */
    nonTcp: number;
    /** IPv4 fragments (counted and dropped: SCCP segments are never fragmented in practice). */
    ipFragments: number;
    /** Truncated or inconsistent link, IP or TCP headers (bad lengths, bad versions, snaplen cuts). */
    malformed: number;
}

export function newWireCounters(): WireCounters {
    return { frames: 0, bytes: 0, tcp: 0, unsupportedLinkType: 0, nonIp: 0, nonTcp: 0, ipFragments: 0, malformed: 0 };
}

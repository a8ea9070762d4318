/**
 * What every capture source yields: one link-layer frame.
 *
 * `bytes` is only valid during the synchronous sink call: live capture reuses one buffer for every
 * packet, and file sources hand out views into their read chunk. Whoever keeps bytes copies them.
 */
export interface CapturedFrame {
    /** Capture time, seconds since the Unix epoch (fractional). */
    ts: number;
    /** LINKTYPE_* number (1 Ethernet, 113 Linux SLL, 276 SLL2, 0 null, 101 raw, ...). */
    linkType: number;
    /** The captured bytes (possibly shorter than the frame on the wire). */
    bytes: Uint8Array;
    /** Length of the frame on the wire. */
    origLen: number;
    /** Interface index (pcapng) or 0. */
    ifIndex: number;
}

export type FrameSink = (frame: CapturedFrame) => void;

/** Link-layer types we decode (values from the tcpdump.org LINKTYPE registry). */
export const LinkType = {
    NULL: 0,
    ETHERNET: 1,
    RAW: 101,
    LOOP: 108,
    LINUX_SLL: 113,
    IPV4: 228,
    IPV6: 229,
    LINUX_SLL2: 276,
} as const;

/**
 * SCCP framer over one direction's reassembled byte stream: 12-byte little-endian header
 * (length, headerVersion, messageId), wire size = length + 8.
 *
 * The generic `ResyncFramer` (wire/resyncFramer.ts) does the framing; this file says what an SCCP header
 * is: sane length and header version in sync; when hunting, a known header version and id with a length
 * that fits one of the id's layouts, confirmed by the following header. A message split across pushes is
 * buffered, at most SCCP_MAX_LENGTH + 8 bytes.
 */

import { u32le as u32 } from "../util/bytes.js";
import { type FrameShape, ResyncFramer, type ResyncFramerStats, type ResyncSink } from "../wire/resyncFramer.js";
import { isKnownSccpId, SCCP_HEADER_SIZE, SCCP_MAX_LENGTH, sccpMaxBody, sccpMinBody } from "./codec.js";

/** Receives framed messages. Views are only valid during the call. */
export interface SccpFrameSink extends ResyncSink {
    /** One message: the body is buf[start, end); the whole frame is buf[start - 12, end). */
    onMessage(hv: number, id: number, buf: Uint8Array, start: number, end: number): void;
}

/** Framer counters (`lengthMismatches` stays 0: the length word is what sizes an SCCP frame). */
export type SccpFramerStats = ResyncFramerStats;

/**
 * Header versions accepted when hunting for a header: Wireshark 4.0's list (0, 0x0A, 0x0B, 0x0F-0x16) plus
 * 0x0C-0x0E, which chan-sccp-b stamps for protocols 12-14 (it sends 0 below protocol 10).
 */
function knownHv(hv: number): boolean {
    return hv === 0 || (hv >= 0x0a && hv <= 0x16);
}
/** Highest header version accepted while in sync (reference section 7: 0 or 1..0x20). */
const MAX_SYNCED_HV = 0x20;

/** The SCCP header as the generic framer reads it. */
class SccpShape implements FrameShape<SccpFrameSink> {
    readonly headerSize = SCCP_HEADER_SIZE;
    readonly maxFrame = SCCP_MAX_LENGTH + 8;
    /** Small: most split messages are keepalives and call states of a few dozen bytes. */
    readonly minBuffer = 64;
    /** Thousands of mostly idle phone connections must not each keep a large buffer. */
    readonly keepBuffer = 1024;
    readonly confirmByNext = true;

    frameSize(b: Uint8Array, o: number): number {
        const length = u32(b, o);
        if (length < 4 || length > SCCP_MAX_LENGTH || u32(b, o + 4) > MAX_SYNCED_HV) return -1;
        return length + 8;
    }

    /** The first word alone already tells the message's size. */
    sizeFromPrefix(b: Uint8Array, n: number): number {
        if (n < 4) return -1;
        const length = u32(b, 0);
        return length >= 4 && length <= SCCP_MAX_LENGTH ? length + 8 : -1;
    }

    /** Strict: known hv and id, length within the id's layouts. */
    huntable(b: Uint8Array, o: number): boolean {
        const len = u32(b, o);
        if (len < 4 || len > SCCP_MAX_LENGTH) return false;
        if (!knownHv(u32(b, o + 4))) return false;
        const id = u32(b, o + 8);
        if (!isKnownSccpId(id)) return false;
        // A body shorter than every layout of the id (e.g. an empty EnblocCall) is a coincidence in the data.
        const body = len - 4;
        return body <= sccpMaxBody(id) && body >= sccpMinBody(id);
    }

    deliver(sink: SccpFrameSink, b: Uint8Array, start: number, total: number): void {
        sink.onMessage(u32(b, start + 4), u32(b, start + 8), b, start + SCCP_HEADER_SIZE, start + total);
    }
}

const SCCP_SHAPE = new SccpShape();

/** Splits one direction of an SCCP connection into messages: the generic framer in SCCP's shape. */
export class SccpFramer extends ResyncFramer<SccpFrameSink> {
    /** `synced: false` when the stream starts mid-connection (no SYN seen). */
    constructor(options: { synced?: boolean } = {}) {
        super(SCCP_SHAPE, options.synced !== false);
    }
}

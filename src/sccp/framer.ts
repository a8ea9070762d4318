/**
 * SCCP framer over one direction's reassembled byte stream: 12-byte little-endian header
 * (length, headerVersion, messageId), wire size = length + 8.
 *
 * Push-based and synchronous. Complete messages inside a pushed chunk are handed to the sink as offsets
 * into that chunk (no copy); only a message split across pushes is copied into one fixed buffer of
 * SCCP_MAX_LENGTH + 8 bytes, which bounds memory. After a gap or an implausible header it scans for the
 * next plausible header (known header version and id, sane length, and the following header plausible too)
 * and counts what it skips.
 */

import { u32le as u32 } from "../util/bytes.js";
import { isKnownSccpId, SCCP_HEADER_SIZE, SCCP_MAX_LENGTH, sccpMaxBody, sccpMinBody } from "./codec.js";

/** Receives framed messages. Views are only valid during the call. */
export interface SccpFrameSink {
    /** One message: the body is buf[start, end); the whole frame is buf[start - 12, end). */
    onMessage(hv: number, id: number, buf: Uint8Array, start: number, end: number): void;
    /** The framer found a plausible header again after skipping `skippedBytes` (> 0) bytes. */
    onResync?(skippedBytes: number): void;
}

/** Framer counters. */
export interface SccpFramerStats {
    /** Messages delivered. */
    messages: number;
    /** Bytes of delivered messages (headers included). */
    bytes: number;
    /** gap() calls and the bytes they reported missing. */
    gaps: number;
    missedBytes: number;
    /** Bytes of partial messages dropped because of a gap or the end of the stream. */
    discardedBytes: number;
    /** Implausible headers met while in sync. */
    desyncs: number;
    /** Times sync was regained after skipping bytes, and the bytes skipped. */
    resyncs: number;
    skippedBytes: number;
}

/**
 * Header versions accepted when hunting for a header: Wireshark 4.0's list (0, 0x0A, 0x0B, 0x0F-0x16) plus
 * 0x0C-0x0E, which chan-sccp-b stamps for protocols 12-14 (it sends 0 below protocol 10).
 */
function knownHv(hv: number): boolean {
    return hv === 0 || (hv >= 0x0a && hv <= 0x16);
}
/** Highest header version accepted while in sync (reference section 7: 0 or 1..0x20). */
const MAX_SYNCED_HV = 0x20;
/** Capacity of the partial-message buffer. */
const BUF_SIZE = SCCP_MAX_LENGTH + 8;
/** A buffer grown beyond this is released once its message is delivered. */
const KEEP_BUF = 1024;
const EMPTY = new Uint8Array(0);

/** Strict header test used when hunting for sync: known hv and id, length within the id's layouts. */
function plausibleHeader(b: Uint8Array, o: number): boolean {
    const len = u32(b, o);
    if (len < 4 || len > SCCP_MAX_LENGTH) return false;
    if (!knownHv(u32(b, o + 4))) return false;
    const id = u32(b, o + 8);
    if (!isKnownSccpId(id)) return false;
    // A body shorter than every layout of the id (e.g. an empty EnblocCall) is a coincidence in the data.
    const body = len - 4;
    return body <= sccpMaxBody(id) && body >= sccpMinBody(id);
}

/** Splits one direction of an SCCP connection into messages. */
export class SccpFramer {
    /** Counters since construction. */
    readonly stats: SccpFramerStats = {
        messages: 0,
        bytes: 0,
        gaps: 0,
        missedBytes: 0,
        discardedBytes: 0,
        desyncs: 0,
        resyncs: 0,
        skippedBytes: 0,
    };
    /**
     * Partial-message buffer, allocated on demand and grown up to BUF_SIZE: a branch has thousands of
     * mostly idle connections, so a fixed 8 KiB per direction would cost hundreds of megabytes.
     */
    private buf: Uint8Array = EMPTY;
    /** Bytes held in `buf`: a partial message when synced, an unscanned tail (< 23 bytes) when hunting. */
    private held = 0;
    /** Wire size of the held message once its header is known, else 0. */
    private need = 0;
    private synced: boolean;
    /** Bytes still to drop of a message whose middle was lost in a gap (sync is kept). */
    private skip = 0;
    /** Bytes skipped in the current hunt. */
    private hunted = 0;

    /** `synced: false` when the stream starts mid-connection (no SYN seen). */
    constructor(options: { synced?: boolean } = {}) {
        this.synced = options.synced !== false;
    }

    /** Bytes currently buffered (at most SCCP_MAX_LENGTH + 8). */
    get buffered(): number {
        return this.held;
    }

    /** True while the framer knows where the next header starts. */
    get inSync(): boolean {
        return this.synced;
    }

    /** Feeds the next contiguous bytes of the stream; `bytes` is only read during the call. */
    push(bytes: Uint8Array, sink: SccpFrameSink): void {
        let pos = 0;
        const len = bytes.length;
        if (this.skip > 0) {
            const n = Math.min(this.skip, len);
            this.skip -= n;
            this.stats.discardedBytes += n;
            pos = n;
            if (pos === len) return;
        }
        if (!this.synced) {
            this.process(this.withTail(bytes, pos), 0, sink);
            return;
        }
        if (this.held > 0) {
            pos = this.completeHeld(bytes, pos, sink);
            if (pos < 0) return;
        }
        this.process(bytes, pos, sink);
    }

    /**
     * Reports `missedBytes` lost before the next push and returns the bytes of the partial message dropped.
     * Sync is kept when the loss lies inside the message being received (its rest is skipped); otherwise,
     * or when `missedBytes` is 0 (unknown amount), the framer hunts for the next header.
     */
    gap(missedBytes: number): number {
        this.stats.gaps++;
        this.stats.missedBytes += missedBytes;
        if (!this.synced) {
            // The unscanned tail cannot join the bytes after the gap.
            this.hunted += this.held;
            this.held = 0;
            return 0;
        }
        const discarded = this.held;
        this.stats.discardedBytes += discarded;
        let rest = -1;
        if (this.skip > 0) rest = this.skip;
        else if (this.need > 0) rest = this.need - this.held;
        else if (this.held >= 4) {
            // Only part of the header arrived, but its first word already tells the message's size.
            const length = u32(this.buf, 0);
            if (length >= 4 && length <= SCCP_MAX_LENGTH) rest = length + 8 - this.held;
        }
        this.held = 0;
        this.need = 0;
        if (missedBytes > 0 && missedBytes <= rest) {
            this.skip = rest - missedBytes;
            return discarded;
        }
        this.skip = 0;
        this.synced = false;
        return discarded;
    }

    /** End of stream: drops a held partial message (returned), reports a pending hunt through the sink. */
    end(sink?: SccpFrameSink): number {
        let discarded = 0;
        if (this.synced) {
            discarded = this.held;
            this.stats.discardedBytes += discarded;
        } else {
            this.hunted += this.held;
            this.finishHunt(sink);
        }
        this.held = 0;
        this.need = 0;
        this.skip = 0;
        return discarded;
    }

    /** Frames data[pos..]: whole messages go to the sink from `data` itself, the remainder is stashed. */
    private process(data: Uint8Array, pos: number, sink: SccpFrameSink): void {
        const len = data.length;
        const stats = this.stats;
        for (;;) {
            if (this.synced) {
                while (len - pos >= SCCP_HEADER_SIZE) {
                    const length = u32(data, pos);
                    const hv = u32(data, pos + 4);
                    if (length < 4 || length > SCCP_MAX_LENGTH || hv > MAX_SYNCED_HV) {
                        stats.desyncs++;
                        this.synced = false;
                        this.hunted++;
                        pos++;
                        break;
                    }
                    const total = length + 8;
                    if (len - pos < total) break;
                    stats.messages++;
                    stats.bytes += total;
                    sink.onMessage(hv, u32(data, pos + 8), data, pos + SCCP_HEADER_SIZE, pos + total);
                    pos += total;
                }
                if (this.synced) {
                    this.stash(data, pos);
                    return;
                }
            }
            // Hunting: the first plausible header, confirmed by the next one when it is already here, or ending
            // exactly with the data. Among candidates that run past the data (unconfirmed), the one claiming the
            // fewest bytes wins: the byte before a real header is often 0 (keepalives, padding), and read from
            // there the header's length lands in the second byte, claiming a message of several KiB.
            let found = -1;
            let tentative = -1;
            let tentativeLen = 0;
            for (let k = pos; k + SCCP_HEADER_SIZE <= len; k++) {
                if (!plausibleHeader(data, k)) continue;
                const length = u32(data, k);
                const next = k + length + 8;
                if (next + SCCP_HEADER_SIZE <= len) {
                    if (!plausibleHeader(data, next)) continue;
                } else if (next !== len) {
                    if (tentative < 0 || length < tentativeLen) {
                        tentative = k;
                        tentativeLen = length;
                    }
                    continue;
                }
                found = k;
                break;
            }
            // An unconfirmed candidate is taken once the headers that could start inside its own were all seen
            // (tiny segments would otherwise lock onto the zero byte before a header); until then it is kept.
            if (found < 0 && tentative >= 0 && tentative + 2 * SCCP_HEADER_SIZE - 1 <= len) found = tentative;
            if (found < 0) {
                // Keep the last bytes that could still start a header (from the waiting candidate, < 23 bytes).
                const keep = tentative >= 0 ? len - tentative : Math.min(len - pos, SCCP_HEADER_SIZE - 1);
                this.hunted += len - pos - keep;
                this.held = 0;
                this.room(keep).set(data.subarray(len - keep), 0);
                this.held = keep;
                this.need = 0;
                return;
            }
            this.hunted += found - pos;
            this.finishHunt(sink);
            this.synced = true;
            pos = found;
        }
    }

    /** Keeps data[pos..] (less than one message) in the partial-message buffer. */
    private stash(data: Uint8Array, pos: number): void {
        const rest = data.length - pos;
        this.held = 0;
        if (rest > 0) this.room(rest).set(data.subarray(pos), 0);
        this.held = rest;
        this.need = rest >= SCCP_HEADER_SIZE ? u32(data, pos) + 8 : 0;
    }

    /** Completes the held partial message from bytes[pos..]; returns the next position, or -1 when done with `bytes`. */
    private completeHeld(bytes: Uint8Array, pos: number, sink: SccpFrameSink): number {
        let buf = this.room(SCCP_HEADER_SIZE);
        const len = bytes.length;
        if (this.held < SCCP_HEADER_SIZE) {
            const n = Math.min(SCCP_HEADER_SIZE - this.held, len - pos);
            buf.set(bytes.subarray(pos, pos + n), this.held);
            this.held += n;
            pos += n;
            if (this.held < SCCP_HEADER_SIZE) return -1;
            const length = u32(buf, 0);
            if (length < 4 || length > SCCP_MAX_LENGTH || u32(buf, 4) > MAX_SYNCED_HV) {
                this.stats.desyncs++;
                this.synced = false;
                this.hunted++;
                // Hunt over the held header (minus its first byte) followed by the rest of the input.
                const joined = new Uint8Array(SCCP_HEADER_SIZE - 1 + len - pos);
                joined.set(buf.subarray(1, SCCP_HEADER_SIZE), 0);
                joined.set(bytes.subarray(pos), SCCP_HEADER_SIZE - 1);
                this.held = 0;
                this.process(joined, 0, sink);
                return -1;
            }
            this.need = length + 8;
        }
        // Room for what arrived, not for what the header claims (a 12-byte header must not cost 8 KiB).
        buf = this.room(Math.min(this.need, this.held + len - pos));
        const n = Math.min(this.need - this.held, len - pos);
        buf.set(bytes.subarray(pos, pos + n), this.held);
        this.held += n;
        pos += n;
        if (this.held < this.need) return -1;
        const total = this.need;
        this.held = 0;
        this.need = 0;
        this.stats.messages++;
        this.stats.bytes += total;
        sink.onMessage(u32(buf, 4), u32(buf, 8), buf, SCCP_HEADER_SIZE, total);
        if (buf.length > KEEP_BUF && this.held === 0) this.buf = EMPTY;
        return pos;
    }

    /** The partial-message buffer with room for `n` bytes, keeping the `held` bytes already in it. */
    private room(n: number): Uint8Array {
        if (this.buf.length >= n) return this.buf;
        const grown = new Uint8Array(Math.min(BUF_SIZE, Math.max(n, 64, this.buf.length * 2)));
        grown.set(this.buf.subarray(0, this.held), 0);
        this.buf = grown;
        return grown;
    }

    /** Bytes allocated for the partial-message buffer (for memory accounting). */
    get capacity(): number {
        return this.buf.length;
    }

    /** The held unscanned tail followed by bytes[pos..] (copied only when there is a tail). */
    private withTail(bytes: Uint8Array, pos: number): Uint8Array {
        if (this.held === 0) return pos === 0 ? bytes : bytes.subarray(pos);
        const joined = new Uint8Array(this.held + bytes.length - pos);
        joined.set(this.buf.subarray(0, this.held), 0);
        joined.set(bytes.subarray(pos), this.held);
        this.held = 0;
        return joined;
    }

    private finishHunt(sink?: SccpFrameSink): void {
        if (this.hunted > 0) {
            this.stats.resyncs++;
            this.stats.skippedBytes += this.hunted;
            sink?.onResync?.(this.hunted);
        }
        this.hunted = 0;
    }
}

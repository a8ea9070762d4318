/**
 * A resynchronising framer over one direction's reassembled byte stream, for any protocol whose frames start
 * with a fixed-size header that tells the frame's size. A `FrameShape` says how to read the header (in sync,
 * and more strictly when hunting) and how to hand a frame to the protocol's sink; SCCP and QBE are two shapes.
 *
 * Push-based and synchronous. Complete frames inside a pushed chunk are handed over as offsets into that chunk
 * (no copy); only a frame split across pushes is copied, into a buffer allocated on demand, grown with what
 * arrives up to the shape's largest frame, and released after delivery once it grew past the shape's
 * `keepBuffer`. After a gap or an implausible header it hunts for the next plausible header and counts what it
 * skips.
 */

/** What every sink can be told besides its frames. */
export interface ResyncSink {
    /** Sync was regained after skipping `skippedBytes` (> 0) bytes. */
    onResync?(skippedBytes: number): void;
}

/** Framer counters. */
export interface ResyncFramerStats {
    /** Frames delivered, and their bytes (headers included). */
    frames: number;
    bytes: number;
    /** gap() calls and the bytes they reported missing. */
    gaps: number;
    missedBytes: number;
    /** Bytes of partial frames dropped because of a gap or the end of the stream. */
    discardedBytes: number;
    /** Implausible headers met while in sync. */
    desyncs: number;
    /** Times sync was regained after skipping bytes, and the bytes skipped (with a hunt the stream ended in). */
    resyncs: number;
    skippedBytes: number;
    /** Delivered frames whose length word disagreed with their size (shapes that size frames otherwise). */
    lengthMismatches: number;
}

/** How a protocol's frames look. Methods read a header at `o` and may assume `headerSize` bytes there. */
export interface FrameShape<S extends ResyncSink> {
    /** Bytes of a header, which tell the frame's size. */
    readonly headerSize: number;
    /** Largest frame: bounds the partial-frame buffer. */
    readonly maxFrame: number;
    /** First size of the partial-frame buffer. */
    readonly minBuffer: number;
    /** A buffer grown beyond this is released once its frame is delivered. */
    readonly keepBuffer: number;
    /**
     * Hunting takes a candidate only when the header right after its frame is plausible too, or its frame ends
     * exactly with the data (the smallest of the unconfirmed waits for more); false takes the first candidate.
     */
    readonly confirmByNext: boolean;
    /** Size of the frame whose header is at `o` (≥ headerSize), or -1 when the header is implausible in sync. */
    frameSize(b: Uint8Array, o: number): number;
    /** Size told by the first `n` (< headerSize) bytes of a header at 0, or -1 (used to skip the rest after a gap). */
    sizeFromPrefix(b: Uint8Array, n: number): number;
    /** Stricter test used when hunting in b[.., end); true implies `frameSize(b, o) >= 0`. */
    huntable(b: Uint8Array, o: number, end: number): boolean;
    /** Hands the frame b[start, start + total) to the sink (views valid during the call only). */
    deliver(sink: S, b: Uint8Array, start: number, total: number, stats: ResyncFramerStats): void;
}

/** Creates zeroed counters. */
export function newResyncFramerStats(): ResyncFramerStats {
    return {
        frames: 0,
        bytes: 0,
        gaps: 0,
        missedBytes: 0,
        discardedBytes: 0,
        desyncs: 0,
        resyncs: 0,
        skippedBytes: 0,
        lengthMismatches: 0,
    };
}

const EMPTY = new Uint8Array(0);

/** Splits one direction of a connection into frames of one shape. */
export class ResyncFramer<S extends ResyncSink> {
    /** Counters since construction. */
    readonly stats: ResyncFramerStats = newResyncFramerStats();
    readonly #shape: FrameShape<S>;
    readonly #headerSize: number;
    /** Partial-frame buffer, allocated on demand. */
    #buf: Uint8Array = EMPTY;
    /** Bytes held in `#buf`: a partial frame when synced, an unscanned tail when hunting. */
    #held = 0;
    /** Size of the held frame once its header is known, else 0. */
    #need = 0;
    #synced: boolean;
    /** Bytes still to drop of a frame whose middle was lost in a gap (sync is kept). */
    #skip = 0;
    /** Bytes skipped in the current hunt. */
    #hunted = 0;

    /** `synced` false starts by hunting (a connection joined mid-stream). */
    constructor(shape: FrameShape<S>, synced = true) {
        this.#shape = shape;
        this.#headerSize = shape.headerSize;
        this.#synced = synced;
    }

    /** True while the framer knows where the next header starts. */
    get inSync(): boolean {
        return this.#synced;
    }

    /** Bytes currently buffered (a partial frame, or a tail being scanned). */
    get buffered(): number {
        return this.#held;
    }

    /** Bytes allocated for the partial-frame buffer (for memory accounting). */
    get capacity(): number {
        return this.#buf.length;
    }

    /** Feeds the next contiguous bytes of the stream; `bytes` is only read during the call. */
    push(bytes: Uint8Array, sink: S): void {
        let pos = 0;
        const len = bytes.length;
        if (this.#skip > 0) {
            const n = Math.min(this.#skip, len);
            this.#skip -= n;
            this.stats.discardedBytes += n;
            pos = n;
            if (pos === len) return;
        }
        if (!this.#synced) {
            this.#process(this.#withTail(bytes, pos), 0, sink);
            return;
        }
        if (this.#held > 0) {
            pos = this.#completeHeld(bytes, pos, sink);
            if (pos < 0) return;
        }
        this.#process(bytes, pos, sink);
    }

    /**
     * Reports `missedBytes` lost before the next push and returns the bytes of the partial frame dropped.
     * Sync is kept when the loss ends inside the frame being received or exactly at its end (its rest is
     * skipped); otherwise, or when `missedBytes` is 0 (unknown amount), the framer hunts for the next header.
     */
    gap(missedBytes: number): number {
        const stats = this.stats;
        stats.gaps++;
        if (missedBytes > 0) stats.missedBytes += missedBytes;
        if (!this.#synced) {
            // A header cannot straddle a gap: the unscanned tail is skipped garbage.
            this.#hunted += this.#held;
            this.#held = 0;
            return 0;
        }
        const held = this.#held;
        stats.discardedBytes += held;
        let rest = -1;
        if (this.#skip > 0) rest = this.#skip;
        else if (this.#need > 0) rest = this.#need - held;
        else if (held > 0) {
            // Only part of the header arrived; its first bytes may already tell the frame's size.
            const size = this.#shape.sizeFromPrefix(this.#buf, held);
            if (size >= 0) rest = size - held;
        }
        this.#held = 0;
        this.#need = 0;
        if (missedBytes > 0 && missedBytes <= rest) {
            this.#skip = rest - missedBytes;
            return held;
        }
        this.#skip = 0;
        this.#synced = false;
        return held;
    }

    /**
     * End of stream: drops a held partial frame (its bytes are returned), or ends a hunt: its bytes are added
     * to `skippedBytes` and, when a sink is given, reported to it as a resync (the SCCP decoder records them).
     */
    end(sink?: S): number {
        let discarded = 0;
        if (this.#synced) {
            discarded = this.#held;
            this.stats.discardedBytes += discarded;
        } else {
            this.#hunted += this.#held;
            if (sink !== undefined) this.#finishHunt(sink);
            else this.stats.skippedBytes += this.#hunted;
        }
        this.#held = 0;
        this.#need = 0;
        this.#skip = 0;
        this.#hunted = 0;
        return discarded;
    }

    /** Frames data[pos..]: whole frames go to the sink from `data` itself, the remainder is stashed. */
    #process(data: Uint8Array, pos: number, sink: S): void {
        const shape = this.#shape;
        const hs = this.#headerSize;
        const len = data.length;
        const stats = this.stats;
        for (;;) {
            if (this.#synced) {
                let need = 0;
                while (len - pos >= hs) {
                    const total = shape.frameSize(data, pos);
                    if (total < 0) {
                        stats.desyncs++;
                        this.#synced = false;
                        // The header's first byte is skipped: `huntable` implies a plausible frame size.
                        this.#hunted++;
                        pos++;
                        break;
                    }
                    if (len - pos < total) {
                        need = total;
                        break;
                    }
                    stats.frames++;
                    stats.bytes += total;
                    shape.deliver(sink, data, pos, total, stats);
                    pos += total;
                }
                if (this.#synced) {
                    this.#stash(data, pos, need);
                    return;
                }
            }
            pos = this.#hunt(data, pos, sink);
            if (pos < 0) return;
        }
    }

    /**
     * Hunts in data[pos..] for the first plausible header; returns its offset (sync regained), or -1 after
     * keeping the bytes that could still start a header. Unconfirmed candidates (`confirmByNext`) whose frame
     * runs past the data: the one claiming the fewest bytes wins, because the byte before a real header is often
     * 0, and read from there the header's size lands in its second byte, claiming a frame of several KiB.
     */
    #hunt(data: Uint8Array, pos: number, sink: S): number {
        const shape = this.#shape;
        const hs = this.#headerSize;
        const len = data.length;
        const confirm = shape.confirmByNext;
        let found = -1;
        let tentative = -1;
        let tentativeSize = 0;
        for (let k = pos; k + hs <= len; k++) {
            if (!shape.huntable(data, k, len)) continue;
            if (confirm) {
                const size = shape.frameSize(data, k);
                const next = k + size;
                if (next + hs <= len) {
                    if (!shape.huntable(data, next, len)) continue;
                } else if (next !== len) {
                    if (tentative < 0 || size < tentativeSize) {
                        tentative = k;
                        tentativeSize = size;
                    }
                    continue;
                }
            }
            found = k;
            break;
        }
        // An unconfirmed candidate is taken once the headers that could start inside its own were all seen
        // (tiny segments would otherwise lock onto the zero byte before a header); until then it is kept.
        if (found < 0 && tentative >= 0 && tentative + 2 * hs - 1 <= len) found = tentative;
        if (found < 0) {
            const keep = tentative >= 0 ? len - tentative : Math.min(len - pos, hs - 1);
            this.#hunted += len - pos - keep;
            this.#held = 0;
            if (keep > 0) this.#room(keep).set(data.subarray(len - keep), 0);
            this.#held = keep;
            this.#need = 0;
            return -1;
        }
        this.#hunted += found - pos;
        this.#finishHunt(sink);
        this.#synced = true;
        return found;
    }

    /** Keeps data[pos..] (less than one frame; `need` its size once the header is in) in the buffer. */
    #stash(data: Uint8Array, pos: number, need: number): void {
        const rest = data.length - pos;
        this.#held = 0;
        if (rest > 0) this.#room(rest).set(data.subarray(pos), 0);
        this.#held = rest;
        this.#need = need;
    }

    /** Completes the held partial frame from bytes[pos..]; returns the next position, or -1 when done with `bytes`. */
    #completeHeld(bytes: Uint8Array, pos: number, sink: S): number {
        const hs = this.#headerSize;
        const len = bytes.length;
        let buf = this.#room(hs);
        if (this.#held < hs) {
            const n = Math.min(hs - this.#held, len - pos);
            buf.set(bytes.subarray(pos, pos + n), this.#held);
            this.#held += n;
            pos += n;
            if (this.#held < hs) return -1;
            const total = this.#shape.frameSize(buf, 0);
            if (total < 0) {
                this.stats.desyncs++;
                this.#synced = false;
                this.#hunted++;
                // Hunt over the held header (minus its first byte) followed by the rest of the input.
                const joined = new Uint8Array(hs - 1 + len - pos);
                joined.set(buf.subarray(1, hs), 0);
                joined.set(bytes.subarray(pos), hs - 1);
                this.#held = 0;
                this.#process(joined, 0, sink);
                return -1;
            }
            this.#need = total;
        }
        // Room for what arrived, not for what the header claims (a header must not cost a whole frame).
        buf = this.#room(Math.min(this.#need, this.#held + len - pos));
        const n = Math.min(this.#need - this.#held, len - pos);
        buf.set(bytes.subarray(pos, pos + n), this.#held);
        this.#held += n;
        pos += n;
        if (this.#held < this.#need) return -1;
        const total = this.#need;
        this.#held = 0;
        this.#need = 0;
        this.stats.frames++;
        this.stats.bytes += total;
        this.#shape.deliver(sink, buf, 0, total, this.stats);
        if (buf.length > this.#shape.keepBuffer && this.#held === 0) this.#buf = EMPTY;
        return pos;
    }

    /** The partial-frame buffer with room for `n` bytes, keeping the held bytes already in it. */
    #room(n: number): Uint8Array {
        if (this.#buf.length >= n) return this.#buf;
        const cap = Math.max(this.#shape.maxFrame, 2 * this.#headerSize);
        const grown = new Uint8Array(Math.min(cap, Math.max(n, this.#shape.minBuffer, this.#buf.length * 2)));
        grown.set(this.#buf.subarray(0, this.#held), 0);
        this.#buf = grown;
        return grown;
    }

    /** The held unscanned tail followed by bytes[pos..] (copied only when there is a tail). */
    #withTail(bytes: Uint8Array, pos: number): Uint8Array {
        if (this.#held === 0) return pos === 0 ? bytes : bytes.subarray(pos);
        const joined = new Uint8Array(this.#held + bytes.length - pos);
        joined.set(this.#buf.subarray(0, this.#held), 0);
        joined.set(bytes.subarray(pos), this.#held);
        this.#held = 0;
        return joined;
    }

    #finishHunt(sink: S): void {
        if (this.#hunted > 0) {
            this.stats.resyncs++;
            this.stats.skippedBytes += this.#hunted;
            sink.onResync?.(this.#hunted);
        }
        this.#hunted = 0;
    }
}

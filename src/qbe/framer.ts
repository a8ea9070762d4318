/**
 * QBE framer over one direction's reassembled byte stream (QBE-REFERENCE.md §2).
 *
 * A frame is a 32-byte header (length, reserved, magic 0xFFFFDDDD, version, messageId, headerSize,
 * fixedSize, varSize) followed by headerSize - 32 + fixedSize + varSize bytes. Like the jar's reader it
 * frames by headerSize + fixedSize + varSize; `length + 8` is only cross-checked (a mismatch is counted,
 * and required when hunting for sync).
 *
 * Push-based and synchronous. Complete frames inside a pushed chunk are handed to the sink as offsets into
 * that chunk (no copy); only a frame split across pushes is copied, into a buffer that grows up to
 * `maxFrameBytes`, which bounds memory. After a gap, a bad magic or an absurd size it scans for the next
 * plausible header (magic, sane sizes, and length + 8 = total or another magic right after the frame) and
 * counts the bytes it skips.
 */

import { u32le as u32 } from "../util/bytes.js";
import { QBE_HEADER_SIZE, QBE_MAGIC } from "./codec.js";

/** Receives framed messages. Views are only valid during the call. */
export interface QbeFrameSink {
    /** One frame: buf[start, end). */
    onFrame(buf: Uint8Array, start: number, end: number): void;
    /** Sync was regained after skipping `skippedBytes` (> 0) bytes. */
    onResync?(skippedBytes: number): void;
}

/** Framer limits. */
export interface QbeFramerOptions {
    /** Largest frame accepted; larger sizes are treated as garbage (default 256 KiB). */
    maxFrameBytes?: number;
    /** Largest headerSize accepted (default 256; the jar writes 32). */
    maxHeaderSize?: number;
}

/** Framer counters. */
export interface QbeFramerStats {
    /** Frames delivered and their bytes. */
    frames: number;
    bytes: number;
    /** gap() calls and the bytes they reported missing. */
    gaps: number;
    missedBytes: number;
    /** Bytes of partial frames dropped because of a gap or the end of the stream. */
    discardedBytes: number;
    /** Implausible headers met while in sync (bad magic, absurd sizes). */
    desyncs: number;
    /** Times sync was regained after skipping bytes, and the bytes skipped. */
    resyncs: number;
    skippedBytes: number;
    /** Delivered frames whose length word did not equal their size - 8. */
    lengthMismatches: number;
}

export const QBE_DEFAULT_MAX_FRAME = 256 * 1024;
const DEFAULT_MAX_HEADER = 256;
/** First buffer size, allocated on the first split frame (thousands of connections never need one). */
const INITIAL_BUF = 512;
const EMPTY = new Uint8Array(0);

/** Splits one direction of a QBE connection into frames. */
export class QbeFramer {
    /** Counters since construction. */
    readonly stats: QbeFramerStats = {
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
    private readonly maxFrame: number;
    private readonly maxHeader: number;
    private buf: Uint8Array = EMPTY;
    /** Bytes held in `buf`: a partial frame when synced, unscanned bytes when hunting. */
    private held = 0;
    private synced: boolean;
    /** Bytes still to drop of a frame whose middle was lost in a gap (sync is kept). */
    private skip = 0;
    /** Bytes skipped since sync was lost. */
    private hunted = 0;

    /** `synced` false starts by hunting (e.g. when joining a connection mid-stream). */
    constructor(
        private readonly sink: QbeFrameSink,
        opts: QbeFramerOptions = {},
        synced = true,
    ) {
        this.maxFrame = Math.max(QBE_HEADER_SIZE, opts.maxFrameBytes ?? QBE_DEFAULT_MAX_FRAME);
        this.maxHeader = Math.max(QBE_HEADER_SIZE, opts.maxHeaderSize ?? DEFAULT_MAX_HEADER);
        this.synced = synced;
    }

    /** True while frame boundaries are known. */
    get inSync(): boolean {
        return this.synced;
    }

    /** Bytes currently buffered (a partial frame, or a tail being scanned). */
    get bufferedBytes(): number {
        return this.held;
    }

    /** Bytes allocated for the frame buffer (for memory accounting): grows with what arrives. */
    get capacity(): number {
        return this.buf.length;
    }

    /** Frame size from the header at `o`, or -1 when the header is implausible (needs 32 bytes at `o`). */
    private frameSize(b: Uint8Array, o: number): number {
        if (u32(b, o + 8) !== QBE_MAGIC) return -1;
        const hs = u32(b, o + 20);
        if (hs < QBE_HEADER_SIZE || hs > this.maxHeader) return -1;
        const total = hs + u32(b, o + 24) + u32(b, o + 28);
        return total > this.maxFrame ? -1 : total;
    }

    /**
     * Stricter test used when hunting in buf[.., end): a plausible header whose length word agrees too, or,
     * should a sender not maintain the length word, one followed by another magic right after the frame.
     */
    private huntable(b: Uint8Array, o: number, end: number): boolean {
        const total = this.frameSize(b, o);
        if (total < 0) return false;
        if (u32(b, o) + 8 === total) return true;
        const next = o + total;
        return next + 12 <= end && u32(b, next + 8) === QBE_MAGIC;
    }

    private deliver(b: Uint8Array, start: number, total: number): void {
        const st = this.stats;
        st.frames++;
        st.bytes += total;
        if (u32(b, start) + 8 !== total) st.lengthMismatches++;
        this.sink.onFrame(b, start, start + total);
    }

    private lostSync(): void {
        this.synced = false;
        this.stats.desyncs++;
    }

    private regained(): void {
        this.synced = true;
        if (this.hunted > 0) {
            const n = this.hunted;
            this.hunted = 0;
            this.stats.resyncs++;
            this.stats.skippedBytes += n;
            this.sink.onResync?.(n);
        }
    }

    /** Feeds the next in-order bytes of the stream. */
    push(chunk: Uint8Array): void {
        const n = chunk.length;
        let p = 0;
        if (this.skip > 0) {
            const d = Math.min(this.skip, n);
            this.skip -= d;
            this.stats.discardedBytes += d;
            p = d;
        }
        while (p < n) {
            if (this.held === 0 && this.synced) {
                p = this.direct(chunk, p, n);
                if (p >= n) break;
            }
            p += this.fill(chunk, p, n);
            this.drain();
        }
    }

    /** Delivers whole frames straight from the chunk; returns where it stopped (partial frame or desync). */
    private direct(c: Uint8Array, p: number, n: number): number {
        while (n - p >= QBE_HEADER_SIZE) {
            const total = this.frameSize(c, p);
            if (total < 0) {
                this.lostSync();
                return p;
            }
            if (n - p < total) return p;
            this.deliver(c, p, total);
            p += total;
        }
        return p;
    }

    /** Copies into the buffer what the current state needs next; returns the bytes taken. */
    private fill(c: Uint8Array, p: number, n: number): number {
        if (this.buf.length === 0) this.buf = new Uint8Array(INITIAL_BUF);
        let want: number;
        if (!this.synced) want = this.buf.length - this.held;
        else if (this.held < QBE_HEADER_SIZE) want = QBE_HEADER_SIZE - this.held;
        else {
            want = this.frameSize(this.buf, 0) - this.held;
            // Grow with the bytes that arrive, not to the length a header claims (32 bytes must not cost 256 KiB).
            const need = this.held + Math.min(want, n - p);
            if (need > this.buf.length) {
                let cap = this.buf.length * 2;
                while (cap < need) cap *= 2;
                const nb = new Uint8Array(Math.min(cap, this.maxFrame));
                nb.set(this.buf.subarray(0, this.held));
                this.buf = nb;
            }
        }
        const k = Math.min(want, n - p);
        this.buf.set(c.subarray(p, p + k), this.held);
        this.held += k;
        return k;
    }

    /** Processes the buffer: hunts, delivers complete frames, keeps the rest at its start. */
    private drain(): void {
        const b = this.buf;
        const held = this.held;
        let s = 0;
        for (;;) {
            if (!this.synced) {
                let found = -1;
                for (let i = s; i + QBE_HEADER_SIZE <= held; i++) {
                    if (this.huntable(b, i, held)) {
                        found = i;
                        break;
                    }
                }
                if (found < 0) {
                    // Keep the last 31 bytes: a header may start there.
                    const keep = Math.max(s, held - (QBE_HEADER_SIZE - 1));
                    this.hunted += keep - s;
                    s = keep;
                    break;
                }
                this.hunted += found - s;
                s = found;
                this.regained();
            }
            if (held - s < QBE_HEADER_SIZE) break;
            const total = this.frameSize(b, s);
            if (total < 0) {
                this.lostSync();
                continue;
            }
            if (held - s < total) break;
            this.deliver(b, s, total);
            s += total;
        }
        if (s > 0) {
            b.copyWithin(0, s, held);
            this.held = held - s;
        }
    }

    /**
     * `missedBytes` bytes of the stream were lost. Sync is kept when the loss falls inside the frame being
     * assembled (its rest is skipped); otherwise the framer hunts for the next header.
     * Returns the bytes of the partial frame discarded.
     */
    gap(missedBytes: number): number {
        const st = this.stats;
        st.gaps++;
        if (!(missedBytes > 0)) return 0;
        st.missedBytes += missedBytes;
        if (this.skip > 0) {
            if (missedBytes < this.skip) {
                this.skip -= missedBytes;
                return 0;
            }
            this.skip = 0;
            this.synced = false;
            return 0;
        }
        if (!this.synced) {
            // A header cannot straddle a gap: the unscanned tail is skipped garbage.
            this.hunted += this.held;
            this.held = 0;
            return 0;
        }
        const discarded = this.held;
        st.discardedBytes += discarded;
        if (discarded >= QBE_HEADER_SIZE) {
            const rest = this.frameSize(this.buf, 0) - discarded;
            this.held = 0;
            if (missedBytes < rest) {
                this.skip = rest - missedBytes;
                return discarded;
            }
            if (missedBytes === rest) return discarded; // the gap ended exactly at a frame boundary
            this.synced = false;
            return discarded;
        }
        this.held = 0;
        this.synced = false;
        return discarded;
    }

    /**
     * The stream ended: drops any partial frame. Returns its bytes, and the bytes skipped while hunting
     * that no resync accounted for (they are added to `skippedBytes`).
     */
    end(): { discardedBytes: number; skippedBytes: number } {
        let discardedBytes = 0;
        let skippedBytes = 0;
        if (this.synced) discardedBytes = this.held;
        else skippedBytes = this.hunted + this.held;
        this.stats.discardedBytes += discardedBytes;
        this.stats.skippedBytes += skippedBytes;
        this.held = 0;
        this.hunted = 0;
        this.skip = 0;
        return { discardedBytes, skippedBytes };
    }
}

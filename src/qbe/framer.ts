/**
 * QBE framer over one direction's reassembled byte stream (QBE-REFERENCE.md §2).
 *
 * A frame is a 32-byte header (length, reserved, magic 0xFFFFDDDD, version, messageId, headerSize,
 * fixedSize, varSize) followed by headerSize - 32 + fixedSize + varSize bytes. Like the jar's reader it
 * frames by headerSize + fixedSize + varSize; `length + 8` is only cross-checked (a mismatch is counted,
 * and required when hunting for sync).
 *
 * The generic `ResyncFramer` (wire/resyncFramer.ts) does the framing; this file says what a QBE header is.
 * A frame split across pushes is buffered, at most `maxFrameBytes`. After a gap, a bad magic or an absurd
 * size it hunts for the next plausible header (magic, sane sizes, and length + 8 = total or another magic
 * right after the frame).
 */

import { u32le as u32 } from "../util/bytes.js";
import { type FrameShape, ResyncFramer, type ResyncFramerStats, type ResyncSink } from "../wire/resyncFramer.js";
import { QBE_HEADER_SIZE, QBE_MAGIC } from "./codec.js";

/** Receives framed messages. Views are only valid during the call. */
export interface QbeFrameSink extends ResyncSink {
    /** One frame: buf[start, end). */
    onFrame(buf: Uint8Array, start: number, end: number): void;
}

/** Framer limits. */
export interface QbeFramerOptions {
    /** Largest frame accepted; larger sizes are treated as garbage (default 256 KiB). */
    maxFrameBytes?: number;
    /** Largest headerSize accepted (default 256; the jar writes 32). */
    maxHeaderSize?: number;
}

/** Framer counters; `lengthMismatches`: delivered frames whose length word did not equal their size - 8. */
export type QbeFramerStats = ResyncFramerStats;

export const QBE_DEFAULT_MAX_FRAME = 256 * 1024;
const DEFAULT_MAX_HEADER = 256;

/** The QBE header as the generic framer reads it (limits per framer). */
class QbeShape implements FrameShape<QbeFrameSink> {
    readonly headerSize = QBE_HEADER_SIZE;
    readonly maxFrame: number;
    /** A typical CTI frame fits at once (thousands of connections never need a buffer at all). */
    readonly minBuffer = 512;
    /** Kept: a few CTI links, whose frames of 1-2 KiB are common (releasing would reallocate per frame). */
    readonly keepBuffer = Number.POSITIVE_INFINITY;
    readonly confirmByNext = false;
    readonly #maxHeader: number;

    constructor(opts: QbeFramerOptions) {
        this.maxFrame = Math.max(QBE_HEADER_SIZE, opts.maxFrameBytes ?? QBE_DEFAULT_MAX_FRAME);
        this.#maxHeader = Math.max(QBE_HEADER_SIZE, opts.maxHeaderSize ?? DEFAULT_MAX_HEADER);
    }

    /** Magic, sane headerSize, and headerSize + fixedSize + varSize within the limit. */
    frameSize(b: Uint8Array, o: number): number {
        if (u32(b, o + 8) !== QBE_MAGIC) return -1;
        const hs = u32(b, o + 20);
        if (hs < QBE_HEADER_SIZE || hs > this.#maxHeader) return -1;
        const total = hs + u32(b, o + 24) + u32(b, o + 28);
        return total > this.maxFrame ? -1 : total;
    }

    /** The sizes are the header's last words: a partial header tells nothing. */
    sizeFromPrefix(): number {
        return -1;
    }

    /**
     * A plausible header whose length word agrees too, or, should a sender not maintain the length word, one
     * followed by another magic right after the frame.
     */
    huntable(b: Uint8Array, o: number, end: number): boolean {
        const total = this.frameSize(b, o);
        if (total < 0) return false;
        if (u32(b, o) + 8 === total) return true;
        const next = o + total;
        return next + 12 <= end && u32(b, next + 8) === QBE_MAGIC;
    }

    deliver(sink: QbeFrameSink, b: Uint8Array, start: number, total: number, stats: QbeFramerStats): void {
        if (u32(b, start) + 8 !== total) stats.lengthMismatches++;
        sink.onFrame(b, start, start + total);
    }
}

/** The shape with the default limits, shared by the framers that use them. */
const DEFAULT_SHAPE = new QbeShape({});

/** Splits one direction of a QBE connection into frames: the generic framer in QBE's shape, with its sink. */
export class QbeFramer {
    readonly #f: ResyncFramer<QbeFrameSink>;
    readonly #sink: QbeFrameSink;

    /** `synced` false starts by hunting (e.g. when joining a connection mid-stream). */
    constructor(sink: QbeFrameSink, opts: QbeFramerOptions = {}, synced = true) {
        const shape =
            opts.maxFrameBytes === undefined && opts.maxHeaderSize === undefined ? DEFAULT_SHAPE : new QbeShape(opts);
        this.#f = new ResyncFramer(shape, synced);
        this.#sink = sink;
    }

    /** Counters since construction. */
    get stats(): QbeFramerStats {
        return this.#f.stats;
    }

    /** True while frame boundaries are known. */
    get inSync(): boolean {
        return this.#f.inSync;
    }

    /** Bytes currently buffered (a partial frame, or a tail being scanned). */
    get bufferedBytes(): number {
        return this.#f.buffered;
    }

    /** Bytes allocated for the frame buffer (for memory accounting): grows with what arrives. */
    get capacity(): number {
        return this.#f.capacity;
    }

    /** Feeds the next in-order bytes of the stream. */
    push(chunk: Uint8Array): void {
        this.#f.push(chunk, this.#sink);
    }

    /**
     * `missedBytes` bytes of the stream were lost. Sync is kept when the loss ends inside the frame being
     * assembled or at its end (its rest is skipped); otherwise the framer hunts for the next header. A gap of
     * 0 bytes changes nothing but the count. Returns the bytes of the partial frame discarded.
     */
    gap(missedBytes: number): number {
        if (missedBytes > 0) return this.#f.gap(missedBytes);
        this.#f.stats.gaps++;
        return 0;
    }

    /**
     * The stream ended: drops any partial frame. Returns its bytes, and the bytes skipped while hunting
     * that no resync accounted for (they are added to `skippedBytes`).
     */
    end(): { discardedBytes: number; skippedBytes: number } {
        const before = this.#f.stats.skippedBytes;
        const discardedBytes = this.#f.end();
        return { discardedBytes, skippedBytes: this.#f.stats.skippedBytes - before };
    }
}

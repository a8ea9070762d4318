import type { CapturedFrame } from "../capture/frame.js";
import { decodeFrame } from "./decodeFrame.js";
import { type ReassemblyOptions, type StreamConsumer, TcpReassembler } from "./reassembly.js";
import { newWireCounters, type WireCounters } from "./types.js";

/**
 * Frames in, reassembled byte streams out: link/IP/TCP decoding followed by stream reassembly.
 * Bad frames are counted in `counters` and skipped; nothing here throws on input.
 */
export class WirePipeline {
    readonly counters: WireCounters = newWireCounters();
    readonly reassembler: TcpReassembler;
    /** Capture time of the last frame seen. */
    lastTs = 0;

    constructor(consumer: StreamConsumer, options: Partial<ReassemblyOptions> = {}) {
        this.reassembler = new TcpReassembler(consumer, options);
    }

    /** Feeds one captured frame (a FrameSink). */
    readonly onFrame = (frame: CapturedFrame): void => {
        this.lastTs = frame.ts;
        const seg = decodeFrame(frame, this.counters);
        if (seg !== null) this.reassembler.push(seg);
    };

    /** Applies timeouts when no frames arrive (live capture on a quiet network). */
    tick(now: number): void {
        this.reassembler.sweep(now);
    }

    /** End of input: flushes buffered data and closes every connection. */
    finish(): void {
        this.reassembler.flush(this.lastTs);
    }
}

/**
 * Hostile mirror-port traffic for the reliability tests: the attacks are the simulator's (src/sim/hostile.ts);
 * `feedBatched` plays them into a FrameSink in live-capture-sized batches, yielding to the event loop between
 * batches. (How fast that goes and what memory it holds is measured by `node bench/hostile.mjs`.)
 */
import { setImmediate as yieldLoop } from "node:timers/promises";
import type { CapturedFrame, FrameSink } from "../../src/capture/frame.js";
import type { Attack, Emit } from "../../src/sim/hostile.js";

export {
    type Attack,
    attacker,
    garbage,
    hugeLengths,
    interleave,
    noise,
    qbeHeader,
    sccpHeader,
    sequence,
    synFlood,
    tinyOutOfOrder,
} from "../../src/sim/hostile.js";

/** What was fed (how long it took is the benchmarks' business, not the tests'). */
export interface FeedResult {
    frames: number;
}

/** Options of feedBatched. */
export interface FeedOptions {
    /** Frames per batch (a 64 KiB pipe read of small packets is about 1,000 frames). Default 1000. */
    batch?: number;
    /** Capture time of the next frame, seconds (called once per batch). */
    ts: () => number;
    /** Called between batches (e.g. to let the simulator move on). */
    between?: () => Promise<void> | void;
    /** Stop early when this returns true. */
    stop?: () => boolean;
}

/**
 * Plays an attack into `sink` in batches, as live capture does (a pipe chunk of frames synchronously,
 * then back to the event loop).
 */
export async function feedBatched(attack: Attack, sink: FrameSink, opts: FeedOptions): Promise<FeedResult> {
    const batch = opts.batch ?? 1000;
    const buf = new Uint8Array(2048);
    const frame: CapturedFrame = { ts: 0, linkType: 1, bytes: buf, origLen: 0, ifIndex: 0 };
    let frames = 0;
    const emit: Emit = (b, seq, flags, payload) => {
        const n = b.writeInto(buf, 0, seq, 0, flags, payload, 0, payload?.length ?? 0, frames & 0xffff);
        frame.bytes = buf.subarray(0, n);
        frame.origLen = n;
        frames++;
        sink(frame);
    };
    const it = attack(emit);
    let done = false;
    while (!done && opts.stop?.() !== true) {
        frame.ts = opts.ts();
        for (let i = 0; i < batch; i++) {
            if (it.next().done === true) {
                done = true;
                break;
            }
        }
        await opts.between?.();
        await yieldLoop();
    }
    return { frames };
}

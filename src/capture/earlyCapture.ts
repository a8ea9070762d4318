/**
 * The live capture started early: `callbackd run` forks the capture child (a second Node process that loads
 * the pcap addon and opens libpcap) before it loads the service's modules, so the two start-ups overlap
 * instead of following each other. Until the service attaches, frames are held (copied: a live frame's bytes
 * are valid only during the sink call) and state changes are replayed in order on attach, so the log, the
 * capture-down alarm and READY=1 come after the service started, as before.
 */
import type { CapturedFrame, FrameSink } from "./frame.js";
import { LiveCapture, type LiveCaptureEvents, type LiveCaptureOptions, type LiveCaptureState } from "./liveCapture.js";

/** At most this many frames are held before the service attaches (~1 s at 50,000 packets/s); more are counted. */
export const EARLY_FRAME_LIMIT = 50_000;

type StateListener = NonNullable<LiveCaptureEvents["onState"]>;

export class EarlyCapture {
    readonly capture: LiveCapture;
    #sink: FrameSink | null = null;
    #onState: StateListener | null = null;
    #frames: CapturedFrame[] = [];
    #states: [LiveCaptureState, { code: string; message: string } | null][] = [];
    /** Frames not held because EARLY_FRAME_LIMIT was reached. */
    dropped = 0;

    constructor(opts: LiveCaptureOptions) {
        this.capture = new LiveCapture(
            opts,
            (frame) => {
                if (this.#sink !== null) this.#sink(frame);
                else if (this.#frames.length < EARLY_FRAME_LIMIT)
                    this.#frames.push({ ...frame, bytes: frame.bytes.slice() });
                else this.dropped++;
            },
            {
                onState: (state, error) => {
                    if (this.#onState !== null) this.#onState(state, error);
                    else this.#states.push([state, error]);
                },
            },
        );
    }

    /** Forks the capture child. */
    start(): void {
        this.capture.start();
    }

    /** Hands the held state changes, then the held frames, to the service; later ones go straight to it. */
    attach(sink: FrameSink, onState: StateListener): void {
        const states = this.#states;
        const frames = this.#frames;
        this.#states = [];
        this.#frames = [];
        this.#onState = onState;
        for (const [state, error] of states) onState(state, error);
        for (const frame of frames) sink(frame);
        this.#sink = sink;
    }

    /** Stops the capture (idempotent; the service stops it itself once attached). */
    stop(): void {
        this.capture.stop();
    }
}

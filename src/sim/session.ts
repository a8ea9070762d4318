/**
 * One SCCP connection as an endpoint sees it: the codec encodes what it sends (queued and written as
 * one TCP write per burst, as a CallManager coalesces its messages), and the framer and codec decode what
 * it receives. Anything the decoder cannot explain is counted as a protocol error.
 */
import {
    decodeSccpBodyAt,
    encodeSccp,
    SccpConnectionContext,
    type SccpFields,
    SccpFramer,
    type SccpFrameSink,
    type SccpMessage,
} from "../sccp/index.js";
import type { LinkCloseReason, SimLink } from "./network.js";

/** What a session reports to its owner. */
export interface SessionHandler {
    onMessage(msg: SccpMessage): void;
    onClose(reason: LinkCloseReason): void;
    /** The session has queued output (the owner flushes at the end of its current step). */
    onDirty?(session: SccpSession): void;
    /** Something received was not clean SCCP, or the handler threw. */
    onProtocolError?(text: string): void;
    /** A message was queued (for histories). */
    onSend?(id: number, fields: SccpFields, hv: number): void;
    /** Every message of one received chunk (a CallManager burst) has been handled. */
    onChunkEnd?(): void;
}

/** Counters of one session. */
export interface SessionStats {
    messagesSent: number;
    messagesReceived: number;
    bytesSent: number;
    bytesReceived: number;
    /** Unknown ids, irregular or truncated bodies, framer resyncs, handler exceptions. */
    protocolErrors: number;
}

const EMPTY_CACHE = new Map<number, Uint8Array>();

/** Frame of an empty-bodied message (KeepAlive and friends), encoded once per (hv, id). */
function emptyFrame(hv: number, id: number): Uint8Array {
    const key = hv * 0x10000 + id;
    let f = EMPTY_CACHE.get(key);
    if (f === undefined) {
        f = encodeSccp({ hv, id, fields: {} });
        EMPTY_CACHE.set(key, f);
    }
    return f;
}

/** An SCCP endpoint over one link. */
export class SccpSession {
    /** Header version stamped on messages sent without an explicit one. */
    hv = 0;
    readonly stats: SessionStats = {
        messagesSent: 0,
        messagesReceived: 0,
        bytesSent: 0,
        bytesReceived: 0,
        protocolErrors: 0,
    };
    /** Decode context of the received direction (negotiated version, decode counters). */
    readonly ctx = new SccpConnectionContext();
    /** Owner data. */
    userData: unknown = undefined;
    readonly #framer = new SccpFramer();
    readonly #handler: SessionHandler;
    #out: Uint8Array[] = [];
    #outBytes = 0;
    #closed = false;
    readonly #sink: SccpFrameSink;

    constructor(
        readonly link: SimLink,
        handler: SessionHandler,
    ) {
        this.#handler = handler;
        this.#sink = {
            onMessage: (hv, id, buf, start, end) => this.#onFrame(hv, id, buf, start, end),
            onResync: (skipped) => this.#error(`framer resync after skipping ${skipped} bytes`),
        };
        link.setHandler({
            onData: (bytes) => {
                this.stats.bytesReceived += bytes.length;
                this.#framer.push(bytes, this.#sink);
                if (!this.#closed) this.#handler.onChunkEnd?.();
            },
            onClose: (reason) => {
                this.#closed = true;
                this.#out = [];
                this.#outBytes = 0;
                this.#handler.onClose(reason);
            },
        });
    }

    /** True until the link closed or `close()` was called. */
    get open(): boolean {
        return !this.#closed && this.link.open;
    }

    /** Queues one message (encoded now with the codec). */
    send(id: number, fields: SccpFields, hv: number = this.hv): void {
        if (this.#closed) return;
        let empty = true;
        for (const _ in fields) {
            empty = false;
            break;
        }
        const frame = empty ? emptyFrame(hv, id) : encodeSccp({ hv, id, fields });
        this.#queue(frame);
        this.#handler.onSend?.(id, fields, hv);
    }

    /** Queues an already encoded frame. */
    sendFrame(frame: Uint8Array): void {
        if (this.#closed) return;
        this.#queue(frame);
    }

    #queue(frame: Uint8Array): void {
        const first = this.#out.length === 0;
        this.#out.push(frame);
        this.#outBytes += frame.length;
        this.stats.messagesSent++;
        this.stats.bytesSent += frame.length;
        if (first) this.#handler.onDirty?.(this);
    }

    /** Writes the queued messages as one write. */
    flush(): void {
        const out = this.#out;
        if (out.length === 0) return;
        let bytes: Uint8Array;
        if (out.length === 1) bytes = out[0] as Uint8Array;
        else {
            bytes = new Uint8Array(this.#outBytes);
            let off = 0;
            for (const f of out) {
                bytes.set(f, off);
                off += f.length;
            }
        }
        this.#out = [];
        this.#outBytes = 0;
        if (!this.#closed) this.link.write(bytes);
    }

    /** Flushes and closes gracefully (FIN). */
    close(): void {
        if (this.#closed) return;
        this.flush();
        this.#closed = true;
        this.link.end();
    }

    /** Closes abortively (RST), dropping queued output. */
    abort(): void {
        this.#closed = true;
        this.#out = [];
        this.#outBytes = 0;
        this.link.destroy();
    }

    /** Stops sending and handling anything without closing (power loss). */
    freeze(): void {
        this.#closed = true;
        this.#out = [];
        this.#outBytes = 0;
        this.link.freeze();
    }

    #onFrame(hv: number, id: number, buf: Uint8Array, start: number, end: number): void {
        const s = this.ctx.stats;
        const irregular = s.irregular;
        const truncated = s.truncated;
        const opaque = s.opaque;
        const msg = decodeSccpBodyAt(id, hv, buf, start, end, this.ctx, false);
        this.stats.messagesReceived++;
        if (msg.name === "Unknown" || s.opaque !== opaque) this.#error(`unknown message id 0x${id.toString(16)}`);
        else if (s.irregular !== irregular || s.truncated !== truncated) {
            this.#error(`${msg.name}: body of ${end - start} bytes does not fit its layout`);
        }
        if (this.#closed) return;
        try {
            this.#handler.onMessage(msg);
        } catch (err) {
            this.#error(`handler failed on ${msg.name}: ${(err as Error).stack ?? String(err)}`);
        }
    }

    #error(text: string): void {
        this.stats.protocolErrors++;
        this.#handler.onProtocolError?.(text);
    }
}

/** What a simulated endpoint keeps for its steps: how deep it is in one, and the sessions it wrote to. */
export interface StepState {
    depth: number;
    readonly dirty: Set<SccpSession>;
}

/**
 * Runs one step of an endpoint and, when the outermost step ends, flushes what it queued (one write per
 * link, as a CallManager or a phone coalesces its bursts) and then calls `atEnd`.
 */
export function runStep(s: StepState, fn: () => void, atEnd?: () => void): void {
    s.depth++;
    try {
        fn();
    } finally {
        s.depth--;
        if (s.depth === 0) {
            for (const session of s.dirty) session.flush();
            s.dirty.clear();
            atEnd?.();
        }
    }
}

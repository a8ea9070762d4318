/**
 * One CTI (QBE) connection as a simulated endpoint sees it: frames are encoded with the project's codec
 * (byte-exact with Cisco's client library) and what arrives is framed and decoded the same way the box
 * decodes the mirror. Anything that is not clean QBE is counted as a protocol error. Remembers when it last
 * sent and received, for the heartbeat rules of QBE-REFERENCE §9.
 */
import { decodeQbe, encodeQbe, type QbeInputFields, type QbeMessage } from "../qbe/codec.js";
import { QbeFramer } from "../qbe/framer.js";
import type { LinkCloseReason, SimLink } from "./network.js";
import type { SimClock } from "./types.js";

/** What an endpoint reports to its owner. */
export interface QbeEndpointHandler {
    onMessage(msg: QbeMessage): void;
    onClose(reason: LinkCloseReason): void;
    onProtocolError?(text: string): void;
}

/** A QBE endpoint over one link. */
export class QbeEndpoint {
    /** Clock time (ms) of the last frame sent and received. */
    lastTx: number;
    lastRx: number;
    readonly stats = { sent: 0, received: 0, protocolErrors: 0 };
    #closed = false;
    readonly #framer: QbeFramer;

    readonly #clock: SimClock;
    readonly #handler: QbeEndpointHandler;

    constructor(
        readonly link: SimLink,
        clock: SimClock,
        handler: QbeEndpointHandler,
    ) {
        this.#clock = clock;
        this.#handler = handler;
        this.lastTx = clock.now();
        this.lastRx = clock.now();
        this.#framer = new QbeFramer({
            onFrame: (buf, start, end) => this.#onFrame(buf, start, end),
            onResync: (skipped) => this.#error(`framer resync after skipping ${skipped} bytes`),
        });
        link.setHandler({
            onData: (bytes) => {
                if (!this.#closed) this.#framer.push(bytes);
            },
            onClose: (reason) => {
                this.#closed = true;
                this.#handler.onClose(reason);
            },
        });
    }

    /** True until the link closed, or the endpoint was closed or frozen. */
    get open(): boolean {
        return !this.#closed && this.link.open;
    }

    /** Encodes and writes one message (by class name, e.g. "ProviderOpenRequest"). */
    send(name: string, fields: QbeInputFields = {}): void {
        if (this.#closed) return;
        this.link.write(encodeQbe(name, fields));
        this.stats.sent++;
        this.lastTx = this.#clock.now();
    }

    /** Graceful close (FIN). */
    close(): void {
        if (this.#closed) return;
        this.#closed = true;
        this.link.end();
    }

    /** Abortive close (RST). */
    abort(): void {
        this.#closed = true;
        this.link.destroy();
    }

    /** Goes silent without closing: nothing is sent or handled any more (a hung process). */
    freeze(): void {
        this.#closed = true;
        this.link.freeze();
    }

    #onFrame(buf: Uint8Array, start: number, end: number): void {
        const msg = decodeQbe(buf, start, end);
        this.stats.received++;
        this.lastRx = this.#clock.now();
        if (!msg.known) this.#error(`unknown QBE message id ${msg.id}`);
        else if (msg.problems !== undefined) this.#error(`${msg.name}: ${msg.problems.join("; ")}`);
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

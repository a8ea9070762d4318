/** What the simulator's transports offer: links, servers, connect options and the tap's clock. */
import type { SyntheticCapture } from "../synth.js";

/** Why a link closed: the peer's FIN, a reset, or a socket error. */
export type LinkCloseReason = "end" | "reset" | "error";

/** Receives what arrives on a link. */
export interface LinkHandler {
    onData(bytes: Uint8Array): void;
    onClose(reason: LinkCloseReason): void;
}

/** One end of a TCP connection. */
export interface SimLink {
    readonly localAddr: string;
    readonly localPort: number;
    readonly remoteAddr: string;
    readonly remotePort: number;
    /** Set by the owner before any data arrives (data arriving earlier is kept until then). */
    setHandler(handler: LinkHandler): void;
    /** Sends bytes (mirrored into the tap). */
    write(bytes: Uint8Array): void;
    /** Graceful close (FIN). */
    end(): void;
    /** Abortive close (RST). */
    destroy(): void;
    /** Goes silent without closing, like a phone losing power: nothing is sent or handled any more. */
    freeze(): void;
    readonly open: boolean;
}

/** A listening endpoint. */
export interface SimServer {
    readonly host: string;
    readonly port: number;
    close(): Promise<void>;
}

/** Options of an outgoing connection. */
export interface ConnectOptions {
    host: string;
    port: number;
    /** Local address to bind (the phone's own 127.0.1.N). */
    localAddress?: string;
}

/** A transport. */
export interface SimNetwork {
    /** Listens on host:port (0 = any free port). */
    listen(host: string, port: number, onLink: (link: SimLink) => void): Promise<SimServer>;
    /** Connects from `localAddress` (the phone's own address). */
    connect(options: ConnectOptions, cb: (err: Error | null, link: SimLink | null) => void): void;
    /** Resolves once every byte sent has been handled by its receiver and pending connects/closes are done. */
    settle(timeoutMs?: number): Promise<void>;
    /** Mirrors both directions of every connection into this capture from now on. */
    tap: SyntheticCapture | null;
}

/** Clock used to timestamp tapped frames. */
export interface TapClock {
    now(): number;
}

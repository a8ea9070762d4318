/**
 * Transports of the simulator. The CallManager and the phones only see `SimLink`s:
 * - `TcpNetwork`: real TCP over loopback (node:net), phones bound to their own 127.0.1.N address; it
 *   tracks bytes in flight between in-process endpoints so a caller can `settle()` (wait until every
 *   byte sent has been handled) before moving a manual clock on.
 * - `MemoryNetwork`: no sockets; bytes are delivered through the clock after a fixed latency, so a whole
 *   branch runs deterministically on a ManualClock (fast synthetic captures, benchmarks).
 * Either can mirror what each side sends into a SyntheticCapture (the "tap").
 * Callbacks rather than promises: the simulator's logic stays synchronous, which a manual clock needs.
 */
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { ManualClock } from "./clock.js";
import { SimError } from "./errors.js";
import type { SynthConnection, SyntheticCapture } from "./synth.js";
import type { SimClock, SimTimer } from "./types.js";

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

// --- real TCP ---

interface TrackedConn {
    /** Bytes written / handled per direction (0 = client to server). */
    sent: [number, number];
    handled: [number, number];
    /** Which sides exist yet (bit 0 client, bit 1 server), started closing, closed or froze. */
    sides: number;
    ending: number;
    closed: number;
    frozen: number;
    synth: SynthConnection | null;
}

/** Real sockets on loopback with in-flight accounting. */
export class TcpNetwork implements SimNetwork {
    tap: SyntheticCapture | null = null;
    readonly #conns = new Map<string, TrackedConn>();
    #connecting = 0;
    readonly #clock: TapClock;

    /** `clock` stamps tapped frames (default: wall time). */
    constructor(clock: TapClock = { now: () => Date.now() }) {
        this.#clock = clock;
    }

    /** Connections currently tracked. */
    get connections(): number {
        return this.#conns.size;
    }

    /** Listens on host:port (0 = any free port). */
    listen(host: string, port: number, onLink: (link: SimLink) => void): Promise<SimServer> {
        const server: Server = createServer({ noDelay: true });
        server.on("connection", (socket: Socket) => {
            const link = new SocketLink(this, socket, 1);
            onLink(link);
        });
        return new Promise((resolve, reject) => {
            server.once("error", (err) =>
                reject(
                    new SimError(
                        "SIM_LISTEN",
                        `cannot listen on ${host}:${port}: ${err.message}`,
                        { host, port },
                        { cause: err },
                    ),
                ),
            );
            server.listen(port, host, () => {
                const a = server.address();
                const bound = typeof a === "object" && a !== null ? a.port : port;
                resolve({
                    host,
                    port: bound,
                    close: () =>
                        new Promise<void>((r) => {
                            server.close(() => r());
                        }),
                });
            });
        });
    }

    /** Connects from `localAddress` (the phone's own address). */
    connect(options: ConnectOptions, cb: (err: Error | null, link: SimLink | null) => void): void {
        this.#connecting++;
        const socket = netConnect({
            host: options.host,
            port: options.port,
            ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
            noDelay: true,
        });
        let done = false;
        socket.once("connect", () => {
            done = true;
            this.#connecting--;
            socket.removeAllListeners("error");
            cb(null, new SocketLink(this, socket, 0));
        });
        socket.once("error", (err) => {
            if (done) return;
            done = true;
            this.#connecting--;
            socket.destroy();
            cb(err, null);
        });
    }

    async settle(timeoutMs = 10_000): Promise<void> {
        const end = Date.now() + timeoutMs;
        for (;;) {
            if (this.#quiet()) {
                // One more turn of the event loop: a handler may have just queued a write.
                await new Promise((r) => setImmediate(r));
                if (this.#quiet()) return;
            }
            if (Date.now() > end) {
                throw new SimError("SIM_SETTLE_TIMEOUT", "network did not settle", {
                    connecting: this.#connecting,
                    busy: [...this.#conns.entries()].filter(([, c]) => !quietConn(c)).map(([k]) => k),
                });
            }
            await new Promise((r) => setImmediate(r));
        }
    }

    #quiet(): boolean {
        if (this.#connecting > 0) return false;
        for (const c of this.#conns.values()) if (!quietConn(c)) return false;
        return true;
    }

    /** @internal */
    track(key: string, side: 0 | 1, link: SocketLink): TrackedConn {
        let c = this.#conns.get(key);
        if (c === undefined) {
            c = { sent: [0, 0], handled: [0, 0], sides: 0, ending: 0, closed: 0, frozen: 0, synth: null };
            this.#conns.set(key, c);
        }
        c.sides |= 1 << side;
        if (this.tap !== null && c.synth === null) {
            const client = side === 0 ? link.local : link.remote;
            const server = side === 0 ? link.remote : link.local;
            c.synth = this.tap.open(client[0], client[1], server[0], server[1], this.#clock.now());
        }
        return c;
    }

    /** @internal */
    untrackIfDone(key: string, c: TrackedConn): void {
        if (c.closed === 3 || (c.closed | c.frozen) === 3) this.#conns.delete(key);
    }

    /** @internal */
    tapNow(): number {
        return this.#clock.now();
    }
}

/** True when nothing is in flight on the connection and no close is half done. */
function quietConn(c: TrackedConn): boolean {
    const gone = c.closed | c.frozen;
    // One end not accepted/connected yet: quiet only when the end that exists is already gone.
    if (c.sides !== 3) return (gone & c.sides) === c.sides;
    for (const dir of [0, 1] as const) {
        const receiverGone = (gone >> (1 - dir)) & 1;
        if (receiverGone === 0 && c.sent[dir] !== c.handled[dir]) return false;
    }
    // A close under way (FIN or RST sent, or one side closed) until both sides are done or one is frozen.
    return (c.closed | c.ending) === 0 || gone === 3 || c.frozen !== 0;
}

class SocketLink implements SimLink {
    readonly localAddr: string;
    readonly localPort: number;
    readonly remoteAddr: string;
    readonly remotePort: number;
    /** @internal [addr, port] pairs for the tap. */
    readonly local: [string, number];
    readonly remote: [string, number];
    #handler: LinkHandler | null = null;
    #early: Uint8Array[] = [];
    #open = true;
    #frozen = false;
    /** This end called end() or destroy(): its owner knows, so its handler is not told. */
    #localClose = false;
    #closeReason: LinkCloseReason = "end";
    readonly #conn: TrackedConn;
    readonly #key: string;

    constructor(
        readonly net: TcpNetwork,
        readonly socket: Socket,
        readonly side: 0 | 1,
    ) {
        this.localAddr = stripV6(socket.localAddress ?? "");
        this.localPort = socket.localPort ?? 0;
        this.remoteAddr = stripV6(socket.remoteAddress ?? "");
        this.remotePort = socket.remotePort ?? 0;
        this.local = [this.localAddr, this.localPort];
        this.remote = [this.remoteAddr, this.remotePort];
        const client = side === 0 ? this.local : this.remote;
        const server = side === 0 ? this.remote : this.local;
        this.#key = `${client[0]}:${client[1]}>${server[0]}:${server[1]}`;
        this.#conn = net.track(this.#key, side, this);
        socket.setNoDelay(true);
        socket.on("data", (b: Buffer) => this.#onData(b));
        socket.on("end", () => {
            this.#closeReason = "end";
        });
        socket.on("error", (err: NodeJS.ErrnoException) => {
            this.#closeReason = err.code === "ECONNRESET" ? "reset" : "error";
        });
        socket.on("close", () => this.#onClose());
    }

    get open(): boolean {
        return this.#open;
    }

    /** Sets the receiver; data that arrived before is delivered now. */
    setHandler(handler: LinkHandler): void {
        this.#handler = handler;
        const early = this.#early;
        this.#early = [];
        for (const b of early) this.#deliver(b);
    }

    #onData(b: Buffer): void {
        if (this.#frozen) return;
        if (this.#handler === null) {
            this.#early.push(b);
            return;
        }
        this.#deliver(b);
    }

    #deliver(b: Uint8Array): void {
        const dir = (1 - this.side) as 0 | 1;
        try {
            this.#handler?.onData(b);
        } finally {
            this.#conn.handled[dir] += b.length;
        }
    }

    /** Sends bytes (mirrored into the tap). */
    write(bytes: Uint8Array): void {
        if (!this.#open || this.#frozen || bytes.length === 0) return;
        this.#conn.sent[this.side] += bytes.length;
        const synth = this.#conn.synth;
        if (synth !== null) this.net.tap?.data(synth, this.side, bytes, this.net.tapNow());
        this.socket.write(bytes);
    }

    /** Graceful close (FIN). */
    end(): void {
        if (!this.#open) return;
        this.#conn.ending |= 1 << this.side;
        this.#localClose = true;
        const synth = this.#conn.synth;
        if (synth !== null && !this.#frozen) this.net.tap?.close(synth, this.side, this.net.tapNow());
        this.socket.end();
    }

    /** Abortive close (RST). */
    destroy(): void {
        if (!this.#open) return;
        this.#conn.ending |= 1 << this.side;
        this.#localClose = true;
        const synth = this.#conn.synth;
        if (synth !== null && !this.#frozen) this.net.tap?.reset(synth, this.side, this.net.tapNow());
        this.socket.resetAndDestroy();
    }

    /** Goes silent without closing. */
    freeze(): void {
        if (this.#frozen || !this.#open) return;
        this.#frozen = true;
        this.#conn.frozen |= 1 << this.side;
        this.socket.pause();
    }

    #onClose(): void {
        if (!this.#open) return;
        this.#open = false;
        this.#conn.closed |= 1 << this.side;
        // Bytes the peer still had in flight to us will never be handled.
        const peer = (1 - this.side) as 0 | 1;
        this.#conn.handled[peer] = this.#conn.sent[peer];
        const synth = this.#conn.synth;
        if (synth !== null && !this.#frozen && this.#closeReason === "end") {
            this.net.tap?.close(synth, this.side, this.net.tapNow());
        }
        this.net.untrackIfDone(this.#key, this.#conn);
        if (!this.#frozen && !this.#localClose) this.#handler?.onClose(this.#closeReason);
    }
}

function stripV6(addr: string): string {
    return addr.startsWith("::ffff:") ? addr.slice(7) : addr;
}

// --- in memory ---

/**
 * Links without sockets. Every delivery happens `latencyMs` after the write, through the clock, in write
 * order; one clock timer is pending at a time whatever the traffic.
 */
export class MemoryNetwork implements SimNetwork {
    tap: SyntheticCapture | null;
    readonly clock: SimClock;
    readonly latencyMs: number;
    readonly #listeners = new Map<string, (link: SimLink) => void>();
    readonly #ports = new Map<string, number>();
    // Deliveries in a ring (parallel arrays): due time, receiver, bytes (null = close with #reasons).
    #due = new Float64Array(1024);
    #to: (MemoryLink | null)[] = new Array<MemoryLink | null>(1024).fill(null);
    #bytes: (Uint8Array | null)[] = new Array<Uint8Array | null>(1024).fill(null);
    #reasons: LinkCloseReason[] = new Array<LinkCloseReason>(1024).fill("end");
    #head = 0;
    #count = 0;
    #delivering = false;
    #timer: SimTimer | null = null;
    #connecting = 0;
    readonly #pump = (): void => this.#run();
    /** Connections opened so far. */
    connections = 0;

    constructor(clock: SimClock, options: { latencyMs?: number; tap?: SyntheticCapture | null } = {}) {
        this.clock = clock;
        this.latencyMs = options.latencyMs ?? 0.2;
        this.tap = options.tap ?? null;
    }

    /** Listens on host:port (0 = any free port). */
    listen(host: string, port: number, onLink: (link: SimLink) => void): Promise<SimServer> {
        try {
            return Promise.resolve(this.listenSync(host, port, onLink));
        } catch (err) {
            return Promise.reject(err);
        }
    }

    /** Listens at once (port 0 takes the first free port from 2000). */
    listenSync(host: string, port: number, onLink: (link: SimLink) => void): SimServer {
        let p = port;
        if (p === 0) for (p = 2000; this.#listeners.has(`${host}:${p}`); p++);
        const key = `${host}:${p}`;
        if (this.#listeners.has(key)) throw new SimError("SIM_LISTEN", `${key} already in use`, { host, port });
        this.#listeners.set(key, onLink);
        return {
            host,
            port: p,
            close: () => {
                this.#listeners.delete(key);
                return Promise.resolve();
            },
        };
    }

    /** Connects from `localAddress` (the phone's own address). */
    connect(options: ConnectOptions, cb: (err: Error | null, link: SimLink | null) => void): void {
        const localAddr = options.localAddress ?? "127.0.0.1";
        const onLink = this.#listeners.get(`${options.host}:${options.port}`);
        this.#connecting++;
        this.clock.setTimer(this.latencyMs * 2, () => {
            this.#connecting--;
            if (onLink === undefined || !this.#listeners.has(`${options.host}:${options.port}`)) {
                const err = new Error(`connect ECONNREFUSED ${options.host}:${options.port}`) as NodeJS.ErrnoException;
                err.code = "ECONNREFUSED";
                cb(err, null);
                return;
            }
            const port = this.#nextPort(localAddr);
            const now = this.clock.now();
            const synth = this.tap?.open(localAddr, port, options.host, options.port, now) ?? null;
            const client = new MemoryLink(this, localAddr, port, options.host, options.port, 0, synth);
            const server = new MemoryLink(this, options.host, options.port, localAddr, port, 1, synth);
            client.peer = server;
            server.peer = client;
            this.connections++;
            onLink(server);
            cb(null, client);
        });
    }

    /**
     * On a ManualClock, moves the clock on (one latency at a time) until nothing is in flight; on any other
     * clock deliveries happen on their own and this only resolves.
     */
    settle(): Promise<void> {
        const clock = this.clock;
        if (clock instanceof ManualClock) {
            for (let i = 0; i < 1_000_000 && this.inFlight > 0; i++) clock.advance(this.latencyMs);
        }
        return Promise.resolve();
    }

    /** Deliveries and connection attempts queued and not yet made. */
    get inFlight(): number {
        return this.#count + this.#connecting;
    }

    #nextPort(addr: string): number {
        const p = this.#ports.get(addr) ?? 49152;
        this.#ports.set(addr, p >= 65535 ? 49152 : p + 1);
        return p;
    }

    /** @internal */
    enqueue(to: MemoryLink, bytes: Uint8Array | null, close: LinkCloseReason | null): void {
        if (this.#count === this.#due.length) this.#grow();
        const i = (this.#head + this.#count) % this.#due.length;
        this.#due[i] = this.clock.now() + this.latencyMs;
        this.#to[i] = to;
        this.#bytes[i] = bytes;
        this.#reasons[i] = close ?? "end";
        this.#count++;
        if (this.#timer === null && !this.#delivering) this.#timer = this.clock.setTimer(this.latencyMs, this.#pump);
    }

    #grow(): void {
        const n = this.#due.length;
        const due = new Float64Array(n * 2);
        const to = new Array<MemoryLink | null>(n * 2).fill(null);
        const bytes = new Array<Uint8Array | null>(n * 2).fill(null);
        const reasons = new Array<LinkCloseReason>(n * 2).fill("end");
        for (let k = 0; k < this.#count; k++) {
            const j = (this.#head + k) % n;
            due[k] = this.#due[j] as number;
            to[k] = this.#to[j] ?? null;
            bytes[k] = this.#bytes[j] ?? null;
            reasons[k] = this.#reasons[j] ?? "end";
        }
        this.#due = due;
        this.#to = to;
        this.#bytes = bytes;
        this.#reasons = reasons;
        this.#head = 0;
    }

    #run(): void {
        this.#timer = null;
        const now = this.clock.now();
        this.#delivering = true;
        try {
            while (this.#count > 0) {
                const i = this.#head;
                if ((this.#due[i] as number) > now) break;
                const to = this.#to[i] as MemoryLink;
                const bytes = this.#bytes[i] ?? null;
                const reason = this.#reasons[i] as LinkCloseReason;
                this.#to[i] = null;
                this.#bytes[i] = null;
                this.#head = (i + 1) % this.#due.length;
                this.#count--;
                if (bytes !== null) to.receive(bytes);
                else to.closedByPeer(reason);
            }
        } finally {
            this.#delivering = false;
        }
        if (this.#count > 0) {
            this.#timer = this.clock.setTimer((this.#due[this.#head] as number) - now, this.#pump);
        }
    }
}

class MemoryLink implements SimLink {
    peer: MemoryLink | null = null;
    #handler: LinkHandler | null = null;
    #early: Uint8Array[] = [];
    #open = true;
    #frozen = false;

    constructor(
        readonly net: MemoryNetwork,
        readonly localAddr: string,
        readonly localPort: number,
        readonly remoteAddr: string,
        readonly remotePort: number,
        readonly side: 0 | 1,
        readonly synth: SynthConnection | null,
    ) {}

    get open(): boolean {
        return this.#open;
    }

    /** Sets the receiver; data that arrived before is delivered now. */
    setHandler(handler: LinkHandler): void {
        this.#handler = handler;
        const early = this.#early;
        this.#early = [];
        for (const b of early) handler.onData(b);
    }

    /** Sends bytes (mirrored into the tap). */
    write(bytes: Uint8Array): void {
        if (!this.#open || this.#frozen || bytes.length === 0 || this.peer === null) return;
        if (this.synth !== null) this.net.tap?.data(this.synth, this.side, bytes, this.net.clock.now());
        this.net.enqueue(this.peer, bytes, null);
    }

    /** Graceful close (FIN). */
    end(): void {
        this.#close("end", false);
    }

    /** Abortive close (RST). */
    destroy(): void {
        this.#close("reset", true);
    }

    #close(reason: LinkCloseReason, reset: boolean): void {
        if (!this.#open) return;
        this.#open = false;
        if (this.synth !== null && !this.#frozen) {
            const now = this.net.clock.now();
            if (reset) this.net.tap?.reset(this.synth, this.side, now);
            else this.net.tap?.close(this.synth, this.side, now);
        }
        if (this.peer !== null) this.net.enqueue(this.peer, null, reason);
    }

    /** Goes silent without closing. */
    freeze(): void {
        this.#frozen = true;
    }

    /** @internal */
    receive(bytes: Uint8Array): void {
        if (!this.#open || this.#frozen) return;
        if (this.#handler === null) this.#early.push(bytes);
        else this.#handler.onData(bytes);
    }

    /** @internal */
    closedByPeer(reason: LinkCloseReason): void {
        if (!this.#open) return;
        this.#open = false;
        // The kernel answers a FIN with its own (the simulator never half-closes) and a RST with nothing.
        if (reason === "end" && this.synth !== null && !this.#frozen) {
            this.net.tap?.close(this.synth, this.side, this.net.clock.now());
        }
        if (!this.#frozen) this.#handler?.onClose(reason);
    }
}

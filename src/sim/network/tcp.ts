/**
 * Real TCP over loopback (node:net), phones bound to their own 127.0.1.N address; bytes in flight between
 * in-process endpoints are counted so a caller can `settle()` before moving a manual clock on.
 */
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { SimError } from "../errors.js";
import type { SynthConnection, SyntheticCapture } from "../synth.js";
import type {
    ConnectOptions,
    LinkCloseReason,
    LinkHandler,
    SimLink,
    SimNetwork,
    SimServer,
    TapClock,
} from "./types.js";

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

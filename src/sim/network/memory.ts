/**
 * Links without sockets: every delivery happens a fixed latency after the write, through the clock, so a
 * whole branch runs deterministically on a ManualClock (fast synthetic captures, benchmarks).
 */
import { ManualClock } from "../clock.js";
import { SimError } from "../errors.js";
import type { SynthConnection, SyntheticCapture } from "../synth.js";
import type { SimClock, SimTimer } from "../types.js";
import type { ConnectOptions, LinkCloseReason, LinkHandler, SimLink, SimNetwork, SimServer } from "./types.js";

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

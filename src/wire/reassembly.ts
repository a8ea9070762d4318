import { TcpFlag, type TcpSegment } from "./types.js";

/**
 * TCP stream reassembly for a passive observer.
 *
 * Per connection and direction it delivers payload bytes in sequence order exactly once, buffers
 * out-of-order segments up to a bound, and reports a gap (instead of guessing) when the bound, the gap
 * timeout or the global memory cap is hit, so the protocol layer can resynchronise. It joins connections
 * already in progress (phones keep their SCCP connection for days) and forgets idle ones.
 *
 * Time is the capture time of the segments (or the `now` passed to `sweep`), never the wall clock, so
 * replaying a capture reproduces every decision.
 */

/** Direction of a byte stream within a connection. */
export const Direction = { ClientToServer: 0, ServerToClient: 1 } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

export type CloseReason = "fin" | "rst" | "idle" | "evicted" | "reused" | "end";
export type GapReason = "out-of-order-limit" | "timeout" | "memory-cap" | "closed";

export interface Endpoint {
    addr: string;
    port: number;
}

export interface ReassemblyOptions {
    /** Most connections tracked at once; the least recently active is evicted beyond it. */
    maxConnections: number;
    /** Out-of-order bytes buffered per direction before the first hole is declared a gap. */
    maxOutOfOrderBytesPerDirection: number;
    /** Out-of-order segments buffered per direction before the first hole is declared a gap. */
    maxOutOfOrderSegmentsPerDirection: number;
    /** A hole older than this (capture time) is declared a gap. */
    gapTimeoutMs: number;
    /** A connection with no segment for this long (capture time) is forgotten. */
    idleTimeoutS: number;
    /** All out-of-order bytes of all connections together stay below this. */
    memoryCapBytes: number;
    /** Ports that identify the server side when a connection is joined without its SYN. */
    serverPorts: ReadonlySet<number> | readonly number[];
}

export const defaultReassemblyOptions: ReassemblyOptions = {
    maxConnections: 65536,
    maxOutOfOrderBytesPerDirection: 256 * 1024,
    maxOutOfOrderSegmentsPerDirection: 256,
    gapTimeoutMs: 2000,
    idleTimeoutS: 300,
    memoryCapBytes: 64 * 1024 * 1024,
    serverPorts: [2000, 2748],
};

/** What the protocol layer implements to receive reassembled streams. */
export interface StreamConsumer {
    onOpen(conn: TcpConnection): void;
    /** In-order bytes; `bytes` is only valid during the call. */
    onData(conn: TcpConnection, dir: Direction, bytes: Uint8Array, ts: number): void;
    /** `missedBytes` bytes of this direction will never be delivered. */
    onGap(conn: TcpConnection, dir: Direction, missedBytes: number, ts: number, reason: GapReason): void;
    onClose(conn: TcpConnection, reason: CloseReason, ts: number): void;
}

export interface DirectionStats {
    /** Bytes delivered in order. */
    bytes: number;
    /** Bytes that were reported missing in gaps. */
    missedBytes: number;
    /** Bytes seen again (retransmissions and overlaps), delivered once. */
    duplicateBytes: number;
    segments: number;
}

interface PendingSegment {
    seq: number;
    data: Uint8Array;
    /** Capture time the segment arrived, for the gap timeout. */
    ts: number;
}

class DirectionState {
    initialized = false;
    nextSeq = 0;
    /** Sequence number just past the FIN, or -1. */
    finSeq = -1;
    finished = false;
    /** Out-of-order segments, sorted by sequence number relative to nextSeq. */
    pending: PendingSegment[] = [];
    pendingBytes = 0;
    readonly stats: DirectionStats = { bytes: 0, missedBytes: 0, duplicateBytes: 0, segments: 0 };
}

/** One tracked TCP connection. `client` opened it (or, when joined mid-stream, is the non-server side). */
export class TcpConnection {
    /** Protocol-layer state (decoders per direction, ...). */
    userData: unknown = undefined;
    lastTs: number;
    /** Capture time of the last LRU refresh (refreshed at most once per second). */
    lruTs: number;
    /** @internal */
    readonly dirs: readonly [DirectionState, DirectionState] = [new DirectionState(), new DirectionState()];

    constructor(
        readonly id: number,
        readonly ipVersion: 4 | 6,
        readonly client: Endpoint,
        readonly server: Endpoint,
        readonly startTs: number,
        /** True when joined without seeing the SYN: the first bytes may start mid-message. */
        readonly midstream: boolean,
    ) {
        this.lastTs = startTs;
        this.lruTs = startTs;
    }

    /** Per-direction byte counters. */
    stats(dir: Direction): Readonly<DirectionStats> {
        return this.dirs[dir].stats;
    }

    /** Source and destination endpoints of a direction. */
    endpoints(dir: Direction): [Endpoint, Endpoint] {
        return dir === Direction.ClientToServer ? [this.client, this.server] : [this.server, this.client];
    }

    /** "a.b.c.d:p" text of an endpoint (IPv6 in brackets). */
    static format(ep: Endpoint): string {
        return ep.addr.includes(":") ? `[${ep.addr}]:${ep.port}` : `${ep.addr}:${ep.port}`;
    }
}

export interface ReassemblyStats {
    segments: number;
    /** Segments for no known connection that carry no payload and no SYN (late ACKs, FINs): ignored. */
    ignoredSegments: number;
    connectionsOpened: number;
    midstreamJoins: number;
    connectionsClosed: Record<CloseReason, number>;
    activeConnections: number;
    bytesDelivered: number;
    duplicateBytes: number;
    outOfOrderSegments: number;
    gaps: number;
    missedBytes: number;
    /** Segments not buffered because the global memory cap was reached. */
    memoryCapDrops: number;
    /** Holes given up early because the global memory cap was reached. */
    memoryCapGaps: number;
    bufferedBytes: number;
    bufferedBytesHighWater: number;
}

/**
 * Both ports in one 32-bit integer key. `src * 65536 + dst` exceeds 2^31 for every ephemeral source port and
 * becomes a heap-allocated double: one allocation per packet and a slower Map lookup. The bitwise form stays
 * a small integer (negative for ports ≥ 32768, still distinct).
 */
function portPair(srcPort: number, dstPort: number): number {
    return (srcPort << 16) | dstPort;
}

/**
 * Connections indexed by (source address → destination address → port pair). Addresses come from the
 * wire decoder's cache, so they are the same string objects packet after packet and hash at no cost;
 * building one key string per packet cost more than the rest of reassembly together. Both addresses are
 * levels of their own: phones on different addresses often use the same source port, so a port pair alone
 * would put thousands of connections under one key.
 */
class FlowIndex {
    readonly #bySrc = new Map<string, Map<string, Map<number, TcpConnection>>>();

    get(srcAddr: string, srcPort: number, dstAddr: string, dstPort: number): TcpConnection | undefined {
        return this.#bySrc.get(srcAddr)?.get(dstAddr)?.get(portPair(srcPort, dstPort));
    }

    /** Indexes both directions of a connection. */
    add(c: TcpConnection): void {
        this.#put(c.client.addr, c.server.addr, portPair(c.client.port, c.server.port), c);
        this.#put(c.server.addr, c.client.addr, portPair(c.server.port, c.client.port), c);
    }

    delete(c: TcpConnection): void {
        this.#remove(c.client.addr, c.server.addr, portPair(c.client.port, c.server.port), c);
        this.#remove(c.server.addr, c.client.addr, portPair(c.server.port, c.client.port), c);
    }

    #put(src: string, dst: string, ports: number, c: TcpConnection): void {
        let byDst = this.#bySrc.get(src);
        if (byDst === undefined) {
            byDst = new Map();
            this.#bySrc.set(src, byDst);
        }
        let byPorts = byDst.get(dst);
        if (byPorts === undefined) {
            byPorts = new Map();
            byDst.set(dst, byPorts);
        }
        byPorts.set(ports, c);
    }

    #remove(src: string, dst: string, ports: number, c: TcpConnection): void {
        const byDst = this.#bySrc.get(src);
        const byPorts = byDst?.get(dst);
        if (byDst === undefined || byPorts === undefined || byPorts.get(ports) !== c) return;
        byPorts.delete(ports);
        if (byPorts.size === 0) byDst.delete(dst);
        if (byDst.size === 0) this.#bySrc.delete(src);
    }
}

/** Signed distance from b to a in 32-bit sequence space. */
function seqDiff(a: number, b: number): number {
    return (a - b) | 0;
}

function seqAdd(a: number, n: number): number {
    return (a + n) >>> 0;
}

/**
 * Heap cost of one buffered segment beyond its payload (the record, the copied view and its backing store),
 * charged against the memory cap: a flood of 1-byte out-of-order segments costs ~300 bytes each, not 1.
 */
export const SEGMENT_OVERHEAD_BYTES = 256;

export class TcpReassembler {
    readonly #consumer: StreamConsumer;
    readonly #opts: ReassemblyOptions;
    readonly #serverPorts: ReadonlySet<number>;
    /** Both directions of each connection map to it. */
    readonly #index = new FlowIndex();
    /** Connections in approximate least-recently-active order (oldest first). */
    readonly #lru = new Map<number, TcpConnection>();
    /** Connections that carried no payload yet (half-open floods): evicted before established ones. */
    readonly #idle = new Map<number, TcpConnection>();
    /** Buffered payload bytes plus SEGMENT_OVERHEAD_BYTES per buffered segment (what the memory cap bounds). */
    #bufferedCost = 0;
    #nextId = 1;
    #lastSweepTs = 0;
    readonly #stats: ReassemblyStats = {
        segments: 0,
        ignoredSegments: 0,
        connectionsOpened: 0,
        midstreamJoins: 0,
        connectionsClosed: { fin: 0, rst: 0, idle: 0, evicted: 0, reused: 0, end: 0 },
        activeConnections: 0,
        bytesDelivered: 0,
        duplicateBytes: 0,
        outOfOrderSegments: 0,
        gaps: 0,
        missedBytes: 0,
        memoryCapDrops: 0,
        memoryCapGaps: 0,
        bufferedBytes: 0,
        bufferedBytesHighWater: 0,
    };

    constructor(consumer: StreamConsumer, options: Partial<ReassemblyOptions> = {}) {
        this.#consumer = consumer;
        this.#opts = { ...defaultReassemblyOptions, ...options };
        this.#serverPorts = new Set(this.#opts.serverPorts);
    }

    /** Counters (a live object: read, do not modify). */
    get stats(): Readonly<ReassemblyStats> {
        return this.#stats;
    }

    /** Currently tracked connections. */
    connections(): IterableIterator<TcpConnection> {
        return this.#lru.values();
    }

    /** Feeds one segment. Never throws on any segment content. */
    push(seg: TcpSegment): void {
        const stats = this.#stats;
        stats.segments++;
        const ts = seg.ts;
        if (ts - this.#lastSweepTs >= 1 || ts < this.#lastSweepTs) this.sweep(ts);

        const flags = seg.flags;
        const syn = (flags & TcpFlag.SYN) !== 0;
        let conn = this.#index.get(seg.srcAddr, seg.srcPort, seg.dstAddr, seg.dstPort);

        if (conn !== undefined && syn && (flags & TcpFlag.ACK) === 0) {
            // A new SYN on a known 4-tuple: a retransmitted SYN, or the port pair is being reused.
            const d = conn.dirs[Direction.ClientToServer];
            const sameSyn = conn.client.port === seg.srcPort && conn.client.addr === seg.srcAddr && d.initialized;
            if (!(sameSyn && seqAdd(seg.seq, 1) === d.nextSeq && d.stats.bytes === 0)) {
                this.#close(conn, "reused", ts);
                conn = undefined;
            }
        }
        if (conn === undefined) {
            if (!syn && seg.payload.length === 0) {
                stats.ignoredSegments++;
                return;
            }
            conn = this.#open(seg);
        }

        conn.lastTs = ts;
        if (ts - conn.lruTs >= 1) {
            conn.lruTs = ts;
            this.#lru.delete(conn.id);
            this.#lru.set(conn.id, conn);
        }

        const dir: Direction =
            conn.client.port === seg.srcPort && conn.client.addr === seg.srcAddr
                ? Direction.ClientToServer
                : Direction.ServerToClient;
        const d = conn.dirs[dir];
        d.stats.segments++;

        let start = seg.seq;
        if (syn) {
            start = seqAdd(start, 1);
            if (!d.initialized) {
                d.initialized = true;
                d.nextSeq = start;
            }
        } else if (!d.initialized) {
            // Joined mid-stream: take the first byte we see as the start.
            d.initialized = true;
            d.nextSeq = start;
        }

        if (seg.payload.length > 0) this.#data(conn, dir, d, start, seg.payload, ts);
        else if (d.pending.length > 0) this.#checkTimeout(conn, dir, d, ts);

        if ((flags & TcpFlag.RST) !== 0) {
            this.#close(conn, "rst", ts);
            return;
        }
        if ((flags & TcpFlag.FIN) !== 0 && d.finSeq < 0) {
            d.finSeq = seqAdd(start, seg.payload.length);
        }
        if (d.finSeq >= 0 && !d.finished && d.nextSeq === d.finSeq) d.finished = true;
        if (conn.dirs[0].finished && conn.dirs[1].finished) this.#close(conn, "fin", ts);
    }

    /**
     * Declares holes older than the gap timeout, and forgets connections idle for longer than the idle
     * timeout. Called automatically as capture time advances; call it from a timer when traffic is quiet.
     */
    sweep(now: number): void {
        this.#lastSweepTs = now;
        const idleBefore = now - this.#opts.idleTimeoutS;
        for (const conn of this.#lru.values()) {
            if (conn.lruTs > idleBefore) break; // LRU order: the rest are more recent
            if (conn.lastTs <= idleBefore) this.#close(conn, "idle", now);
        }
        if (this.#stats.bufferedBytes > 0) {
            for (const conn of this.#lru.values()) {
                for (const dir of [Direction.ClientToServer, Direction.ServerToClient] as const) {
                    const d = conn.dirs[dir];
                    if (d.pending.length > 0) this.#checkTimeout(conn, dir, d, now);
                }
            }
        }
    }

    /** End of input: delivers what is buffered (after reporting its holes) and closes every connection. */
    flush(ts: number): void {
        for (const conn of [...this.#lru.values()]) this.#close(conn, "end", ts);
    }

    #open(seg: TcpSegment): TcpConnection {
        const stats = this.#stats;
        if (this.#lru.size >= this.#opts.maxConnections) {
            // A SYN flood must not push out the phones' long-lived (and often quiet) connections.
            const oldest = this.#idle.values().next().value ?? this.#lru.values().next().value;
            if (oldest !== undefined) this.#close(oldest, "evicted", seg.ts);
        }
        const flags = seg.flags;
        const src = { addr: seg.srcAddr, port: seg.srcPort };
        const dst = { addr: seg.dstAddr, port: seg.dstPort };
        const syn = (flags & TcpFlag.SYN) !== 0;
        let srcIsClient: boolean;
        if (syn) srcIsClient = (flags & TcpFlag.ACK) === 0;
        else if (this.#serverPorts.has(seg.dstPort)) srcIsClient = true;
        else if (this.#serverPorts.has(seg.srcPort)) srcIsClient = false;
        else srcIsClient = seg.srcPort >= seg.dstPort; // ephemeral ports are the high ones
        const midstream = !syn;
        const conn = new TcpConnection(
            this.#nextId++,
            seg.ipVersion,
            srcIsClient ? src : dst,
            srcIsClient ? dst : src,
            seg.ts,
            midstream,
        );
        this.#index.add(conn);
        this.#lru.set(conn.id, conn);
        if (seg.payload.length === 0) this.#idle.set(conn.id, conn);
        stats.connectionsOpened++;
        if (midstream) stats.midstreamJoins++;
        stats.activeConnections = this.#lru.size;
        this.#consumer.onOpen(conn);
        return conn;
    }

    #data(
        conn: TcpConnection,
        dir: Direction,
        d: DirectionState,
        start: number,
        payload: Uint8Array,
        ts: number,
    ): void {
        const stats = this.#stats;
        const len = payload.length;
        if (this.#idle.size > 0) this.#idle.delete(conn.id);
        const rel = seqDiff(start, d.nextSeq);
        if (rel <= 0) {
            if (rel + len <= 0) {
                d.stats.duplicateBytes += len;
                stats.duplicateBytes += len;
                return;
            }
            const skip = -rel;
            if (skip > 0) {
                d.stats.duplicateBytes += skip;
                stats.duplicateBytes += skip;
            }
            this.#deliver(conn, dir, d, skip === 0 ? payload : payload.subarray(skip), ts);
            if (d.pending.length > 0) this.#drain(conn, dir, d, ts);
            return;
        }
        if (d.finished) {
            // Data beyond a FIN we already reached: nonsense, count it as duplicate noise.
            d.stats.duplicateBytes += len;
            stats.duplicateBytes += len;
            return;
        }
        this.#buffer(conn, dir, d, start, payload, ts);
    }

    #buffer(conn: TcpConnection, dir: Direction, d: DirectionState, start: number, payload: Uint8Array, ts: number) {
        const stats = this.#stats;
        const len = payload.length;
        stats.outOfOrderSegments++;
        // Drop exact duplicates of something already buffered.
        const rel = seqDiff(start, d.nextSeq);
        let at = d.pending.length;
        for (let i = 0; i < d.pending.length; i++) {
            const p = d.pending[i]!;
            const prel = seqDiff(p.seq, d.nextSeq);
            if (prel === rel && p.data.length >= len) {
                d.stats.duplicateBytes += len;
                stats.duplicateBytes += len;
                return;
            }
            if (prel > rel || (prel === rel && p.data.length < len)) {
                at = i;
                break;
            }
        }
        const cost = len + SEGMENT_OVERHEAD_BYTES;
        while (this.#bufferedCost + cost > this.#opts.memoryCapBytes && d.pending.length > 0) {
            this.#forceGap(conn, dir, d, ts, "memory-cap");
            if (seqDiff(start, d.nextSeq) <= 0) {
                this.#data(conn, dir, d, start, payload, ts);
                return;
            }
            at = this.#insertionIndex(d, start, len);
        }
        if (this.#bufferedCost + cost > this.#opts.memoryCapBytes) {
            stats.memoryCapDrops++;
            return;
        }
        // Copy: the frame buffer is reused for the next packet.
        d.pending.splice(at, 0, { seq: start, data: payload.slice(), ts });
        d.pendingBytes += len;
        stats.bufferedBytes += len;
        this.#bufferedCost += cost;
        if (stats.bufferedBytes > stats.bufferedBytesHighWater) stats.bufferedBytesHighWater = stats.bufferedBytes;
        while (
            d.pending.length > 0 &&
            (d.pendingBytes > this.#opts.maxOutOfOrderBytesPerDirection ||
                d.pending.length > this.#opts.maxOutOfOrderSegmentsPerDirection)
        ) {
            this.#forceGap(conn, dir, d, ts, "out-of-order-limit");
        }
        if (d.pending.length > 0) this.#checkTimeout(conn, dir, d, ts);
    }

    #insertionIndex(d: DirectionState, start: number, len: number): number {
        const rel = seqDiff(start, d.nextSeq);
        for (let i = 0; i < d.pending.length; i++) {
            const p = d.pending[i]!;
            const prel = seqDiff(p.seq, d.nextSeq);
            if (prel > rel || (prel === rel && p.data.length < len)) return i;
        }
        return d.pending.length;
    }

    #checkTimeout(conn: TcpConnection, dir: Direction, d: DirectionState, now: number): void {
        const limit = this.#opts.gapTimeoutMs / 1000;
        while (d.pending.length > 0) {
            let oldest = Number.POSITIVE_INFINITY;
            for (const p of d.pending) if (p.ts < oldest) oldest = p.ts;
            if (now - oldest < limit) return;
            this.#forceGap(conn, dir, d, now, "timeout");
        }
    }

    /** Gives up on the first hole: reports it, then delivers what follows it. */
    #forceGap(conn: TcpConnection, dir: Direction, d: DirectionState, ts: number, reason: GapReason): void {
        const first = d.pending[0];
        if (first === undefined) return;
        const missed = seqDiff(first.seq, d.nextSeq);
        if (missed > 0) {
            this.#stats.gaps++;
            if (reason === "memory-cap") this.#stats.memoryCapGaps++;
            this.#stats.missedBytes += missed;
            d.stats.missedBytes += missed;
            d.nextSeq = first.seq;
            this.#consumer.onGap(conn, dir, missed, ts, reason);
        }
        this.#drain(conn, dir, d, ts);
    }

    /** Delivers buffered segments that are now in order. */
    #drain(conn: TcpConnection, dir: Direction, d: DirectionState, ts: number): void {
        const stats = this.#stats;
        while (d.pending.length > 0) {
            const p = d.pending[0]!;
            const rel = seqDiff(p.seq, d.nextSeq);
            if (rel > 0) break;
            d.pending.shift();
            d.pendingBytes -= p.data.length;
            stats.bufferedBytes -= p.data.length;
            this.#bufferedCost -= p.data.length + SEGMENT_OVERHEAD_BYTES;
            const skip = -rel;
            if (skip >= p.data.length) {
                d.stats.duplicateBytes += p.data.length;
                stats.duplicateBytes += p.data.length;
                continue;
            }
            if (skip > 0) {
                d.stats.duplicateBytes += skip;
                stats.duplicateBytes += skip;
            }
            this.#deliver(conn, dir, d, skip === 0 ? p.data : p.data.subarray(skip), ts);
        }
        if (d.finSeq >= 0 && !d.finished && d.nextSeq === d.finSeq) d.finished = true;
    }

    #deliver(conn: TcpConnection, dir: Direction, d: DirectionState, bytes: Uint8Array, ts: number): void {
        d.nextSeq = seqAdd(d.nextSeq, bytes.length);
        d.stats.bytes += bytes.length;
        this.#stats.bytesDelivered += bytes.length;
        this.#consumer.onData(conn, dir, bytes, ts);
    }

    #close(conn: TcpConnection, reason: CloseReason, ts: number): void {
        if (this.#lru.get(conn.id) !== conn) return;
        // What is still buffered is real data behind a hole: report the hole, deliver the data.
        for (const dir of [Direction.ClientToServer, Direction.ServerToClient] as const) {
            const d = conn.dirs[dir];
            while (d.pending.length > 0) this.#forceGap(conn, dir, d, ts, "closed");
        }
        this.#index.delete(conn);
        this.#lru.delete(conn.id);
        this.#idle.delete(conn.id);
        const stats = this.#stats;
        stats.connectionsClosed[reason]++;
        stats.activeConnections = this.#lru.size;
        this.#consumer.onClose(conn, reason, ts);
    }
}

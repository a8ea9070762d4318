/**
 * The alarm outbox: an append-only journal on flash holding alarm events until the broker acknowledges
 * them, so events raised while the broker is away survive a restart and go out in order when it returns.
 *
 * Records (little-endian): `len u32 | crc32 u32 | seq u64 | payload[len]`, the CRC over seq and payload.
 * Records live in segments `<prefix><firstSeq, 16 digits>.seg` of about `segmentBytes`; at most
 * `maxSegments` are kept (a ring: when full, the oldest segment is dropped and counted). A segment is
 * rewritten whole through a temp file and a rename (FlashFs has no append), appends that arrive during a
 * write share the next one. On load, a segment is read up to its first bad record (a torn tail) and
 * truncated there.
 */
import { crc32 } from "node:zlib";
import type { FlashFs } from "../store/flashFs.js";
import { type Clock, systemClock } from "../util/clock.js";

/** Bytes before a record's payload. */
export const RECORD_HEADER = 16;
/** Largest payload accepted on load (anything larger is corruption). */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** One event waiting for its acknowledgement. */
export interface OutboxRecord {
    readonly seq: number;
    readonly payload: Uint8Array;
    /** On flash (survives a power cut). */
    durable: boolean;
    acked: boolean;
}

/** Options of the outbox. */
export interface OutboxOptions {
    /** Target segment size (default 16 KiB). */
    segmentBytes?: number;
    /** Segments kept at most (default 16). */
    maxSegments?: number;
    /** File name prefix (default `outbox-`). */
    prefix?: string;
    /** Delay before retrying a failed write (default 2000 ms). */
    retryMs?: number;
    timers?: Clock;
    /** Records were dropped because the ring was full. */
    onDrop?: (count: number) => void;
    /** New records became durable. */
    onDurable?: () => void;
    /** Writing failed (`error`) or works again (`null`). */
    onHealth?: (error: Error | null) => void;
}

/** What open() found. */
export interface OutboxOpenReport {
    /** Unacknowledged records recovered. */
    pending: number;
    /** Bytes cut off torn or corrupt segment tails. */
    truncatedBytes: number;
    /** Segments found. */
    segments: number;
    /** Highest sequence number found (0: none). */
    lastSeq: number;
}

/** Counters of the outbox. */
export interface OutboxStats {
    appended: number;
    writes: number;
    bytesWritten: number;
    failures: number;
    dropped: number;
    truncatedBytes: number;
    pending: number;
    segments: number;
    healthy: boolean;
}

interface Segment {
    name: string;
    firstSeq: number;
    lastSeq: number;
    chunks: Uint8Array[];
    size: number;
    dirty: boolean;
}

/** Encodes one record. */
export function encodeRecord(seq: number, payload: Uint8Array): Uint8Array {
    const out = new Uint8Array(RECORD_HEADER + payload.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, payload.length, true);
    dv.setBigUint64(8, BigInt(seq), true);
    out.set(payload, RECORD_HEADER);
    dv.setUint32(4, crc32(out.subarray(8)), true);
    return out;
}

/** Decodes the good records of a segment: the records, and where the good prefix ends. */
export function decodeRecords(
    bytes: Uint8Array,
    afterSeq = 0,
): { records: Array<{ seq: number; payload: Uint8Array }>; end: number } {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const records: Array<{ seq: number; payload: Uint8Array }> = [];
    let off = 0;
    let last = afterSeq;
    while (off + RECORD_HEADER <= bytes.length) {
        const len = dv.getUint32(off, true);
        if (len > MAX_RECORD_BYTES || off + RECORD_HEADER + len > bytes.length) break;
        if (dv.getUint32(off + 4, true) !== crc32(bytes.subarray(off + 8, off + RECORD_HEADER + len))) break;
        const seq = Number(dv.getBigUint64(off + 8, true));
        if (seq <= last || !Number.isSafeInteger(seq)) break;
        records.push({ seq, payload: bytes.slice(off + RECORD_HEADER, off + RECORD_HEADER + len) });
        last = seq;
        off += RECORD_HEADER + len;
    }
    return { records, end: off };
}

/** Joins chunks. */
function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
    const out = new Uint8Array(size);
    let off = 0;
    for (const c of chunks) {
        out.set(c, off);
        off += c.length;
    }
    return out;
}

/** The journal. Call open() once before anything else. */
export class AlarmOutbox {
    readonly #fs: FlashFs;
    readonly #segmentBytes: number;
    readonly #maxSegments: number;
    readonly #prefix: string;
    readonly #retryMs: number;
    readonly #timers: Clock;
    readonly #onDrop: (n: number) => void;
    readonly #onDurable: () => void;
    readonly #onHealth: (e: Error | null) => void;
    #segments: Segment[] = [];
    /** Unacknowledged records in sequence order. */
    #pending: OutboxRecord[] = [];
    #toRemove = new Set<string>();
    #lastSeq = 0;
    #ackedSeq = 0;
    #writing = false;
    #retryTimer: unknown = null;
    #healthy = true;
    #closed = false;
    #idle: Array<() => void> = [];
    readonly #stats = { appended: 0, writes: 0, bytesWritten: 0, failures: 0, dropped: 0, truncatedBytes: 0 };

    constructor(fs: FlashFs, options: OutboxOptions = {}) {
        this.#fs = fs;
        this.#segmentBytes = options.segmentBytes ?? 16 * 1024;
        this.#maxSegments = Math.max(1, options.maxSegments ?? 16);
        this.#prefix = options.prefix ?? "outbox-";
        this.#retryMs = options.retryMs ?? 2000;
        this.#timers = options.timers ?? systemClock;
        this.#onDrop = options.onDrop ?? (() => {});
        this.#onDurable = options.onDurable ?? (() => {});
        this.#onHealth = options.onHealth ?? (() => {});
    }

    /** Highest sequence number given out (0: none yet). */
    get lastSeq(): number {
        return this.#lastSeq;
    }

    /** Every record up to this sequence number is acknowledged (or dropped). */
    get ackedSeq(): number {
        return this.#ackedSeq;
    }

    /** False while writes fail (records are then kept in memory only). */
    get healthy(): boolean {
        return this.#healthy;
    }

    /** Counters. */
    get stats(): OutboxStats {
        return {
            ...this.#stats,
            pending: this.#pending.length,
            segments: this.#segments.length,
            healthy: this.#healthy,
        };
    }

    /**
     * Reads the segments on flash: truncates torn tails, forgets records up to `ackedSeq` (persisted by the
     * caller), and continues numbering after `max(lastSeq on flash, knownSeq, ackedSeq)`.
     */
    async open(ackedSeq = 0, knownSeq = 0): Promise<OutboxOpenReport> {
        this.#ackedSeq = ackedSeq;
        let truncated = 0;
        const names = (await this.#fs.list()).filter((n) => n.startsWith(this.#prefix)).sort();
        let last = 0;
        for (const name of names) {
            if (!name.endsWith(".seg")) {
                if (name.endsWith(".tmp")) await this.#fs.remove(name).catch(() => undefined);
                continue;
            }
            const bytes = (await this.#fs.read(name)) ?? new Uint8Array(0);
            const { records, end } = decodeRecords(bytes, last);
            if (end < bytes.length) {
                truncated += bytes.length - end;
                if (records.length > 0) await this.#rewrite(name, bytes.subarray(0, end));
            }
            if (records.length === 0) {
                await this.#fs.remove(name).catch(() => undefined);
                continue;
            }
            const first = records[0]!.seq;
            const lastRec = records[records.length - 1]!.seq;
            this.#segments.push({
                name,
                firstSeq: first,
                lastSeq: lastRec,
                chunks: [bytes.slice(0, end)],
                size: end,
                dirty: false,
            });
            for (const r of records) {
                if (r.seq > ackedSeq)
                    this.#pending.push({ seq: r.seq, payload: r.payload, durable: true, acked: false });
            }
            last = lastRec;
        }
        this.#lastSeq = Math.max(last, knownSeq, ackedSeq);
        this.#stats.truncatedBytes += truncated;
        while (this.#segments.length > this.#maxSegments) this.#dropOldest();
        this.#collect();
        this.#schedule();
        await this.flush();
        return {
            pending: this.#pending.length,
            truncatedBytes: truncated,
            segments: this.#segments.length,
            lastSeq: last,
        };
    }

    /** Appends one event: `build(seq)` makes the payload for its sequence number. Returns the number. */
    append(build: (seq: number) => Uint8Array): number {
        const seq = this.#lastSeq + 1;
        const payload = build(seq);
        const rec = encodeRecord(seq, payload);
        let seg = this.#segments[this.#segments.length - 1];
        if (seg === undefined || (seg.size > 0 && seg.size + rec.length > this.#segmentBytes)) {
            seg = {
                name: `${this.#prefix}${String(seq).padStart(16, "0")}.seg`,
                firstSeq: seq,
                lastSeq: seq,
                chunks: [],
                size: 0,
                dirty: false,
            };
            this.#segments.push(seg);
            while (this.#segments.length > this.#maxSegments) this.#dropOldest();
        }
        seg.chunks.push(rec);
        seg.size += rec.length;
        seg.lastSeq = seq;
        seg.dirty = true;
        this.#lastSeq = seq;
        this.#pending.push({ seq, payload, durable: false, acked: false });
        this.#stats.appended++;
        this.#schedule();
        return seq;
    }

    /** Unacknowledged records in order (live objects: `durable` turns true once written). */
    pending(): readonly OutboxRecord[] {
        return this.#pending;
    }

    /** Marks one record acknowledged; the acknowledged position advances over contiguous acknowledgements. */
    ack(seq: number): void {
        const rec = this.#pending.find((r) => r.seq === seq);
        if (rec === undefined) return;
        rec.acked = true;
        let advanced = false;
        while (this.#pending.length > 0 && this.#pending[0]!.acked) {
            this.#ackedSeq = this.#pending.shift()!.seq;
            advanced = true;
        }
        if (advanced && this.#collect()) this.#schedule();
    }

    /** Resolves when nothing is waiting to be written (or writing fails and is being retried). */
    flush(): Promise<void> {
        if (!this.#busy()) return Promise.resolve();
        return new Promise((resolve) => this.#idle.push(resolve));
    }

    /** Stops the retry timer; later writes are not started. */
    close(): void {
        this.#closed = true;
        if (this.#retryTimer !== null) this.#timers.clearTimeout(this.#retryTimer);
        this.#retryTimer = null;
        this.#wakeIdle();
    }

    #busy(): boolean {
        return (
            !this.#closed &&
            this.#healthy &&
            (this.#writing || this.#toRemove.size > 0 || this.#segments.some((s) => s.dirty))
        );
    }

    #wakeIdle(): void {
        const idle = this.#idle;
        this.#idle = [];
        for (const w of idle) w();
    }

    /** Removes fully acknowledged segments except the newest (which keeps the numbering on flash). */
    #collect(): boolean {
        let any = false;
        while (this.#segments.length > 1 && this.#segments[0]!.lastSeq <= this.#ackedSeq) {
            this.#toRemove.add(this.#segments.shift()!.name);
            any = true;
        }
        return any;
    }

    #dropOldest(): void {
        const seg = this.#segments.shift()!;
        this.#toRemove.add(seg.name);
        let n = 0;
        while (this.#pending.length > 0 && this.#pending[0]!.seq <= seg.lastSeq) {
            this.#pending.shift();
            n++;
        }
        if (seg.lastSeq > this.#ackedSeq) this.#ackedSeq = seg.lastSeq;
        while (this.#pending.length > 0 && this.#pending[0]!.acked) this.#ackedSeq = this.#pending.shift()!.seq;
        if (n > 0) {
            this.#stats.dropped += n;
            this.#onDrop(n);
        }
    }

    async #rewrite(name: string, bytes: Uint8Array): Promise<void> {
        const tmp = `${name}.tmp`;
        await this.#fs.writeDurable(tmp, bytes);
        await this.#fs.rename(tmp, name);
        this.#stats.writes++;
        this.#stats.bytesWritten += bytes.length;
    }

    #schedule(): void {
        if (this.#writing || this.#closed || this.#retryTimer !== null) return;
        if (this.#toRemove.size === 0 && !this.#segments.some((s) => s.dirty)) return;
        void this.#run();
    }

    async #run(): Promise<void> {
        this.#writing = true;
        while (!this.#closed) {
            const dirty = this.#segments.filter((s) => s.dirty);
            const removes = [...this.#toRemove];
            if (dirty.length === 0 && removes.length === 0) break;
            const upTo = this.#lastSeq;
            for (const s of dirty) s.dirty = false;
            this.#toRemove.clear();
            try {
                for (const s of dirty) await this.#rewrite(s.name, concat(s.chunks, s.size));
                for (const r of removes) await this.#fs.remove(r);
                await this.#fs.syncDir();
            } catch (err) {
                for (const s of dirty) if (this.#segments.includes(s)) s.dirty = true;
                for (const r of removes) this.#toRemove.add(r);
                this.#stats.failures++;
                if (this.#healthy) {
                    this.#healthy = false;
                    this.#onHealth(err instanceof Error ? err : new Error(String(err)));
                }
                this.#retryTimer = this.#timers.setTimeout(() => {
                    this.#retryTimer = null;
                    this.#schedule();
                }, this.#retryMs);
                break;
            }
            let fresh = false;
            for (const r of this.#pending) {
                if (r.seq > upTo) break;
                if (!r.durable) {
                    r.durable = true;
                    fresh = true;
                }
            }
            if (!this.#healthy) {
                this.#healthy = true;
                this.#onHealth(null);
            }
            if (fresh) this.#onDurable();
        }
        this.#writing = false;
        if (!this.#busy()) this.#wakeIdle();
    }
}

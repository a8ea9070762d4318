import { type Clock, systemClock } from "../util/clock.js";
import { type SlotStore, StoreError } from "./slots.js";

/**
 * Durable acknowledgement with coalescing: `persist()` resolves once a snapshot containing every change
 * made before the call is on flash. Changes that arrive while a write is running share the next write, so
 * a burst costs one fsync'd write, not one per change. A token bucket keeps writes under a ceiling per
 * hour (flash wear) while letting a minute's worth burst, and a failing state directory is retried until
 * it works again. Changes nothing waits for (cluster knowledge: `persistLater`) are written within a delay,
 * or by any write that comes first.
 */

export interface SnapshotSource {
    /** Serialises the current state (called at the start of each write). */
    snapshot(): { formatVersion: number; payload: Uint8Array };
}

export type StoreHealthEvent =
    | { type: "write-failed"; error: StoreError }
    | { type: "recovered" }
    | { type: "write-rate-exceeded"; writesLastHour: number; ceiling: number }
    | { type: "write-rate-normal"; writesLastHour: number };

/**
 * The flash write budget: a token bucket (writes may burst up to a minute's worth of the ceiling, then follow
 * its rate). Shared by the writers of one state directory, so the ceiling holds for all of them together.
 */
export class WriteBudget {
    /** Most writes per hour. */
    readonly ceiling: number;
    readonly burst: number;
    readonly #ratePerMs: number;
    readonly #timers: Clock;
    #tokens: number;
    #tokensAt: number;

    constructor(maxWritesPerHour = 3600, timers: Clock = systemClock) {
        this.ceiling = maxWritesPerHour;
        this.#ratePerMs = maxWritesPerHour / 3_600_000;
        this.burst = Math.max(1, Math.floor(maxWritesPerHour / 60));
        this.#timers = timers;
        this.#tokens = this.burst;
        this.#tokensAt = timers.now();
    }

    /** Refills the bucket; returns how long until a write may start leaving `reserve` tokens (0: now). */
    wait(reserve = 0): number {
        const now = this.#timers.now();
        // A clock stepped back must not drain the bucket (it would hold every write for the size of the step).
        this.#tokens = Math.min(this.burst, this.#tokens + Math.max(0, now - this.#tokensAt) * this.#ratePerMs);
        this.#tokensAt = now;
        const need = Math.min(this.burst, 1 + reserve);
        return this.#tokens >= need ? 0 : Math.ceil((need - this.#tokens) / this.#ratePerMs);
    }

    /** A write was made. */
    take(): void {
        this.wait();
        this.#tokens -= 1;
    }
}

export interface SnapshotWriterOptions {
    /** Most snapshot writes per hour; more changes wait and coalesce (default 3600). Ignored with `budget`. */
    maxWritesPerHour?: number;
    /** A budget shared with other writers of the same flash (default: one of this writer's own). */
    budget?: WriteBudget;
    /** Retry delay after a failed write, ms (default 5000). */
    retryMs?: number;
    timers?: Clock;
    onHealth?: (event: StoreHealthEvent) => void;
    /** Called after each snapshot that reached flash. */
    onWritten?: () => void;
}

interface Waiter {
    resolve(): void;
    reject(err: StoreError): void;
}

export interface SnapshotWriterStats {
    writes: number;
    bytesWritten: number;
    /** persist() calls served by a write that another call started. */
    coalesced: number;
    failures: number;
    writesLastHour: number;
    healthy: boolean;
    /** Writes made for `persistLater` changes alone (no acknowledgement waited for them). */
    backgroundWrites: number;
}

/** The write-rate alarm clears only after this long without a held-back write. */
const RATE_ALARM_CLEAR_MS = 10 * 60_000;

export class SnapshotWriter {
    readonly #store: SlotStore;
    readonly #source: SnapshotSource;
    readonly #timers: Clock;
    /** Token bucket: writes may burst up to a minute's worth of the ceiling, then follow its rate. */
    readonly #budget: WriteBudget;
    /** When a write was last held back by the ceiling (timers' clock). */
    #lastDelayed = Number.NEGATIVE_INFINITY;
    readonly #retryMs: number;
    readonly #onHealth: (e: StoreHealthEvent) => void;
    readonly #onWritten: (() => void) | undefined;
    #waiting: Waiter[] = [];
    #writing = false;
    #dirty = false;
    #timer: unknown = null;
    /** The pending #timer is for a change someone waits for (else a background write's). */
    #timerUrgent = false;
    /** Times of the writes within the last hour (bounded by the ceiling). */
    #recent: number[] = [];
    #healthy = true;
    #rateAlarm = false;
    #coalesced = 0;
    /** persistLater() changes made, and how many of them the last write that started covers. */
    #laterSeq = 0;
    #laterWritten = 0;
    /** The delay of persistLater() is over and its changes are not written yet. */
    #laterDue = false;
    #laterTimer: unknown = null;
    #backgroundWrites = 0;

    constructor(store: SlotStore, source: SnapshotSource, opts: SnapshotWriterOptions = {}) {
        this.#store = store;
        this.#source = source;
        this.#timers = opts.timers ?? systemClock;
        this.#budget = opts.budget ?? new WriteBudget(opts.maxWritesPerHour, this.#timers);
        this.#retryMs = opts.retryMs ?? 5000;
        this.#onHealth = opts.onHealth ?? (() => {});
        this.#onWritten = opts.onWritten;
    }

    get healthy(): boolean {
        return this.#healthy;
    }

    get stats(): SnapshotWriterStats {
        this.#trim();
        return {
            writes: this.#store.stats.writes,
            bytesWritten: this.#store.stats.bytesWritten,
            coalesced: this.#coalesced,
            failures: this.#store.stats.failures,
            writesLastHour: this.#recent.length,
            healthy: this.#healthy,
            backgroundWrites: this.#backgroundWrites,
        };
    }

    /** The state changed: resolves when that change is durable, rejects (StoreError) if it cannot be. */
    persist(): Promise<void> {
        this.#dirty = true;
        if (this.#writing || this.#waiting.length > 0) this.#coalesced++;
        const p = new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }));
        this.#schedule();
        return p;
    }

    /**
     * Something worth keeping changed that nothing waits for (cluster knowledge): it is written within
     * `delayMs` (one write for every change of that time), or by any write that comes first. Such writes leave
     * half the burst to acknowledgements and never raise the write-rate alarm: they simply wait.
     */
    persistLater(delayMs: number): void {
        this.#laterSeq++;
        if (this.#laterTimer !== null) return;
        this.#laterTimer = this.#timers.setTimeout(() => {
            this.#laterTimer = null;
            if (this.#laterSeq <= this.#laterWritten) return;
            this.#laterDue = true;
            this.#schedule();
        }, delayMs);
    }

    /** Writes now if anything changed (shutdown), ignoring the spacing; resolves when durable. */
    async flush(): Promise<void> {
        if (this.#laterTimer !== null) {
            this.#timers.clearTimeout(this.#laterTimer);
            this.#laterTimer = null;
        }
        if (!this.#dirty && this.#waiting.length === 0 && this.#laterSeq <= this.#laterWritten) return;
        if (this.#writing) {
            await this.persist();
            return;
        }
        const p = this.persist();
        this.#cancelTimer();
        void this.#write();
        await p;
    }

    /** Stops timers (waiters of an unwritten change are rejected). */
    close(): void {
        this.#cancelTimer();
        if (this.#laterTimer !== null) this.#timers.clearTimeout(this.#laterTimer);
        this.#laterTimer = null;
        const waiting = this.#waiting;
        this.#waiting = [];
        for (const w of waiting) w.reject(new StoreError("STORE_CLOSED", "the store was closed before the write"));
    }

    #cancelTimer(): void {
        if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
        this.#timer = null;
    }

    #trim(): void {
        const since = this.#timers.now() - 3_600_000;
        while (this.#recent.length > 0 && (this.#recent[0] as number) <= since) this.#recent.shift();
    }

    #schedule(): void {
        const urgent = this.#dirty;
        // a change someone waits for does not wait behind a background write's longer reserve
        if (urgent && this.#timer !== null && !this.#timerUrgent && this.#healthy) this.#cancelTimer();
        if (this.#writing || this.#timer !== null) return;
        if (!urgent && !this.#laterDue) return;
        // background writes keep half the burst for the changes someone waits for
        const reserve = urgent ? 0 : this.#budget.burst / 2;
        const wait = this.#healthy ? this.#budget.wait(reserve) : this.#retryMs;
        if (this.#healthy && urgent) this.#checkRate(wait > 0);
        if (wait <= 0) {
            void this.#write();
            return;
        }
        this.#timerUrgent = urgent;
        this.#timer = this.#timers.setTimeout(() => {
            this.#timer = null;
            void this.#write();
        }, wait);
    }

    async #write(): Promise<void> {
        if (this.#writing) return;
        this.#writing = true;
        const batch = this.#waiting;
        this.#waiting = [];
        if (!this.#dirty) this.#backgroundWrites++;
        this.#dirty = false;
        this.#laterWritten = this.#laterSeq;
        this.#laterDue = false;
        let failed: StoreError | null = null;
        try {
            const { formatVersion, payload } = this.#source.snapshot();
            await this.#store.write(formatVersion, payload);
        } catch (err) {
            failed =
                err instanceof StoreError
                    ? err
                    : new StoreError("STORE_SNAPSHOT_FAILED", `snapshot could not be made: ${(err as Error).message}`);
        }
        this.#writing = false;
        if (failed !== null) {
            // The change is still not durable: the retry writes it (and whatever came since).
            this.#dirty = true;
            if (this.#healthy) {
                this.#healthy = false;
                this.#onHealth({ type: "write-failed", error: failed });
            }
            for (const w of batch) w.reject(failed);
        } else {
            const now = this.#timers.now();
            this.#budget.take();
            this.#recent.push(now);
            this.#trim();
            if (!this.#healthy) {
                this.#healthy = true;
                this.#onHealth({ type: "recovered" });
            }
            for (const w of batch) w.resolve();
            this.#onWritten?.();
        }
        this.#schedule();
    }

    /** The alarm: changes arrive faster than the ceiling lets them be written, so they wait. */
    #checkRate(delayed: boolean): void {
        this.#trim();
        const n = this.#recent.length;
        const now = this.#timers.now();
        if (delayed) this.#lastDelayed = now;
        if (!this.#rateAlarm && delayed) {
            this.#rateAlarm = true;
            this.#onHealth({ type: "write-rate-exceeded", writesLastHour: n, ceiling: this.#budget.ceiling });
        } else if (
            this.#rateAlarm &&
            !delayed &&
            n < this.#budget.ceiling * 0.8 &&
            now - this.#lastDelayed >= RATE_ALARM_CLEAR_MS
        ) {
            // Cleared only after writes have gone undelayed for a while: bursts just above the bucket's size
            // otherwise raised and cleared it with every burst (234 times in a soak hour).
            this.#rateAlarm = false;
            this.#onHealth({ type: "write-rate-normal", writesLastHour: n });
        }
    }
}

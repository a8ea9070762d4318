/**
 * Clocks for the simulator. `ManualClock` is a deterministic time line driven by the caller (tests run a
 * simulated hour in seconds); `RealClock` follows wall time, optionally accelerated.
 */
import type { SimClock, SimTimer } from "./types.js";

interface ManualTimer extends SimTimer {
    due: number;
    seq: number;
    fn: (() => void) | null;
}

/** A simulated instant: 2026-06-03 08:00:00 UTC (a Wednesday), the default start of manual clocks. */
export const DEFAULT_SIM_START = Date.UTC(2026, 5, 3, 8, 0, 0);

/**
 * Deterministic clock: time moves only through `runUntil`/`advance`; timers fire in (due, creation) order.
 * Timers are kept in a binary heap; cancelled ones are dropped lazily when they reach the top.
 */
export class ManualClock implements SimClock {
    #now: number;
    #seq = 0;
    #heap: ManualTimer[] = [];
    #live = 0;
    /** Timers fired so far. */
    fired = 0;

    constructor(startMs: number = DEFAULT_SIM_START) {
        this.#now = startMs;
    }

    /** Current simulated time, ms since the epoch. */
    now(): number {
        return this.#now;
    }

    /** Schedules `fn` after `ms` (negative counts as 0). */
    setTimer(ms: number, fn: () => void): SimTimer {
        const t: ManualTimer = { due: this.#now + Math.max(ms, 0), seq: this.#seq++, fn };
        this.#push(t);
        this.#live++;
        return t;
    }

    /** Cancels a timer. */
    clearTimer(timer: SimTimer | null | undefined): void {
        const t = timer as ManualTimer | null | undefined;
        if (t === null || t === undefined || t.fn === null) return;
        t.fn = null;
        this.#live--;
    }

    /** Timers still pending. */
    get pending(): number {
        return this.#live;
    }

    /** Due time of the earliest pending timer, or undefined. */
    nextDue(): number | undefined {
        this.#dropCancelled();
        return this.#heap[0]?.due;
    }

    /**
     * Fires every timer due at or before `t` (including timers they create within the window), each at its
     * own due time, then sets the time to `t` (never backwards). Returns the number fired.
     */
    runUntil(t: number): number {
        let n = 0;
        for (;;) {
            this.#dropCancelled();
            const top = this.#heap[0];
            if (top === undefined || top.due > t) break;
            this.#pop();
            const fn = top.fn as () => void;
            top.fn = null;
            this.#live--;
            if (top.due > this.#now) this.#now = top.due;
            n++;
            this.fired++;
            fn();
        }
        if (t > this.#now) this.#now = t;
        return n;
    }

    /** Moves time forward by `ms`, firing what falls due. */
    advance(ms: number): number {
        return this.runUntil(this.#now + ms);
    }

    #dropCancelled(): void {
        const h = this.#heap;
        while (h.length > 0 && (h[0] as ManualTimer).fn === null) this.#pop();
    }

    #less(a: ManualTimer, b: ManualTimer): boolean {
        return a.due < b.due || (a.due === b.due && a.seq < b.seq);
    }

    #push(t: ManualTimer): void {
        const h = this.#heap;
        h.push(t);
        let i = h.length - 1;
        while (i > 0) {
            const p = (i - 1) >> 1;
            const parent = h[p] as ManualTimer;
            if (!this.#less(t, parent)) break;
            h[i] = parent;
            i = p;
        }
        h[i] = t;
    }

    #pop(): void {
        const h = this.#heap;
        const last = h.pop() as ManualTimer;
        if (h.length === 0) return;
        let i = 0;
        const n = h.length;
        for (;;) {
            const l = 2 * i + 1;
            if (l >= n) break;
            const r = l + 1;
            const c = r < n && this.#less(h[r] as ManualTimer, h[l] as ManualTimer) ? r : l;
            if (!this.#less(h[c] as ManualTimer, last)) break;
            h[i] = h[c] as ManualTimer;
            i = c;
        }
        h[i] = last;
    }
}

interface RealTimer extends SimTimer {
    handle: NodeJS.Timeout | null;
}

/** Wall-clock time, accelerated by `speed` (60 = a simulated minute per second). */
export class RealClock implements SimClock {
    readonly speed: number;
    readonly #startMs: number;
    readonly #t0: number;

    constructor(options: { speed?: number; startMs?: number } = {}) {
        this.speed = options.speed ?? 1;
        this.#startMs = options.startMs ?? Date.now();
        this.#t0 = performance.now();
    }

    /** Current (accelerated) time, ms since the epoch. */
    now(): number {
        return this.#startMs + (performance.now() - this.#t0) * this.speed;
    }

    /** Schedules `fn` after `ms` of clock time (ms / speed of wall time). */
    setTimer(ms: number, fn: () => void): SimTimer {
        const t: RealTimer = { due: this.now() + ms, handle: null };
        t.handle = setTimeout(
            () => {
                t.handle = null;
                fn();
            },
            Math.max(0, ms / this.speed),
        );
        return t;
    }

    /** Cancels a timer. */
    clearTimer(timer: SimTimer | null | undefined): void {
        const t = timer as RealTimer | null | undefined;
        if (t?.handle !== null && t?.handle !== undefined) {
            clearTimeout(t.handle);
            t.handle = null;
        }
    }
}

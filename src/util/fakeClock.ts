import type { Clock } from "./clock.js";

/**
 * A manual clock for tests of timed logic (in-repo fake, as matter.js ships its mocks): time moves only
 * when `advance` is called, and timers due by then fire in order.
 */
export class FakeClock implements Clock {
    #now: number;
    #seq = 0;
    #timers = new Map<number, { at: number; fn: () => void }>();

    constructor(start = 0) {
        this.#now = start;
    }

    now(): number {
        return this.#now;
    }

    setTimeout(fn: () => void, ms: number): unknown {
        const id = ++this.#seq;
        this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
        return id;
    }

    clearTimeout(handle: unknown): void {
        this.#timers.delete(handle as number);
    }

    /** Timers waiting to fire. */
    get pending(): number {
        return this.#timers.size;
    }

    /** Moves time forward by `ms`, firing due timers in time order (awaiting microtasks between them). */
    async advance(ms: number): Promise<void> {
        const end = this.#now + ms;
        for (;;) {
            let next: [number, { at: number; fn: () => void }] | undefined;
            for (const e of this.#timers) if (e[1].at <= end && (next === undefined || e[1].at < next[1].at)) next = e;
            if (next === undefined) break;
            this.#timers.delete(next[0]);
            this.#now = next[1].at;
            next[1].fn();
            await settle();
        }
        this.#now = end;
        await settle();
    }
}

/** Lets pending promise callbacks run (several rounds, for chains of awaits). */
export async function settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    await new Promise((r) => setImmediate(r));
}

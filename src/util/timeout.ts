import type { Clock } from "./clock.js";

/** Timers that keep the process alive while a wait is pending (as a bare `setTimeout` does). */
const holdingTimers: Pick<Clock, "setTimeout" | "clearTimeout"> = {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Rejects with "timed out after N ms" when `p` takes longer than `ms` (the timer never outlives `p`). */
export function withTimeout<T>(
    p: Promise<T>,
    ms: number,
    clock: Pick<Clock, "setTimeout" | "clearTimeout"> = holdingTimers,
): Promise<T> {
    return new Promise((resolve, reject) => {
        const timer = clock.setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
        p.then(
            (v) => {
                clock.clearTimeout(timer);
                resolve(v);
            },
            (err: unknown) => {
                clock.clearTimeout(timer);
                reject(err);
            },
        );
    });
}

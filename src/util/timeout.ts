import { type Clock, systemClock } from "./clock.js";

/** Rejects with "timed out after N ms" when `p` takes longer than `ms` (the timer never outlives `p`). */
export function withTimeout<T>(p: Promise<T>, ms: number, clock: Clock = systemClock): Promise<T> {
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

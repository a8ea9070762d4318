/**
 * The clock port: everything that waits or measures time takes a `Clock` (the store's writer, the push
 * client, the management plane, the redundancy link, the service). Tests pass `FakeClock` (fakeClock.ts),
 * whose time moves only when told, instead of real timers.
 */

/** Time and timers. */
export interface Clock {
    /** Milliseconds; differences are durations (the real clocks count from the epoch). */
    now(): number;
    /** Calls `fn` once after `ms`; a real timer never keeps the process alive. */
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
    /** The wall clock as it is now (times shown to people, e.g. on phones); default `now()`. */
    wallNow?(): number;
}

const timers: Pick<Clock, "setTimeout" | "clearTimeout"> = {
    setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** The wall clock (`Date.now`): timestamps that leave the box (MQTT payloads, flash records). */
export const systemClock: Clock = { now: () => Date.now(), ...timers };

/**
 * The monotonic clock: durations a step of the wall clock must neither end early nor stretch (back-offs,
 * peer freshness); `wallNow` is the wall clock, for timestamps sent or shown.
 */
export const monotonicClock: Clock = { now: () => performance.now(), wallNow: () => Date.now(), ...timers };

/** Wall time when this process started, and the monotonic clock then. */
const EPOCH_AT_START = Date.now();
const MONO_AT_START = performance.now();

/**
 * The wall time at start carried on by the monotonic clock: epoch milliseconds that an NTP step neither
 * moves forward (expiring deadlines early) nor back (freezing them for the size of the step). `wallNow`
 * follows NTP, for times shown on phones (a box without RTC often starts before its clock is set).
 */
export const steadyWallClock: Clock = {
    now: () => EPOCH_AT_START + Math.floor(performance.now() - MONO_AT_START),
    wallNow: () => Date.now(),
    ...timers,
};

/** Resolves after `ms` of `clock`'s time. */
export function sleepOn(clock: Clock, ms: number): Promise<void> {
    return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

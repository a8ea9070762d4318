/**
 * Waiting in tests. A test asserts order, counts and outcomes, never how long something took: every wait is
 * for an event or a condition, and its deadline is generous on purpose — it only turns a hang into a failure
 * (a loaded 2-core CI machine is slow, never wrong). CALLBACKD_TEST_HANG_MS changes it (e.g. longer under
 * valgrind-like conditions, shorter to find a hang quickly).
 */

/** The deadline of every wait in the suite (ms of wall time). */
export const HANG_MS = Number(process.env.CALLBACKD_TEST_HANG_MS ?? 60_000);

/** Polls `cond` (every `pollMs`) until it holds; throws naming `what` once `ms` have passed without it. */
export async function waitFor(cond: () => boolean, what: string, ms = HANG_MS, pollMs = 10): Promise<void> {
    const end = performance.now() + ms;
    while (!cond()) {
        if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, pollMs));
    }
}

/** Resolves with `p`, or rejects naming `what` when it has not settled within `ms` (a hang, not a slow run). */
export async function within<T>(p: Promise<T>, what: string, ms = HANG_MS): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    });
    try {
        return await Promise.race([p, hang]);
    } finally {
        clearTimeout(timer);
    }
}

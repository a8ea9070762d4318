/**
 * Fault: the caller's phone cannot take the notification when its callee frees up — connection refused,
 * answers slower than the Synchronous Request Time Out, HTTP 500, garbage, or CiscoIPPhoneError 4. The
 * push is retried with backoff, the alarms say what happened, the request survives until the phone is
 * back (then the caller is notified), and a phone refusing the credentials is not hammered.
 */
import t from "tap";
import type { XsiFailure } from "../../src/sim/xsi/types.js";
import { type Office, startOffice } from "../e2e/helpers.js";
import { needTool } from "../helpers/tools.js";
import { HANG_MS } from "../helpers/wait.js";

const skip = needTool("xmllint", "libxml2-utils");

interface Pair {
    caller: string;
    callee: string;
    partner: string;
    failure: XsiFailure;
}

const PAIRS: Pair[] = [
    { caller: "1101", callee: "1102", partner: "1103", failure: { kind: "refused" } },
    { caller: "1201", callee: "1202", partner: "1203", failure: { kind: "slow", delayMs: 3_600_000 } },
    { caller: "1301", callee: "1302", partner: "1303", failure: { kind: "http500" } },
    { caller: "1401", callee: "1402", partner: "1403", failure: { kind: "garbage" } },
];
const CREDENTIALS: Pair = { caller: "1501", callee: "1502", partner: "1503", failure: { kind: "error", number: 4 } };

/**
 * Like `office.until` but paced: pushes run on real timers (the Synchronous Request Time Out, backoff of
 * seconds), the engine's notification retries on the office's clock. While a push is in flight the office's
 * time moves at most 2 s (time for the phone to play its 300 ms clip and answer), so that however slowly a
 * loaded machine carries the push out, the engine does not see minutes of its own retries pass meanwhile (it
 * would give up on a request before the push it sent had even failed). The deadline only turns a hang into
 * a failure.
 */
async function paced(o: Office, cond: () => boolean, what: string, wallMs = 2 * HANG_MS): Promise<void> {
    const end = performance.now() + wallMs;
    let busySince: number | null = null;
    while (!cond()) {
        if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
        if (o.service.pushesInFlight === 0) busySince = null;
        else busySince ??= o.clock.now();
        if (busySince === null || o.clock.now() - busySince < 2000) await o.branch.advance(100);
        o.service.tick();
        await new Promise((r) => setTimeout(r, 10));
    }
}

const available = (o: Office, p: Pair) => o.screenTexts(p.caller).some((s) => s.startsWith(`${p.callee} has become`));

t.test("unreachable, slow, 500, garbage and error-4 phones at notification time", { skip }, async (t) => {
    const alarms: string[] = [];
    const all = [...PAIRS, CREDENTIALS];
    const o = await startOffice(
        all.flatMap((p) => [{ dn: p.caller }, { dn: p.callee }, { dn: p.partner }]),
        // The Synchronous Request Time Out is wall time: a healthy phone must answer well within it even on a
        // loaded machine (it answers a push after validating it and playing the 300 ms clip), or the service
        // rightly retries a push that was delivered and the caller hears the twinkle twice. The slow phone
        // never answers in time.
        { service: { synchronousRequestTimeoutMs: 8000 } },
        undefined,
        false,
        { onAlarm: (id, action, details) => alarms.push(`${id} ${action} ${details}`) },
    );
    t.teardown(() => o.stop());
    for (const p of all) {
        await o.branch.call(p.partner, p.callee);
        await o.branch.answer(p.callee);
        await o.branch.call(p.caller, p.callee);
        await o.until(() => o.branch.phone(p.caller).tone === 0x23, `${p.caller} hears busy`);
        await o.branch.press(p.caller, "CallBack");
        await o.until(
            () => o.screenTexts(p.caller).some((s) => s.startsWith(`Call Back is activated on ${p.callee}`)),
            `${p.caller} activated`,
        );
        await o.branch.hangUp(p.caller);
    }
    const xsi = (dn: string) => o.xsi.get(o.branch.phone(dn).ip)!;
    for (const p of all) await xsi(p.caller).setFailure(p.failure);
    const before = new Map(all.map((p) => [p.caller, xsi(p.caller).pushes.length]));

    // The callees free up: every notification fails.
    for (const p of all) await o.branch.hangUp(p.callee);
    const request = (p: Pair) => o.service.state.requests.find((r) => r.caller.dn === p.caller);
    // Each failing phone's first failed notification, as it is seen (a pair may be retrying again by the time
    // the last one has failed once: no moment need have all four between attempts).
    const firstFailure = new Map<Pair, string | null | undefined>();
    await paced(
        o,
        () => {
            for (const p of PAIRS) {
                const d = request(p)?.delivery;
                if (!firstFailure.has(p) && d?.retryAt != null) firstFailure.set(p, d.lastCode);
            }
            return firstFailure.size === PAIRS.length;
        },
        "a failed first notification, retry scheduled, for every failing phone",
    );
    const codes = Object.fromEntries(PAIRS.map((p) => [p.failure.kind, firstFailure.get(p)]));
    t.same(codes, {
        refused: "PUSH_UNREACHABLE",
        slow: "PUSH_TIMEOUT",
        http500: "PUSH_HTTP_STATUS",
        garbage: "PUSH_BAD_RESPONSE",
    });
    t.ok(
        alarms.some((a) => a.startsWith("phone.push-unreachable raise")),
        "phone.push-unreachable raised",
    );
    t.ok(
        alarms.some((a) => a.startsWith("phone.push-credentials raise")),
        "phone.push-credentials raised",
    );
    for (const p of PAIRS) t.notOk(available(o, p), `${p.caller}: not notified yet`);
    // Each failed engine attempt is at most 3 HTTP attempts (with backoff), not a loop.
    for (const p of [PAIRS[2]!, PAIRS[3]!]) {
        const hits = xsi(p.caller).pushes.length - before.get(p.caller)!;
        const attempts = request(p)?.delivery?.attempts ?? 0;
        t.ok(hits <= 3 * attempts, `${p.failure.kind}: ${hits} HTTP requests for ${attempts} notification attempts`);
    }

    // The phones come back: the next retry (notifyRetryMs, 30 s) gets through; nothing was lost.
    for (const p of PAIRS) await xsi(p.caller).setFailure(undefined);
    await paced(o, () => PAIRS.every((p) => available(o, p)), "every caller notified after its phone came back");
    // the push's own answer comes after the phone fetched the screen: the alarm clears with it
    await paced(o, () => alarms.some((a) => a.startsWith("phone.push-unreachable clear")), "the alarm to clear");
    t.ok(
        alarms.some((a) => a.startsWith("phone.push-unreachable clear")),
        "phone.push-unreachable cleared",
    );
    for (const p of PAIRS) t.same(xsi(p.caller).sounds, ["CallBack.raw"], `${p.caller} played the twinkle once`);

    // Error 4: the credentials are wrong; the phone is asked once and then left alone (no hammering)
    // while the engine's retries run out; the request ends visibly (notify-failed), never silently.
    await paced(
        o,
        () => o.seen.some((e) => e.type === "RequestEnded" && e.request.caller.dn === CREDENTIALS.caller),
        "the credentials request to end",
    );
    const ended = o.seen.find((e) => e.type === "RequestEnded" && e.request.caller.dn === CREDENTIALS.caller);
    t.match(ended, { reason: "notify-failed", detail: "PUSH_AUTH_BACKOFF" });
    const hits = xsi(CREDENTIALS.caller).pushes.length - before.get(CREDENTIALS.caller)!;
    t.equal(hits, 1, "one request reached the phone that refused the credentials");
});

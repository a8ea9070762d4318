/**
 * Time in the engine: each request's and offer's own deadline, the state's earliest one (what the shell
 * ticks at), carried from state to state at the cost of what changed; which inputs can change anything at
 * all; what happens when deadlines are reached; and the settling after every input (resumed callers, the
 * numbers to serve). Above the notification room, whose rules say when a request is ready.
 */

import { callerReady, eligible, readyAt, recallEnd, sendNotify, serve } from "./notification.js";
import type { EngineOptions } from "./options.js";
import { dropOffer, ENGINE_ALARMS, end, failPending } from "./outcomes.js";
import type { StateIndex, Tx } from "./tx.js";
import type { CallBackRequest, CalleeWatch, EngineInput, EngineState, ReplaceOffer } from "./types.js";

/** A request's own earliest deadline (Infinity: none). */
export function requestDeadline(o: EngineOptions, r: CallBackRequest, w: CalleeWatch | undefined): number {
    let d = Number.POSITIVE_INFINITY;
    if (r.callerUnregisteredAt !== null) d = r.callerUnregisteredAt + o.callerUnregisteredGraceS * 1000;
    if (r.phase === "pending") return Math.min(d, r.createdAt + o.persistTimeoutMs);
    if (r.phase === "notified") {
        d = Math.min(d, recallEnd(o, r));
        return r.delivery !== null && r.delivery.retryAt !== null ? Math.min(d, r.delivery.retryAt) : d;
    }
    d = Math.min(d, r.expiresAt);
    if (!r.suspended && w !== undefined && w.state === "idle" && eligible(o, r)) d = Math.min(d, readyAt(o, w, r));
    return d;
}

/** Computes every entry's deadline and the earliest one after `state.now`. */
export function computeDeadline(o: EngineOptions, state: EngineState, ix: StateIndex): number | null {
    ix.deadlines.clear();
    for (const r of state.requests) noteDeadline(ix, r.id, requestDeadline(o, r, ix.watches.get(r.calledDn)));
    for (const x of state.offers) noteDeadline(ix, x.id, x.expiresAt);
    return earliest(ix, state.now);
}

function noteDeadline(ix: StateIndex, id: string, d: number): void {
    if (d === Number.POSITIVE_INFINITY) ix.deadlines.delete(id);
    else ix.deadlines.set(id, d);
}

function earliest(ix: StateIndex, now: number): number | null {
    let next = Number.POSITIVE_INFINITY;
    // past deadlines were handled at `now` (a left-over one must not make the shell tick in a loop)
    for (const d of ix.deadlines.values()) if (d > now && d < next) next = d;
    return next === Number.POSITIVE_INFINITY ? null : next;
}

/**
 * Carries the deadlines over to the next state: only the changed requests, offers and the requests of
 * changed watches are recomputed; a full pass over the stored values only when time was due or the
 * earliest one may have moved later.
 */
export function updateDeadlines(o: EngineOptions, ix: StateIndex, state: EngineState, tx: Tx, due: boolean): void {
    const before = ix.deadline;
    let rescan = due;
    let next = before ?? Number.POSITIVE_INFINITY;
    const note = (id: string, d: number): void => {
        if (before !== null && ix.deadlines.get(id) === before && d !== before) rescan = true;
        noteDeadline(ix, id, d);
        if (d > state.now && d < next) next = d;
    };
    const { requests, watches, offers } = tx.changes();
    for (const id of requests) {
        const r = ix.byId.get(id);
        note(id, r === undefined ? Number.POSITIVE_INFINITY : requestDeadline(o, r, ix.watches.get(r.calledDn)));
    }
    for (const dn of watches) {
        const w = ix.watches.get(dn);
        for (const id of ix.queues.get(dn) ?? []) {
            const r = ix.byId.get(id) as CallBackRequest;
            note(id, requestDeadline(o, r, w));
        }
    }
    for (const id of offers) note(id, ix.offers.get(id)?.expiresAt ?? Number.POSITIVE_INFINITY);
    ix.deadline = rescan ? earliest(ix, state.now) : next === Number.POSITIVE_INFINITY ? null : next;
}

/** Whether an input can change anything (most line changes in a busy cluster do not). */
export function relevant(ix: StateIndex, input: EngineInput, t: number): boolean {
    if (ix.deadline !== null && ix.deadline <= t) return true;
    switch (input.type) {
        case "LineStateChanged":
            return (
                ix.queues.has(input.dn) ||
                (ix.suspended.size > 0 && input.to === "idle") ||
                (ix.notified.size > 0 && input.to !== "idle")
            );
        case "DeviceRegistered":
        case "DeviceUnregistered":
            return ix.byCaller.has(input.device);
        case "ForwardingChanged":
            return input.to.all !== null && (input.dn === null ? ix.queues.size > 0 : ix.queues.has(input.dn));
        case "SoftKeyPressed":
        case "CtiLinkChanged":
        case "CallManagerLinkChanged":
            return false;
        case "Tick":
            return false;
        default:
            return true;
    }
}

/** Applies every deadline reached by `tx.t` among the given requests and offers. */
export function runDue(
    o: EngineOptions,
    tx: Tx,
    requests: readonly CallBackRequest[],
    offers: readonly ReplaceOffer[],
): void {
    const t = tx.t;
    for (const r0 of requests) {
        const r = tx.get(r0.id);
        if (r === undefined) continue;
        if (r.phase === "pending" && t >= r.createdAt + o.persistTimeoutMs) {
            failPending(tx, r, "the store did not confirm in time");
        } else if (r.callerUnregisteredAt !== null && t >= r.callerUnregisteredAt + o.callerUnregisteredGraceS * 1000) {
            end(tx, r, "caller-unregistered", null);
        } else if (r.phase === "waiting" && t >= r.expiresAt) {
            end(tx, r, "expired", r.trigger);
        } else if (r.phase === "notified" && t >= recallEnd(o, r)) {
            end(tx, r, "recall-timeout", null);
        } else if (
            r.phase === "notified" &&
            r.delivery !== null &&
            r.delivery.retryAt !== null &&
            t >= r.delivery.retryAt
        ) {
            sendNotify(tx, r, r.delivery.attempts + 1);
        }
    }
    for (const x of offers) {
        if (t >= x.expiresAt && tx.offer(x.id) !== undefined) dropOffer(tx, x);
    }
}

/**
 * After an input: deadlines the input itself made due (e.g. a grace time of 0), resumption of suspended
 * requests whose caller is free, then serving the numbers that changed (all of them when time was due).
 */
export function settle(o: EngineOptions, tx: Tx, due: boolean): void {
    runDue(o, tx, tx.changed(), []);
    for (const r of tx.select(tx.ix.suspended, (x) => x.suspended && x.phase === "waiting")) {
        if (!callerReady(r, tx.view.device(r.caller.device))) continue;
        const resumed = { ...r, suspended: false };
        tx.put(resumed);
        tx.emit({ type: "RequestChanged", id: r.id, change: "resumed", request: resumed });
    }
    // A set: after a restore every watched number is both due and touched (an array's includes() made
    // this quadratic: ~0.5 s of the restore of 20,000 requests).
    const dns = new Set(due ? tx.watchDns() : []);
    for (const dn of tx.touched) dns.add(dn);
    for (const dn of dns) serve(o, tx, dn);
    if (tx.size < o.maxRequests) tx.clear(ENGINE_ALARMS.capacity, "requests below the maximum");
}

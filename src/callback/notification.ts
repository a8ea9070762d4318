/**
 * The called side and the notification: when a request may be served (eligible, guard time, protection
 * window, a ready caller), the caller's registration, the called number's line changes and forwarding, notifying the requesters of an
 * available number, and the delivery of that notification (push results, retries, alarms). Below the
 * deadlines room, which asks these rules when each request is due.
 */
import type { ClusterEvent } from "../cluster/types.js";
import type { PhoneTime } from "../phone/phoneTime.js";
import type { EngineOptions } from "./options.js";
import { ENGINE_ALARMS, end } from "./outcomes.js";
import type { EngineDeviceView } from "./ports.js";
import type { Tx } from "./tx.js";
import type { CallBackRequest, CalleeWatch } from "./types.js";

const AUTH_CODES = new Set(["PUSH_AUTH_FAILED", "PUSH_AUTH_BACKOFF"]);
const UNREACHABLE_CODES = new Set(["PUSH_UNREACHABLE", "PUSH_TIMEOUT"]);

/** End of the recall window of a notified request (notified requests have `notifiedAt`; parseEngineState checks it). */
export function recallEnd(o: EngineOptions, r: CallBackRequest): number {
    return (r.notifiedAt as number) + o.recallWindowMs;
}

/** A no-answer request waits for an off-hook/on-hook cycle of the called number (unless configured off). */
export function eligible(o: EngineOptions, r: CallBackRequest): boolean {
    return r.trigger === "busy" || !o.noAnswerRequiresUse || r.calleeInUseSeen;
}

/** When the number has been idle for the guard time, counted from the request's activation at the earliest. */
export function readyAt(o: EngineOptions, w: CalleeWatch, r: CallBackRequest): number {
    // waiting requests are active (parseEngineState checks it)
    const start = Math.max(w.since, r.activeSince as number);
    const ready = start + o.guardTimeMs;
    return w.firstNotifiedAt === null ? ready : Math.max(ready, w.firstNotifiedAt + o.protectionWindowMs);
}

/** The caller can take a notification: registered (and not in its unregistered grace) and idle. */
export function callerReady(r: CallBackRequest, dev: EngineDeviceView | null): dev is EngineDeviceView {
    return dev?.registered === true && dev.idle && r.callerUnregisteredAt === null;
}

/** The caller's phone unregistered: its requests start their grace time (they end when it runs out). */
export function callerUnregistered(tx: Tx, device: string): void {
    for (const r of tx.ofCaller(device)) {
        if (r.callerUnregisteredAt === null) tx.put({ ...r, callerUnregisteredAt: tx.t });
    }
}

/** The caller's phone registered (again): its requests go on, pushed to the address it has now. */
export function callerRegistered(tx: Tx, device: string, address: string | null): void {
    for (const r of tx.ofCaller(device)) {
        const ip = address ?? r.caller.ip;
        if (r.callerUnregisteredAt !== null || ip !== r.caller.ip) {
            tx.put({ ...r, callerUnregisteredAt: null, caller: { ...r.caller, ip } });
        }
    }
}

/** Notifies the requesters of an available number: the first at once, the others after the protection window. */
export function serve(o: EngineOptions, tx: Tx, dn: string): void {
    let w = tx.watch(dn);
    if (w === undefined || w.state !== "idle") return;
    for (const r of tx.queue(dn)) {
        if (r.phase !== "waiting" || r.suspended || !eligible(o, r)) continue;
        if (tx.t < readyAt(o, w, r)) continue;
        const dev = tx.view.device(r.caller.device);
        if (!callerReady(r, dev)) {
            const suspended = { ...r, suspended: true };
            tx.put(suspended);
            tx.emit({ type: "RequestChanged", id: r.id, change: "suspended", request: suspended });
            continue;
        }
        const ip = dev.ip ?? r.caller.ip;
        const notified: CallBackRequest = {
            ...r,
            caller: ip === r.caller.ip ? r.caller : { ...r.caller, ip },
            phase: "notified",
            notifiedAt: tx.t,
            notifyPhoneTime: dev.phoneTime ?? { epochMs: tx.t },
            delivery: { attempts: 0, inFlight: false, retryAt: null, lastCode: null },
        };
        tx.put(notified);
        tx.emit({ type: "RequestChanged", id: r.id, change: "notified", request: notified });
        sendNotify(tx, notified, 1);
        if (w.firstNotifiedAt === null) {
            w = { ...w, firstNotifiedAt: tx.t };
            tx.setWatch(w);
        }
    }
}

/** One push of the notification (a retry goes to the address the phone has now). */
export function sendNotify(tx: Tx, r: CallBackRequest, attempt: number): void {
    const ip = attempt === 1 ? r.caller.ip : (tx.view.device(r.caller.device)?.ip ?? r.caller.ip);
    const next: CallBackRequest = {
        ...r,
        caller: ip === r.caller.ip ? r.caller : { ...r.caller, ip },
        delivery: { attempts: attempt, inFlight: true, retryAt: null, lastCode: r.delivery?.lastCode ?? null },
    };
    tx.put(next, attempt === 1);
    tx.emit({
        type: "Notify",
        device: r.caller.device,
        ip,
        dn: r.calledDn,
        ref: r.id,
        phoneTime: r.notifyPhoneTime as PhoneTime,
        attempt,
    });
}

/** A line of the called number (or any number a caller was notified of) changed state. */
export function lineChanged(tx: Tx, dn: string, to: CalleeWatch["state"]): void {
    const w = tx.watch(dn);
    if (w !== undefined) {
        if (w.state !== to) {
            tx.setWatch({
                dn,
                state: to,
                since: tx.t,
                firstNotifiedAt: to === "idle" ? w.firstNotifiedAt : null,
            });
        }
        for (let r of tx.queue(dn)) {
            if (to === "busy" && r.trigger === "no-answer" && !r.calleeInUseSeen && r.phase !== "notified") {
                r = { ...r, calleeInUseSeen: true };
                tx.put(r);
            }
            // the caller reached the number by itself: nothing left to do
            if (to === "busy" && r.phase === "waiting" && callsNumber(tx, r, true)) {
                end(tx, r, "connected", null);
            }
        }
    }
    if (to === "idle") return;
    for (const r of tx.select(tx.ix.notified, (x) => x.phase === "notified")) {
        if (callsNumber(tx, r, false)) end(tx, r, "completed", null);
    }
}

/** Whether the caller has a live call to the requested number (connected only, if asked). */
function callsNumber(tx: Tx, r: CallBackRequest, connected: boolean): boolean {
    for (const c of tx.view.outgoingCalls(r.caller.device)) {
        if (c.dn === r.calledDn && (!connected || c.connected)) return true;
    }
    return false;
}

/** Call Forward All on a called number ends its requests (the seed: Call Back cannot be served). */
export function forwardingChanged(tx: Tx, e: Extract<ClusterEvent, { type: "ForwardingChanged" }>): void {
    if (e.to.all === null) return;
    const dns = e.dn !== null ? [e.dn] : tx.watchDns().filter((dn) => tx.view.forwardAll(dn) !== null);
    for (const dn of dns) {
        for (const r of tx.queue(dn)) end(tx, r, "callee-forward-all", e.to.all);
    }
}

/** The outcome of a push: the phone alarms, and for a notification its delivery (retry, or the end). */
export function pushResult(
    o: EngineOptions,
    tx: Tx,
    ref: string | null,
    notify: boolean,
    ok: boolean,
    code: string,
    device: string | undefined,
): void {
    const phone = device === undefined ? "a phone" : device;
    if (ok) {
        tx.clear(ENGINE_ALARMS.pushCredentials, `${phone} accepted a push`);
        tx.clear(ENGINE_ALARMS.pushUnreachable, `${phone} accepted a push`);
        tx.clear(ENGINE_ALARMS.pushNotConfigured, `${phone} accepted a push`);
    } else if (code === "PUSH_NOT_CONFIGURED") {
        // nothing was sent: not a refusal by the phone
        tx.raise(
            ENGINE_ALARMS.pushNotConfigured,
            `nothing pushed to ${phone}: phones.pushUser/pushPassword are not configured`,
        );
    } else if (AUTH_CODES.has(code)) {
        tx.raise(ENGINE_ALARMS.pushCredentials, `push to ${phone} refused: ${code}`);
    } else if (UNREACHABLE_CODES.has(code)) {
        tx.raise(ENGINE_ALARMS.pushUnreachable, `push to ${phone} failed: ${code}`);
    }
    if (!notify || ref === null) return;
    const r = tx.get(ref);
    if (r === undefined || r.phase !== "notified" || r.delivery === null || !r.delivery.inFlight) return;
    if (ok) {
        tx.put({ ...r, delivery: { ...r.delivery, inFlight: false, lastCode: code } }, false);
        return;
    }
    const retryAt = tx.t + o.notifyRetryMs;
    if (r.delivery.attempts < o.notifyAttempts && retryAt < recallEnd(o, r)) {
        tx.put({ ...r, delivery: { ...r.delivery, inFlight: false, retryAt, lastCode: code } }, false);
    } else {
        end(tx, r, "notify-failed", code);
    }
}

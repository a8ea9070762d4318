/**
 * The Call Back engine: pure and deterministic. `handle(state, input, now, view)` returns the next state and
 * the effects for the shell (screens, notifications, persistence, alarms). No timers, no I/O, no clock: time
 * comes in as `now` (ms) and the shell ticks at `nextDeadline(state)`. States are never mutated: a changed
 * state is a new object sharing the unchanged requests; an input that concerns nothing returns the same object.
 *
 * Rules (the Cisco Call Back feature guide where it speaks, CUCM and Asterisk CCSS where it is silent):
 * activation checks with the seed's screens; "Call Back is activated" only once the request is durable;
 * one active request per calling phone (OK on "already active" replaces it), a first-pressed queue per
 * called number; available = every device of the number idle for the guard time (no-answer requests also
 * need an off-hook/on-hook cycle); the first requester is notified, the others after the protection window;
 * a busy caller is skipped (suspended) and resumed when idle; every end of a request has a reason.
 */
import type { ClusterEvent } from "../cluster/types.js";
import type { PhoneTime } from "../phone/phoneTime.js";
import {
    compileModels,
    DEFAULT_ENGINE_OPTIONS,
    type EngineOptions,
    type ModelMatcher,
    modelAllowed,
} from "./options.js";
import type { ClusterView, EngineDeviceView } from "./ports.js";
import { notPressable, refusalScreen, serviceDown } from "./refusals.js";
import { StateIndex, Tx } from "./tx.js";
import type {
    CallBackRequest,
    CalleeWatch,
    CallerInfo,
    EndReason,
    EngineEffect,
    EngineInput,
    EngineResult,
    EngineState,
    PhoneActionInput,
    ReplaceOffer,
    RequestTrigger,
    ShowScreenEffect,
} from "./types.js";

/** Alarm ids the engine raises and clears (the management catalogue's). */
export const ENGINE_ALARMS = {
    /** A phone refused a push for its credentials (PUSH_AUTH_FAILED / PUSH_AUTH_BACKOFF). */
    pushCredentials: "phone.push-credentials",
    /** A phone could not be reached (PUSH_UNREACHABLE / PUSH_TIMEOUT). */
    pushUnreachable: "phone.push-unreachable",
    /** A push was due but no push user is configured: nothing was sent (PUSH_NOT_CONFIGURED). */
    pushNotConfigured: "phone.push-not-configured",
    /** The engine threw on an input (a bug): the input was dropped, the state kept. */
    failure: "service.failure",
    /** A press was refused because `maxRequests` requests exist. */
    capacity: "callback.capacity",
} as const;

const AUTH_CODES = new Set(["PUSH_AUTH_FAILED", "PUSH_AUTH_BACKOFF"]);
const UNREACHABLE_CODES = new Set(["PUSH_UNREACHABLE", "PUSH_TIMEOUT"]);

/** Options with the model list compiled. */
interface Resolved extends EngineOptions {
    models: ModelMatcher;
}

/** A request's id for a sequence number. */
function requestId(seq: number): string {
    return `cb-${seq}`;
}

function offerId(seq: number): string {
    return `of-${seq}`;
}

/** End of the recall window of a notified request (notified requests have `notifiedAt`; parseEngineState checks it). */
function recallEnd(r: CallBackRequest, o: EngineOptions): number {
    return (r.notifiedAt as number) + o.recallWindowMs;
}

/** The press trigger: busy, else no-answer (ringback, or reorder after the no-answer timer). */
function triggerOf(heard: "busy" | "ringback" | "reorder" | null, calleeState: string): RequestTrigger {
    if (heard === "busy") return "busy";
    if (heard === "ringback" || heard === "reorder") return "no-answer";
    return calleeState === "busy" ? "busy" : "no-answer";
}

/** The engine. Holds only options and caches; the state is passed in and returned. */
/** A screen for one phone (ShowScreen effect): what it shows; absent parts are empty or none. */
interface ScreenSpec {
    kind: ShowScreenEffect["kind"];
    params?: ShowScreenEffect["params"];
    actions?: ShowScreenEffect["actions"];
    /** The request or offer the screen's actions refer to. */
    ref?: string | null;
    /** The HTTP reply this screen answers (a phone action's response). */
    reply?: string | null;
    phoneTime?: PhoneTime;
}

export class CallBackEngine {
    #o: Resolved;
    #index = new WeakMap<EngineState, StateIndex>();

    constructor(options: Partial<EngineOptions> = {}) {
        this.#o = CallBackEngine.#resolve({ ...DEFAULT_ENGINE_OPTIONS, ...options });
    }

    static #resolve(o: EngineOptions): Resolved {
        return { ...o, models: compileModels(o.callerModels) };
    }

    /** Current options. */
    get options(): Readonly<EngineOptions> {
        const { models: _models, ...o } = this.#o;
        return o;
    }

    /** Changes options live (service parameters that need no restart); applies from the next input. */
    configure(options: Partial<EngineOptions>): void {
        this.#o = CallBackEngine.#resolve({ ...this.options, ...options });
        this.#index = new WeakMap();
    }

    /** Earliest time at which the engine has something to do without input (ms), or null. */
    nextDeadline(state: EngineState): number | null {
        return this.#indexOf(state).deadline;
    }

    /** Handles one input at time `now` (ms). Never throws: a fault keeps the state and raises service.failure. */
    handle(state: EngineState, input: EngineInput, now: number, view: ClusterView): EngineResult {
        const t = Math.max(now, state.now);
        if (!this.#relevant(state, input, t)) return { state, effects: [] };
        try {
            const ix = this.#indexOf(state);
            const tx = new Tx(state, ix, t, view);
            const due = ix.deadline !== null && ix.deadline <= t;
            if (due) this.#runDue(tx, tx.all(), tx.offers());
            this.#apply(tx, input);
            this.#settle(tx, due);
            const result = tx.finish();
            // the index moves on to the next state (the old state gets a fresh one if it is ever used again)
            this.#index.delete(state);
            const next = tx.commitIndex();
            this.#updateDeadlines(next, result.state, tx, due);
            this.#index.set(result.state, next);
            return result;
        } catch (err) {
            return this.#fault(state, input, t, err);
        }
    }

    // =====================================================================================================
    // Fast path

    #indexOf(state: EngineState): StateIndex {
        let ix = this.#index.get(state);
        if (ix === undefined) {
            ix = StateIndex.build(state);
            ix.deadline = this.#computeDeadline(state, ix);
            this.#index.set(state, ix);
        }
        return ix;
    }

    /** Whether an input can change anything (most line changes in a busy cluster do not). */
    #relevant(state: EngineState, input: EngineInput, t: number): boolean {
        const ix = this.#indexOf(state);
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

    /** A request's own earliest deadline (Infinity: none). */
    #requestDeadline(r: CallBackRequest, w: CalleeWatch | undefined): number {
        const o = this.#o;
        let d = Number.POSITIVE_INFINITY;
        if (r.callerUnregisteredAt !== null) d = r.callerUnregisteredAt + o.callerUnregisteredGraceS * 1000;
        if (r.phase === "pending") return Math.min(d, r.createdAt + o.persistTimeoutMs);
        if (r.phase === "notified") {
            d = Math.min(d, recallEnd(r, o));
            return r.delivery !== null && r.delivery.retryAt !== null ? Math.min(d, r.delivery.retryAt) : d;
        }
        d = Math.min(d, r.expiresAt);
        if (!r.suspended && w !== undefined && w.state === "idle" && this.#eligible(r))
            d = Math.min(d, this.#readyAt(w, r));
        return d;
    }

    /** Computes every entry's deadline and the earliest one after `state.now`. */
    #computeDeadline(state: EngineState, ix: StateIndex): number | null {
        ix.deadlines.clear();
        for (const r of state.requests)
            this.#noteDeadline(ix, r.id, this.#requestDeadline(r, ix.watches.get(r.calledDn)));
        for (const x of state.offers) this.#noteDeadline(ix, x.id, x.expiresAt);
        return this.#earliest(ix, state.now);
    }

    #noteDeadline(ix: StateIndex, id: string, d: number): void {
        if (d === Number.POSITIVE_INFINITY) ix.deadlines.delete(id);
        else ix.deadlines.set(id, d);
    }

    #earliest(ix: StateIndex, now: number): number | null {
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
    #updateDeadlines(ix: StateIndex, state: EngineState, tx: Tx, due: boolean): void {
        const before = ix.deadline;
        let rescan = due;
        let next = before ?? Number.POSITIVE_INFINITY;
        const note = (id: string, d: number): void => {
            if (before !== null && ix.deadlines.get(id) === before && d !== before) rescan = true;
            this.#noteDeadline(ix, id, d);
            if (d > state.now && d < next) next = d;
        };
        const { requests, watches, offers } = tx.changes();
        for (const id of requests) {
            const r = ix.byId.get(id);
            note(id, r === undefined ? Number.POSITIVE_INFINITY : this.#requestDeadline(r, ix.watches.get(r.calledDn)));
        }
        for (const dn of watches) {
            const w = ix.watches.get(dn);
            for (const id of ix.queues.get(dn) ?? []) {
                const r = ix.byId.get(id) as CallBackRequest;
                note(id, this.#requestDeadline(r, w));
            }
        }
        for (const id of offers) note(id, ix.offers.get(id)?.expiresAt ?? Number.POSITIVE_INFINITY);
        ix.deadline = rescan ? this.#earliest(ix, state.now) : next === Number.POSITIVE_INFINITY ? null : next;
    }

    // =====================================================================================================
    // Time

    /** Applies every deadline reached by `tx.t` among the given requests and offers. */
    #runDue(tx: Tx, requests: readonly CallBackRequest[], offers: readonly ReplaceOffer[]): void {
        const t = tx.t;
        const o = this.#o;
        for (const r0 of requests) {
            const r = tx.get(r0.id);
            if (r === undefined) continue;
            if (r.phase === "pending" && t >= r.createdAt + o.persistTimeoutMs) {
                this.#failPending(tx, r, "the store did not confirm in time");
            } else if (
                r.callerUnregisteredAt !== null &&
                t >= r.callerUnregisteredAt + o.callerUnregisteredGraceS * 1000
            ) {
                this.#end(tx, r, "caller-unregistered", null);
            } else if (r.phase === "waiting" && t >= r.expiresAt) {
                this.#end(tx, r, "expired", r.trigger);
            } else if (r.phase === "notified" && t >= recallEnd(r, o)) {
                this.#end(tx, r, "recall-timeout", null);
            } else if (
                r.phase === "notified" &&
                r.delivery !== null &&
                r.delivery.retryAt !== null &&
                t >= r.delivery.retryAt
            ) {
                this.#sendNotify(tx, r, r.delivery.attempts + 1);
            }
        }
        for (const x of offers) {
            if (t >= x.expiresAt && tx.offer(x.id) !== undefined) this.#dropOffer(tx, x);
        }
    }

    /**
     * After an input: deadlines the input itself made due (e.g. a grace time of 0), resumption of suspended
     * requests whose caller is free, then serving the numbers that changed (all of them when time was due).
     */
    #settle(tx: Tx, due: boolean): void {
        this.#runDue(tx, tx.changed(), []);
        for (const r of tx.select(tx.ix.suspended, (x) => x.suspended && x.phase === "waiting")) {
            if (!this.#callerReady(r, tx.view.device(r.caller.device))) continue;
            const resumed = { ...r, suspended: false };
            tx.put(resumed);
            tx.emit({ type: "RequestChanged", id: r.id, change: "resumed", request: resumed });
        }
        // A set: after a restore every watched number is both due and touched (an array's includes() made
        // this quadratic: ~0.5 s of the restore of 20,000 requests).
        const dns = new Set(due ? tx.watchDns() : []);
        for (const dn of tx.touched) dns.add(dn);
        for (const dn of dns) this.#serve(tx, dn);
        if (tx.size < this.#o.maxRequests) tx.clear(ENGINE_ALARMS.capacity, "requests below the maximum");
    }

    // =====================================================================================================
    // Availability and notification

    /** A no-answer request waits for an off-hook/on-hook cycle of the called number (unless configured off). */
    #eligible(r: CallBackRequest): boolean {
        return r.trigger === "busy" || !this.#o.noAnswerRequiresUse || r.calleeInUseSeen;
    }

    /** When the number has been idle for the guard time, counted from the request's activation at the earliest. */
    #readyAt(w: CalleeWatch, r: CallBackRequest): number {
        // waiting requests are active (parseEngineState checks it)
        const start = Math.max(w.since, r.activeSince as number);
        const ready = start + this.#o.guardTimeMs;
        return w.firstNotifiedAt === null ? ready : Math.max(ready, w.firstNotifiedAt + this.#o.protectionWindowMs);
    }

    /** The caller can take a notification: registered (and not in its unregistered grace) and idle. */
    #callerReady(r: CallBackRequest, dev: EngineDeviceView | null): dev is EngineDeviceView {
        return dev?.registered === true && dev.idle && r.callerUnregisteredAt === null;
    }

    /** Notifies the requesters of an available number: the first at once, the others after the protection window. */
    #serve(tx: Tx, dn: string): void {
        let w = tx.watch(dn);
        if (w === undefined || w.state !== "idle") return;
        for (const r of tx.queue(dn)) {
            if (r.phase !== "waiting" || r.suspended || !this.#eligible(r)) continue;
            if (tx.t < this.#readyAt(w, r)) continue;
            const dev = tx.view.device(r.caller.device);
            if (!this.#callerReady(r, dev)) {
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
            this.#sendNotify(tx, notified, 1);
            if (w.firstNotifiedAt === null) {
                w = { ...w, firstNotifiedAt: tx.t };
                tx.setWatch(w);
            }
        }
    }

    #sendNotify(tx: Tx, r: CallBackRequest, attempt: number): void {
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

    // =====================================================================================================
    // Inputs

    #apply(tx: Tx, input: EngineInput): void {
        switch (input.type) {
            case "CallBackPressed": {
                const dev = tx.view.device(input.device);
                if (dev?.xsiPush === false) {
                    // no XML services: nothing can be shown on it, nor can it ever be notified
                    tx.emit({
                        type: "PressIgnored",
                        device: input.device,
                        model: dev.model,
                        calledDn: input.calledDn,
                        why: "the phone takes no XSI pushes (no XML services)",
                    });
                    return;
                }
                // no call behind the press (the On Hook set, callRef 0): the idle meaning
                if (input.line === null || (input.callRef === 0 && input.callState === null))
                    this.#idlePress(tx, input);
                else this.#press(tx, input);
                return;
            }
            case "LineStateChanged":
                this.#lineChanged(tx, input.dn, input.to);
                return;
            case "DeviceUnregistered":
                for (const r of tx.ofCaller(input.device)) {
                    if (r.callerUnregisteredAt === null) tx.put({ ...r, callerUnregisteredAt: tx.t });
                }
                return;
            case "DeviceRegistered":
                for (const r of tx.ofCaller(input.device)) {
                    const ip = input.ip ?? r.caller.ip;
                    if (r.callerUnregisteredAt !== null || ip !== r.caller.ip) {
                        tx.put({ ...r, callerUnregisteredAt: null, caller: { ...r.caller, ip } });
                    }
                }
                return;
            case "ForwardingChanged":
                this.#forwardingChanged(tx, input);
                return;
            case "PhoneAction":
                if (input.action === "cancel") this.#phoneCancel(tx, input);
                else this.#phoneOk(tx, input);
                return;
            case "AdminCancel": {
                const r = tx.get(input.id);
                if (r === undefined) {
                    tx.emit({ type: "AdminResult", id: input.id, reply: input.reply, ok: false, code: "NOT_FOUND" });
                    return;
                }
                this.#end(tx, r, "cancelled-admin", input.reason ?? null);
                this.#screen(tx, r.caller, { kind: "cancelled", params: { dn: r.calledDn } });
                tx.emit({ type: "AdminResult", id: input.id, reply: input.reply, ok: true, code: "OK" });
                return;
            }
            case "PersistDone":
                tx.durable = Math.max(tx.durable, input.upTo);
                for (const r of tx.select(tx.ix.pending, (x) => x.phase === "pending")) {
                    if (r.generation <= input.upTo) this.#activate(tx, r);
                }
                return;
            case "PersistFailed": {
                const upTo = input.upTo ?? tx.base.generation;
                for (const r of tx.select(tx.ix.pending, (x) => x.phase === "pending")) {
                    if (r.generation <= upTo) {
                        this.#failPending(tx, r, input.error ?? "the store could not write the state");
                    }
                }
                return;
            }
            case "PushResult":
                this.#pushResult(tx, input.ref, input.notify, input.ok, input.code, input.device);
                return;
            case "Restored":
                this.#restored(tx);
                return;
            default:
                // Tick, link changes, SoftKeyPressed: time only (runDue / settle)
                return;
        }
    }

    #lineChanged(tx: Tx, dn: string, to: CalleeWatch["state"]): void {
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
                if (to === "busy" && r.phase === "waiting" && this.#callsNumber(tx, r, true)) {
                    this.#end(tx, r, "connected", null);
                }
            }
        }
        if (to === "idle") return;
        for (const r of tx.select(tx.ix.notified, (x) => x.phase === "notified")) {
            if (this.#callsNumber(tx, r, false)) this.#end(tx, r, "completed", null);
        }
    }

    /** Whether the caller has a live call to the requested number (connected only, if asked). */
    #callsNumber(tx: Tx, r: CallBackRequest, connected: boolean): boolean {
        for (const c of tx.view.outgoingCalls(r.caller.device)) {
            if (c.dn === r.calledDn && (!connected || c.connected)) return true;
        }
        return false;
    }

    #forwardingChanged(tx: Tx, e: Extract<ClusterEvent, { type: "ForwardingChanged" }>): void {
        if (e.to.all === null) return;
        const dns = e.dn !== null ? [e.dn] : tx.watchDns().filter((dn) => tx.view.forwardAll(dn) !== null);
        for (const dn of dns) {
            for (const r of tx.queue(dn)) this.#end(tx, r, "callee-forward-all", e.to.all);
        }
    }

    #pushResult(
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
        const retryAt = tx.t + this.#o.notifyRetryMs;
        if (r.delivery.attempts < this.#o.notifyAttempts && retryAt < recallEnd(r, this.#o)) {
            tx.put({ ...r, delivery: { ...r.delivery, inFlight: false, retryAt, lastCode: code } }, false);
        } else {
            this.#end(tx, r, "notify-failed", code);
        }
    }

    #restored(tx: Tx): void {
        tx.durable = tx.base.generation;
        for (const r of tx.all()) {
            if (r.phase === "pending") {
                // it was in the snapshot, so it is durable; the screen answering its press is gone with the restart
                const active: CallBackRequest = {
                    ...r,
                    phase: "waiting",
                    activeSince: tx.t,
                    reply: null,
                    replaces: null,
                };
                tx.put(active, false);
                if (r.replaces !== null) this.#endedEffects(tx, r.replaces, "replaced", null);
                tx.emit({ type: "RequestChanged", id: r.id, change: "activated", request: active });
            } else if (r.phase === "notified" && r.delivery !== null && r.delivery.inFlight) {
                const resend = r.delivery.lastCode === "PUSH_OK" ? null : tx.t;
                tx.put({ ...r, delivery: { ...r.delivery, inFlight: false, retryAt: resend } }, false);
            }
        }
        // line states may have changed while down: start the guard time again
        for (const dn of tx.watchDns()) {
            const s = tx.view.dnState(dn);
            tx.setWatch({ dn, state: s.state, since: tx.t, firstNotifiedAt: null });
        }
        for (const x of tx.offers()) this.#dropOffer(tx, x);
    }

    // =====================================================================================================
    // Presses and phone actions

    /** Caller details from a press (the view fills in what the event lacks). */
    #callerOf(tx: Tx, e: Extract<ClusterEvent, { type: "CallBackPressed" }>): CallerInfo {
        const dev = tx.view.device(e.device);
        return {
            device: e.device,
            name: e.name ?? dev?.name ?? null,
            ip: e.ip ?? dev?.ip ?? null,
            line: e.line,
            dn: e.callerDn,
            model: dev?.model ?? null,
        };
    }

    #screen(tx: Tx, caller: CallerInfo, s: ScreenSpec): void {
        const e: ShowScreenEffect = {
            type: "ShowScreen",
            device: caller.device,
            ip: caller.ip,
            kind: s.kind,
            params: s.params ?? {},
            actions: s.actions ?? [],
            ref: s.ref ?? null,
        };
        if (s.phoneTime !== undefined) e.phoneTime = s.phoneTime;
        if (s.reply !== undefined && s.reply !== null) e.reply = s.reply;
        tx.emit(e);
    }

    /** A refusal screen, with why for the trace (the phone shows the seed's text only). */
    #refuse(
        tx: Tx,
        caller: CallerInfo,
        kind: ShowScreenEffect["kind"],
        params: ShowScreenEffect["params"],
        why: string,
        reply?: string | null,
    ): void {
        tx.emit(refusalScreen(caller, kind, params, why, reply));
    }

    /** CallBack on the idle screen: the active request's screen again, or "not active". */
    #idlePress(tx: Tx, e: Extract<ClusterEvent, { type: "CallBackPressed" }>): void {
        const caller = this.#callerOf(tx, e);
        const mine = tx.ofCaller(e.device);
        if (mine.length === 0) {
            this.#screen(tx, caller, { kind: "notActive" });
            return;
        }
        const shown = mine.filter((r) => r.phase !== "pending");
        const r = shown[shown.length - 1];
        if (r === undefined) return; // its "activated" screen follows once durable
        const to = { ...caller, ip: caller.ip ?? r.caller.ip };
        if (r.phase === "notified") {
            this.#screen(tx, to, {
                kind: "available",
                params: { dn: r.calledDn },
                ref: r.id,
                phoneTime: r.notifyPhoneTime as PhoneTime,
            });
        } else {
            this.#screen(tx, to, { kind: "activated", params: { dn: r.calledDn }, actions: ["cancel"], ref: r.id });
        }
    }

    /** The seed's activation checks; returns the refusal screen, or null when Call Back may be activated. */
    #refusal(tx: Tx, caller: CallerInfo, dn: string): { kind: ShowScreenEffect["kind"]; why: string } | null {
        const { view } = tx;
        if (!view.dnKnown(dn)) return { kind: "notFound", why: "not in the directory" };
        if (!view.dnObservable(dn)) {
            return { kind: "notFound", why: "not observable: no SCCP traffic of its devices, no CTI line events" };
        }
        if (view.forwardAll(dn) !== null) return { kind: "cannotInvoke", why: "Call Forward All" };
        if (!modelAllowed(caller.model, this.#o.models)) return { kind: "cannotInvoke", why: "calling phone model" };
        const devices = view.devicesOfDn(dn);
        if (caller.dn === dn || devices.includes(caller.device)) return { kind: "cannotInvoke", why: "own number" };
        if (devices.length > 0 && devices.every((d) => view.device(d)?.callBackTarget === false)) {
            return { kind: "cannotInvoke", why: "called device type" };
        }
        return null;
    }

    /** CallBack while hearing busy or ringback. */
    #press(tx: Tx, e: Extract<ClusterEvent, { type: "CallBackPressed" }>): void {
        const caller = this.#callerOf(tx, e);
        const down = serviceDown(tx.view);
        if (down !== null) {
            this.#refuse(tx, caller, "serviceUnavailable", {}, down);
            return;
        }
        const dn = e.calledDn;
        const party = dn ?? e.partyDn ?? null;
        const wrongState = notPressable(e);
        if (wrongState !== null && party !== null && party !== "") {
            this.#refuse(tx, caller, "cannotInvoke", { dn: party }, wrongState);
            return;
        }
        if (dn === null || dn === "") {
            // the box did not learn whom the phone called: it cannot serve this press
            this.#refuse(tx, caller, "serviceFailure", {}, wrongState ?? "the called number was not learnt");
            return;
        }
        const refusal = this.#refusal(tx, caller, dn);
        if (refusal !== null) {
            this.#refuse(tx, caller, refusal.kind, { dn }, refusal.why);
            return;
        }
        const heard = e.trigger;
        const trigger = triggerOf(heard, tx.view.dnState(dn).state);
        const mine = tx.ofCaller(caller.device);
        const same = mine.find((r) => r.calledDn === dn);
        if (same !== undefined) {
            if (same.phase === "waiting") {
                this.#screen(tx, caller, { kind: "activated", params: { dn }, actions: ["cancel"], ref: same.id });
                return;
            }
            if (same.phase === "pending") return; // activated follows once durable
            // notified and pressing again on the same number: start over at the end of the queue
            this.#end(tx, same, "replaced", null);
            mine.splice(mine.indexOf(same), 1);
        }
        if (mine.length >= this.#o.maxActivePerCaller) {
            const oldest = mine[0]!;
            this.#offer(tx, caller, dn, trigger, heard, oldest);
            return;
        }
        if (!this.#capacityOk(tx, caller, dn, null)) return;
        this.#create(tx, caller, dn, trigger, heard, null, null);
    }

    /** Queue and global caps; shows "cannot be invoked" when full. */
    #capacityOk(tx: Tx, caller: CallerInfo, dn: string, replacing: CallBackRequest | null, reply?: string): boolean {
        const queued = tx.queue(dn).filter((r) => r !== replacing).length;
        if (queued >= this.#o.maxQueuePerCallee) {
            this.#refuse(tx, caller, "cannotInvoke", { dn }, "callback.maxQueuePerCallee reached", reply);
            return false;
        }
        if (tx.size - (replacing === null ? 0 : 1) >= this.#o.maxRequests) {
            tx.raise(ENGINE_ALARMS.capacity, `${tx.size} requests: the maximum (callback.maxRequests) is reached`);
            this.#refuse(tx, caller, "cannotInvoke", { dn }, "callback.maxRequests reached", reply);
            return false;
        }
        return true;
    }

    /** "Already active on xxxx. Press OK to activate on yyyy.": remembered as an offer the OK refers to. */
    #offer(
        tx: Tx,
        caller: CallerInfo,
        dn: string,
        trigger: RequestTrigger,
        heard: CallBackRequest["heard"],
        old: CallBackRequest,
        reply?: string,
    ): void {
        const offers = tx.offers().filter((x) => {
            if (x.caller.device !== caller.device) return true;
            this.#dropOffer(tx, x);
            return false;
        });
        // bounded like the requests: the oldest gives way
        for (let i = 0; offers.length - i >= this.#o.maxRequests; i++) this.#dropOffer(tx, offers[i]!);
        const id = offerId(++tx.seq);
        tx.addOffer({
            id,
            caller,
            calledDn: dn,
            trigger,
            heard,
            createdAt: tx.t,
            expiresAt: tx.t + this.#o.offerTtlMs,
            replaces: old.id,
        });
        this.#screen(tx, caller, {
            kind: "alreadyActive",
            params: { dn: old.calledDn, dn2: dn },
            actions: ["ok"],
            ref: id,
            reply,
        });
    }

    #dropOffer(tx: Tx, x: ReplaceOffer): void {
        tx.removeOffer(x.id);
        tx.emit({ type: "RevokeTickets", ref: x.id });
    }

    /** A new request, pending until durable. */
    #create(
        tx: Tx,
        caller: CallerInfo,
        dn: string,
        trigger: RequestTrigger,
        heard: CallBackRequest["heard"],
        reply: string | null,
        replaces: CallBackRequest | null,
    ): void {
        const seq = ++tx.seq;
        const expiryMin = trigger === "busy" ? this.#o.busyExpiryMin : this.#o.noAnswerExpiryMin;
        const r: CallBackRequest = {
            id: requestId(seq),
            seq,
            caller,
            calledDn: dn,
            trigger,
            heard,
            createdAt: tx.t,
            activeSince: null,
            expiresAt: tx.t + expiryMin * 60_000,
            phase: "pending",
            suspended: false,
            generation: tx.generation,
            reply,
            replaces,
            // call waiting: a number already in use when the request is made counts as used
            calleeInUseSeen: tx.view.dnState(dn).state === "busy",
            callerUnregisteredAt: null,
            notifiedAt: null,
            notifyPhoneTime: null,
            delivery: null,
        };
        tx.add(r);
    }

    /** The request is durable: show "Call Back is activated" and start serving it. */
    #activate(tx: Tx, r: CallBackRequest): void {
        const active: CallBackRequest = { ...r, phase: "waiting", activeSince: tx.t, reply: null, replaces: null };
        tx.put(active, false);
        if (r.replaces !== null) this.#endedEffects(tx, r.replaces, "replaced", null);
        this.#screen(tx, r.caller, {
            kind: "activated",
            params: { dn: r.calledDn },
            actions: ["cancel"],
            ref: r.id,
            reply: r.reply,
        });
        tx.emit({ type: "RequestChanged", id: r.id, change: "activated", request: active });
        tx.clear(ENGINE_ALARMS.failure, "a request was activated");
    }

    /** The request could not be made durable: "Call Back Service Failure.", and the replaced one comes back. */
    #failPending(tx: Tx, r: CallBackRequest, detail: string): void {
        tx.remove(r);
        if (r.replaces !== null && tx.get(r.replaces.id) === undefined) tx.add(r.replaces);
        this.#screen(tx, r.caller, { kind: "serviceFailure", reply: r.reply });
        tx.emit({ type: "RevokeTickets", ref: r.id });
        tx.emit({ type: "RequestEnded", id: r.id, reason: "persist-failed", detail, request: r });
    }

    /** Ends a request (any reason but persist-failed). */
    #end(tx: Tx, r: CallBackRequest, reason: EndReason, detail: string | null): void {
        if (tx.get(r.id) === undefined) return;
        tx.remove(r);
        // a phone action still waiting for this request's activation gets its answer now
        if (r.phase === "pending" && r.reply !== null) {
            this.#screen(tx, r.caller, { kind: "cancelled", params: { dn: r.calledDn }, reply: r.reply });
        }
        if (r.replaces !== null) this.#endedEffects(tx, r.replaces, "replaced", null);
        this.#endedEffects(tx, r, reason, detail);
    }

    #endedEffects(tx: Tx, r: CallBackRequest, reason: EndReason, detail: string | null): void {
        tx.emit({ type: "RevokeTickets", ref: r.id });
        tx.emit({ type: "RequestEnded", id: r.id, reason, detail, request: r });
    }

    #phoneCancel(tx: Tx, a: PhoneActionInput): void {
        const r = tx.get(a.ref);
        if (r === undefined || (a.device !== undefined && a.device !== r.caller.device)) {
            const device = a.device ?? r?.caller.device ?? "";
            const caller: CallerInfo = {
                device,
                name: null,
                ip: tx.view.device(device)?.ip ?? null,
                line: null,
                dn: null,
                model: null,
            };
            this.#screen(tx, caller, {
                kind: r === undefined && tx.offer(a.ref) === undefined ? "notActive" : "requestInvalid",
                reply: a.reply ?? null,
            });
            return;
        }
        this.#end(tx, r, "cancelled-phone", null);
        this.#screen(tx, r.caller, { kind: "cancelled", params: { dn: r.calledDn }, reply: a.reply ?? null });
    }

    /** OK on "already active": re-check, then replace the old request by the new one (atomically persisted). */
    #phoneOk(tx: Tx, a: PhoneActionInput): void {
        const x = tx.offer(a.ref);
        const reply = a.reply ?? null;
        if (x === undefined || (a.device !== undefined && a.device !== x.caller.device)) {
            const device = a.device ?? x?.caller.device ?? "";
            const caller: CallerInfo = {
                device,
                name: null,
                ip: tx.view.device(device)?.ip ?? null,
                line: null,
                dn: null,
                model: null,
            };
            this.#screen(tx, caller, { kind: "requestInvalid", reply });
            return;
        }
        this.#dropOffer(tx, x);
        const dev = tx.view.device(x.caller.device);
        const caller: CallerInfo = { ...x.caller, ip: dev?.ip ?? x.caller.ip, model: dev?.model ?? x.caller.model };
        const down = serviceDown(tx.view);
        if (down !== null) {
            this.#refuse(tx, caller, "serviceUnavailable", {}, down, reply);
            return;
        }
        const refusal = this.#refusal(tx, caller, x.calledDn);
        if (refusal !== null) {
            this.#refuse(tx, caller, refusal.kind, { dn: x.calledDn }, refusal.why, reply);
            return;
        }
        const old = tx.get(x.replaces) ?? null;
        const others = tx.ofCaller(caller.device).filter((r) => r !== old);
        const same = others.find((r) => r.calledDn === x.calledDn);
        if (same !== undefined) {
            this.#screen(tx, caller, {
                kind: "activated",
                params: { dn: x.calledDn },
                actions: ["cancel"],
                ref: same.id,
                reply,
            });
            return;
        }
        if (others.length >= this.#o.maxActivePerCaller) {
            this.#offer(tx, caller, x.calledDn, x.trigger, x.heard, others[0]!, a.reply);
            return;
        }
        if (!this.#capacityOk(tx, caller, x.calledDn, old, a.reply)) return;
        let replaced: CallBackRequest | null = null;
        if (old !== null) {
            tx.remove(old);
            replaced = { ...old, replaces: null };
        }
        this.#create(tx, caller, x.calledDn, x.trigger, x.heard, reply, replaced);
    }

    // =====================================================================================================
    // Faults

    /** An exception in the engine: keep the state, tell the phone "Call Back Service Failure.", raise the alarm. */
    #fault(state: EngineState, input: EngineInput, t: number, err: unknown): EngineResult {
        const effects: EngineEffect[] = [];
        const message = err instanceof Error ? err.message : String(err);
        // time moves on (so a deadline that faults is not retried in a loop); everything else is kept
        const next: EngineState = { ...state, now: t };
        if (!state.alarms.includes(ENGINE_ALARMS.failure)) {
            next.alarms = [...state.alarms, ENGINE_ALARMS.failure].sort();
            effects.push({
                type: "Alarm",
                id: ENGINE_ALARMS.failure,
                action: "raise",
                details: `${input.type}: ${message}`,
            });
        }
        let device: string | null = null;
        let reply: string | undefined;
        if (input.type === "CallBackPressed") device = input.device;
        else if (input.type === "PhoneAction" && input.reply !== undefined) {
            device = input.device ?? "";
            reply = input.reply;
        }
        if (device !== null) {
            // the view may be what failed: no look-up here (the shell knows the phone's address for a reply)
            const ip = input.type === "CallBackPressed" ? input.ip : null;
            const e: ShowScreenEffect = {
                type: "ShowScreen",
                device,
                ip,
                kind: "serviceFailure",
                params: {},
                actions: [],
                ref: null,
            };
            if (reply !== undefined) e.reply = reply;
            effects.push(e);
        }
        return { state: next, effects };
    }
}

/**
 * Activation: a CallBack press and the seed's checks, the "already active" offer, a new request pending
 * until durable, and what durability (or its failure, or a restart) makes of pending requests. Phone
 * actions (phoneActions.ts) build on the checks and the creation here.
 */
import type { ClusterEvent } from "../cluster/types.js";
import type { PhoneTime } from "../phone/phoneTime.js";
import { modelAllowed, type ResolvedOptions } from "./options.js";
import { dropOffer, ENGINE_ALARMS, end, endedEffects, failPending, refuse, screen } from "./outcomes.js";
import { notPressable, serviceDown } from "./refusals.js";
import type { Tx } from "./tx.js";
import type { CallBackRequest, CallerInfo, PersistFailedInput, RequestTrigger, ShowScreenEffect } from "./types.js";

type Press = Extract<ClusterEvent, { type: "CallBackPressed" }>;

/** A request's id for a sequence number. */
function requestId(seq: number): string {
    return `cb-${seq}`;
}

function offerId(seq: number): string {
    return `of-${seq}`;
}

/** The press trigger: busy, else no-answer (ringback, or reorder after the no-answer timer). */
export function triggerOf(heard: "busy" | "ringback" | "reorder" | null, calleeState: string): RequestTrigger {
    if (heard === "busy") return "busy";
    if (heard === "ringback" || heard === "reorder") return "no-answer";
    return calleeState === "busy" ? "busy" : "no-answer";
}

/** Caller details from a press (the view fills in what the event lacks). */
function callerOf(tx: Tx, e: Press): CallerInfo {
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

/** A CallBack press: ignored on a phone without XML services, else the idle meaning or a request. */
export function pressed(o: ResolvedOptions, tx: Tx, e: Press): void {
    const dev = tx.view.device(e.device);
    if (dev?.xsiPush === false) {
        // no XML services: nothing can be shown on it, nor can it ever be notified
        tx.emit({
            type: "PressIgnored",
            device: e.device,
            model: dev.model,
            calledDn: e.calledDn,
            why: "the phone takes no XSI pushes (no XML services)",
        });
        return;
    }
    // no call behind the press (the On Hook set, callRef 0): the idle meaning
    if (e.line === null || (e.callRef === 0 && e.callState === null)) idlePress(tx, e);
    else press(o, tx, e);
}

/** CallBack on the idle screen: the active request's screen again, or "not active". */
function idlePress(tx: Tx, e: Press): void {
    const caller = callerOf(tx, e);
    const mine = tx.ofCaller(e.device);
    if (mine.length === 0) {
        screen(tx, caller, { kind: "notActive" });
        return;
    }
    const shown = mine.filter((r) => r.phase !== "pending");
    const r = shown[shown.length - 1];
    if (r === undefined) return; // its "activated" screen follows once durable
    const to = { ...caller, ip: caller.ip ?? r.caller.ip };
    if (r.phase === "notified") {
        screen(tx, to, {
            kind: "available",
            params: { dn: r.calledDn },
            ref: r.id,
            phoneTime: r.notifyPhoneTime as PhoneTime,
        });
    } else {
        screen(tx, to, { kind: "activated", params: { dn: r.calledDn }, actions: ["cancel"], ref: r.id });
    }
}

/** The seed's activation checks; returns the refusal screen, or null when Call Back may be activated. */
export function refusal(
    o: ResolvedOptions,
    tx: Tx,
    caller: CallerInfo,
    dn: string,
): { kind: ShowScreenEffect["kind"]; why: string } | null {
    const { view } = tx;
    if (!view.dnKnown(dn)) return { kind: "notFound", why: "not in the directory" };
    if (!view.dnObservable(dn)) {
        return { kind: "notFound", why: "not observable: no SCCP traffic of its devices, no CTI line events" };
    }
    if (view.forwardAll(dn) !== null) return { kind: "cannotInvoke", why: "Call Forward All" };
    if (!modelAllowed(caller.model, o.models)) return { kind: "cannotInvoke", why: "calling phone model" };
    const devices = view.devicesOfDn(dn);
    if (caller.dn === dn || devices.includes(caller.device)) return { kind: "cannotInvoke", why: "own number" };
    if (devices.length > 0 && devices.every((d) => view.device(d)?.callBackTarget === false)) {
        return { kind: "cannotInvoke", why: "called device type" };
    }
    return null;
}

/** CallBack while hearing busy or ringback. */
function press(o: ResolvedOptions, tx: Tx, e: Press): void {
    const caller = callerOf(tx, e);
    const down = serviceDown(tx.view);
    if (down !== null) {
        refuse(tx, caller, "serviceUnavailable", {}, down);
        return;
    }
    const dn = e.calledDn;
    const party = dn ?? e.partyDn ?? null;
    const wrongState = notPressable(e);
    if (wrongState !== null && party !== null && party !== "") {
        refuse(tx, caller, "cannotInvoke", { dn: party }, wrongState);
        return;
    }
    if (dn === null || dn === "") {
        // the box did not learn whom the phone called: it cannot serve this press
        refuse(tx, caller, "serviceFailure", {}, wrongState ?? "the called number was not learnt");
        return;
    }
    const refused = refusal(o, tx, caller, dn);
    if (refused !== null) {
        refuse(tx, caller, refused.kind, { dn }, refused.why);
        return;
    }
    const heard = e.trigger;
    const trigger = triggerOf(heard, tx.view.dnState(dn).state);
    const mine = tx.ofCaller(caller.device);
    const same = mine.find((r) => r.calledDn === dn);
    if (same !== undefined) {
        if (same.phase === "waiting") {
            screen(tx, caller, { kind: "activated", params: { dn }, actions: ["cancel"], ref: same.id });
            return;
        }
        if (same.phase === "pending") return; // activated follows once durable
        // notified and pressing again on the same number: start over at the end of the queue
        end(tx, same, "replaced", null);
        mine.splice(mine.indexOf(same), 1);
    }
    if (mine.length >= o.maxActivePerCaller) {
        const oldest = mine[0]!;
        offer(o, tx, { caller, dn, trigger, heard }, oldest);
        return;
    }
    if (!capacityOk(o, tx, caller, dn, null)) return;
    create(o, tx, { caller, dn, trigger, heard }, null, null);
}

/** Queue and global caps; shows "cannot be invoked" when full. */
export function capacityOk(
    o: ResolvedOptions,
    tx: Tx,
    caller: CallerInfo,
    dn: string,
    replacing: CallBackRequest | null,
    reply?: string,
): boolean {
    const queued = tx.queue(dn).filter((r) => r !== replacing).length;
    if (queued >= o.maxQueuePerCallee) {
        refuse(tx, caller, "cannotInvoke", { dn }, "callback.maxQueuePerCallee reached", reply);
        return false;
    }
    if (tx.size - (replacing === null ? 0 : 1) >= o.maxRequests) {
        tx.raise(ENGINE_ALARMS.capacity, `${tx.size} requests: the maximum (callback.maxRequests) is reached`);
        refuse(tx, caller, "cannotInvoke", { dn }, "callback.maxRequests reached", reply);
        return false;
    }
    return true;
}

/** What a press asks for: who, which number, and what it heard (a request or an offer is made of it). */
export interface Ask {
    caller: CallerInfo;
    dn: string;
    trigger: RequestTrigger;
    heard: CallBackRequest["heard"];
}

/** "Already active on xxxx. Press OK to activate on yyyy.": remembered as an offer the OK refers to. */
export function offer(o: ResolvedOptions, tx: Tx, ask: Ask, old: CallBackRequest, reply?: string): void {
    const { caller, dn, trigger, heard } = ask;
    const offers = tx.offers().filter((x) => {
        if (x.caller.device !== caller.device) return true;
        dropOffer(tx, x);
        return false;
    });
    // bounded like the requests: the oldest gives way
    for (let i = 0; offers.length - i >= o.maxRequests; i++) dropOffer(tx, offers[i]!);
    const id = offerId(++tx.seq);
    tx.addOffer({
        id,
        caller,
        calledDn: dn,
        trigger,
        heard,
        createdAt: tx.t,
        expiresAt: tx.t + o.offerTtlMs,
        replaces: old.id,
    });
    screen(tx, caller, {
        kind: "alreadyActive",
        params: { dn: old.calledDn, dn2: dn },
        actions: ["ok"],
        ref: id,
        reply,
    });
}

/** A new request, pending until durable. */
export function create(
    o: ResolvedOptions,
    tx: Tx,
    ask: Ask,
    reply: string | null,
    replaces: CallBackRequest | null,
): void {
    const { caller, dn, trigger, heard } = ask;
    const seq = ++tx.seq;
    const expiryMin = trigger === "busy" ? o.busyExpiryMin : o.noAnswerExpiryMin;
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

/** A pending request made active: waiting from now, its press answered and its replaced request ended. */
function activeFrom(tx: Tx, r: CallBackRequest): CallBackRequest {
    const active: CallBackRequest = { ...r, phase: "waiting", activeSince: tx.t, reply: null, replaces: null };
    tx.put(active, false);
    if (r.replaces !== null) endedEffects(tx, r.replaces, "replaced", null);
    return active;
}

/** The request is durable: show "Call Back is activated" and start serving it. */
function activate(tx: Tx, r: CallBackRequest): void {
    const active = activeFrom(tx, r);
    screen(tx, r.caller, {
        kind: "activated",
        params: { dn: r.calledDn },
        actions: ["cancel"],
        ref: r.id,
        reply: r.reply,
    });
    tx.emit({ type: "RequestChanged", id: r.id, change: "activated", request: active });
    tx.clear(ENGINE_ALARMS.failure, "a request was activated");
}

/** The state up to generation `upTo` is durable: its pending requests become active. */
export function persistDone(tx: Tx, upTo: number): void {
    tx.durable = Math.max(tx.durable, upTo);
    for (const r of tx.select(tx.ix.pending, (x) => x.phase === "pending")) {
        if (r.generation <= upTo) activate(tx, r);
    }
}

/** The state up to generation `upTo` (default: the base state's) could not be made durable. */
export function persistFailed(tx: Tx, input: PersistFailedInput): void {
    const upTo = input.upTo ?? tx.base.generation;
    for (const r of tx.select(tx.ix.pending, (x) => x.phase === "pending")) {
        if (r.generation <= upTo) failPending(tx, r, input.error ?? "the store could not write the state");
    }
}

/** After a restart (or on becoming active): what was in the snapshot resumes, reconciled with the wire. */
export function restored(tx: Tx): void {
    tx.durable = tx.base.generation;
    for (const r of tx.all()) {
        if (r.phase === "pending") {
            // it was in the snapshot, so it is durable; the screen answering its press is gone with the restart
            const active = activeFrom(tx, r);
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
    for (const x of tx.offers()) dropOffer(tx, x);
}

/**
 * What every phase of the engine tells the phones and the shell: the alarm ids, screens, the ends of a
 * request and of an offer, and the answer to an input the engine failed on. The lowest room of the engine
 * (below deadlines, notification, activation and phone actions): it decides nothing, it only says it.
 */
import type { PhoneTime } from "../phone/phoneTime.js";
import { refusalScreen } from "./refusals.js";
import type { Tx } from "./tx.js";
import type {
    CallBackRequest,
    CallerInfo,
    EndReason,
    EngineEffect,
    EngineInput,
    EngineResult,
    EngineState,
    ReplaceOffer,
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

/** A screen for one phone (ShowScreen effect): what it shows; absent parts are empty or none. */
export interface ScreenSpec {
    kind: ShowScreenEffect["kind"];
    params?: ShowScreenEffect["params"];
    actions?: ShowScreenEffect["actions"];
    /** The request or offer the screen's actions refer to. */
    ref?: string | null;
    /** The HTTP reply this screen answers (a phone action's response). */
    reply?: string | null;
    phoneTime?: PhoneTime;
}

export function screen(tx: Tx, caller: CallerInfo, s: ScreenSpec): void {
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
export function refuse(
    tx: Tx,
    caller: CallerInfo,
    kind: ShowScreenEffect["kind"],
    params: ShowScreenEffect["params"],
    why: string,
    reply?: string | null,
): void {
    tx.emit(refusalScreen(caller, kind, params, why, reply));
}

/** The caller of a phone action that names no request of its own: only its address is looked up. */
export function strangerOf(tx: Tx, device: string): CallerInfo {
    return { device, name: null, ip: tx.view.device(device)?.ip ?? null, line: null, dn: null, model: null };
}

export function endedEffects(tx: Tx, r: CallBackRequest, reason: EndReason, detail: string | null): void {
    tx.emit({ type: "RevokeTickets", ref: r.id });
    tx.emit({ type: "RequestEnded", id: r.id, reason, detail, request: r });
}

/** Ends a request (any reason but persist-failed). */
export function end(tx: Tx, r: CallBackRequest, reason: EndReason, detail: string | null): void {
    if (tx.get(r.id) === undefined) return;
    tx.remove(r);
    // a phone action still waiting for this request's activation gets its answer now
    if (r.phase === "pending" && r.reply !== null) {
        screen(tx, r.caller, { kind: "cancelled", params: { dn: r.calledDn }, reply: r.reply });
    }
    if (r.replaces !== null) endedEffects(tx, r.replaces, "replaced", null);
    endedEffects(tx, r, reason, detail);
}

/** The request could not be made durable: "Call Back Service Failure.", and the replaced one comes back. */
export function failPending(tx: Tx, r: CallBackRequest, detail: string): void {
    tx.remove(r);
    if (r.replaces !== null && tx.get(r.replaces.id) === undefined) tx.add(r.replaces);
    screen(tx, r.caller, { kind: "serviceFailure", reply: r.reply });
    tx.emit({ type: "RevokeTickets", ref: r.id });
    tx.emit({ type: "RequestEnded", id: r.id, reason: "persist-failed", detail, request: r });
}

export function dropOffer(tx: Tx, x: ReplaceOffer): void {
    tx.removeOffer(x.id);
    tx.emit({ type: "RevokeTickets", ref: x.id });
}

/** An exception in the engine: keep the state, tell the phone "Call Back Service Failure.", raise the alarm. */
export function faultResult(state: EngineState, input: EngineInput, t: number, err: unknown): EngineResult {
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

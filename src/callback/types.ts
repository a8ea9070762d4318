/**
 * Types of the Call Back engine: its serialisable state, its inputs and its effects. Every time is in
 * milliseconds of the engine's clock (the `now` passed to `handle`). The state holds only plain JSON values
 * (no Map, no undefined, no class instances) so a snapshot store can serialise it and resume from it.
 */
import type { CallBackTrigger, ClusterEvent } from "../cluster/types.js";
import type { ScreenKind } from "../phone/dictionary.js";
import type { PhoneTime } from "../phone/phoneTime.js";

/** What the caller heard: busy (Call Back on Busy) or ringback/reorder (Call Back on No Answer). */
export type RequestTrigger = "busy" | "no-answer";

/**
 * Life of a request: "pending" until the state holding it is durable (then the activated screen is shown),
 * "waiting" for the called number to become available, "notified" once the caller was told.
 */
export type RequestPhase = "pending" | "waiting" | "notified";

/** Why a request ended. */
export type EndReason =
    /** The caller dialled the number after the notification. */
    | "completed"
    /** The caller reached the called number by itself before being notified. */
    | "connected"
    /** Notified, but the caller did not dial within the recall window. */
    | "recall-timeout"
    /** Not served within the expiry of its trigger. */
    | "expired"
    | "cancelled-phone"
    | "cancelled-admin"
    /** The caller pressed OK to activate Call Back on another number. */
    | "replaced"
    | "caller-unregistered"
    | "callee-forward-all"
    /** The request could not be made durable (store failure or no answer from the store in time). */
    | "persist-failed"
    /** Every push of the notification failed. */
    | "notify-failed";

/** The calling side of a request. */
export interface CallerInfo {
    device: string;
    name: string | null;
    /** Last address seen for the phone (refreshed from the view when pushing). */
    ip: string | null;
    /** Line instance the call was on. */
    line: number | null;
    dn: string | null;
    model: string | null;
}

/** Delivery of a notification push. */
export interface NotifyDelivery {
    attempts: number;
    /** A push is out and its result not known yet. */
    inFlight: boolean;
    /** When to push again after a failure, or null. */
    retryAt: number | null;
    /** Last outcome code (PushCode), or null. */
    lastCode: string | null;
}

/** One Call Back request. */
export interface CallBackRequest {
    /** "cb-<seq>": also the ref of its screens and tickets. */
    id: string;
    /** Press order: the queue order of every called number. */
    seq: number;
    caller: CallerInfo;
    calledDn: string;
    trigger: RequestTrigger;
    /** Tone reported with the press (null: inferred from the called number's state). */
    heard: CallBackTrigger | null;
    createdAt: number;
    /** When it became durable (waiting), or null while pending. */
    activeSince: number | null;
    expiresAt: number;
    phase: RequestPhase;
    /** The called number became available while the caller was busy or away: skipped until the caller is idle. */
    suspended: boolean;
    /** Persist generation that must be durable before activation (pending). */
    generation: number;
    /** A phone action waiting for the answer to this activation (the HTTP reply), or null. */
    reply: string | null;
    /** The request this one replaces (OK on "already active"); restored if this one cannot be made durable. */
    replaces: CallBackRequest | null;
    /** No-answer: the called number was seen in use since the request (off-hook/on-hook cycle rule). */
    calleeInUseSeen: boolean;
    /** When the calling phone was seen unregistered (null while registered). */
    callerUnregisteredAt: number | null;
    notifiedAt: number | null;
    /** The caller phone's clock at the notification (the time on the "available" screen). */
    notifyPhoneTime: PhoneTime | null;
    delivery: NotifyDelivery | null;
}

/** A pending "already active, press OK to activate on yyyy" offer. */
export interface ReplaceOffer {
    /** "of-<seq>": the ref of the alreadyActive screen. */
    id: string;
    caller: CallerInfo;
    calledDn: string;
    trigger: RequestTrigger;
    heard: CallBackTrigger | null;
    createdAt: number;
    expiresAt: number;
    /** Id of the request OK replaces. */
    replaces: string;
}

/** What the engine tracks about a called number with requests. */
export interface CalleeWatch {
    dn: string;
    state: "idle" | "ringing" | "busy" | "unknown";
    /** When it entered `state` (ms). */
    since: number;
    /** First notification of the current idle period: start of the protection window; null: none yet. */
    firstNotifiedAt: number | null;
}

/** The engine state: a plain serialisable object. */
export interface EngineState {
    version: 1;
    /** Id counter (request and offer ids). */
    seq: number;
    /** Latest time handled (time never goes back inside the engine). */
    now: number;
    /** Last Persist generation asked for, and the last one acknowledged durable. */
    generation: number;
    durable: number;
    /** Requests in press order. */
    requests: CallBackRequest[];
    offers: ReplaceOffer[];
    /** Called numbers that have requests. */
    callees: CalleeWatch[];
    /** Alarms currently raised by the engine (ids, sorted). */
    alarms: string[];
}

// ---------------------------------------------------------------------------------------------------------
// Inputs

/** A softkey of a box screen pressed on the phone (forwarded by the phone HTTP service). */
export interface PhoneActionInput {
    type: "PhoneAction";
    /** Request id (Cancel) or offer id (OK). */
    ref: string;
    action: "cancel" | "ok";
    /** Device the ticket was issued for; when given it must be the request's caller. */
    device?: string;
    /** Correlation id: the ShowScreen answering this action carries it as `reply`. */
    reply?: string;
}

/** Cancel from MQTT or the console. */
export interface AdminCancelInput {
    type: "AdminCancel";
    id: string;
    reason?: string;
    /** Correlation id echoed by the AdminResult effect. */
    reply?: string;
}

/** The state up to `upTo` (a Persist generation) is durable. */
export interface PersistDoneInput {
    type: "PersistDone";
    upTo: number;
}

/** Persisting failed; generations up to `upTo` (default: the latest) are not durable. */
export interface PersistFailedInput {
    type: "PersistFailed";
    upTo?: number;
    error?: string;
}

/** Outcome of a push (Notify or ShowScreen). */
export interface PushResultInput {
    type: "PushResult";
    /** Ref of the effect pushed (request id for Notify), or null. */
    ref: string | null;
    /** True for the result of a Notify effect. */
    notify: boolean;
    ok: boolean;
    /** PushCode, e.g. PUSH_OK, PUSH_AUTH_FAILED, PUSH_UNREACHABLE; PUSH_NOT_CONFIGURED when nothing was sent. */
    code: string;
    /** The phone pushed to (device name, else its address), for the alarm text. */
    device?: string;
}

/** Time passes (the shell ticks at `nextDeadline`). */
export interface TickInput {
    type: "Tick";
}

/** The state was just loaded from a snapshot: resume monitoring (everything in it is durable). */
export interface RestoredInput {
    type: "Restored";
}

/** Engine commands (not from the cluster). */
export type EngineCommand =
    | PhoneActionInput
    | AdminCancelInput
    | PersistDoneInput
    | PersistFailedInput
    | PushResultInput
    | TickInput
    | RestoredInput;

/** Everything the engine reacts to. */
export type EngineInput = ClusterEvent | EngineCommand;

// ---------------------------------------------------------------------------------------------------------
// Effects

/** Actions the box serves for a screen (Exit and Dial are the phone's own). */
export type ScreenAction = "cancel" | "ok";

/** Show a screen on a phone: pushed, or as the answer to a phone action (`reply`). */
export interface ShowScreenEffect {
    type: "ShowScreen";
    device: string;
    ip: string | null;
    kind: ScreenKind;
    params: { dn?: string; dn2?: string };
    actions: ScreenAction[];
    /** Request or offer id the screen's actions refer to, or null. */
    ref: string | null;
    /** The caller phone's clock at the notification ("available" only). */
    phoneTime?: PhoneTime;
    /** Set when the screen answers a PhoneAction with this correlation id (HTTP reply, not a push). */
    reply?: string;
    /** For a refusal: why, for the trace (the phone shows only the seed's text). */
    why?: string;
}

/** Notify the caller: twinkle (`Play:` audio file) + the "available" screen with Dial. */
export interface NotifyEffect {
    type: "Notify";
    device: string;
    ip: string | null;
    dn: string;
    ref: string;
    phoneTime: PhoneTime;
    attempt: number;
}

/** Persist the state; answer with PersistDone/PersistFailed carrying `generation`. */
export interface PersistEffect {
    type: "Persist";
    generation: number;
}

/** Screens issued for this ref must no longer act. */
export interface RevokeTicketsEffect {
    type: "RevokeTickets";
    ref: string;
}

/** Raise or clear an alarm of the catalogue. */
export interface AlarmEffect {
    type: "Alarm";
    id: string;
    action: "raise" | "clear";
    details: string;
}

/** A request changed phase (for logs and MQTT). */
export interface RequestChangedEffect {
    type: "RequestChanged";
    id: string;
    change: "activated" | "suspended" | "resumed" | "notified";
    request: CallBackRequest;
}

/** A request ended (for logs and MQTT). */
export interface RequestEndedEffect {
    type: "RequestEnded";
    id: string;
    reason: EndReason;
    detail: string | null;
    request: CallBackRequest;
}

/** A CallBack press the engine does not answer (a phone without XML services): traced and counted only. */
export interface PressIgnoredEffect {
    type: "PressIgnored";
    device: string;
    model: string | null;
    calledDn: string | null;
    why: string;
}

/** Answer to AdminCancel. */
export interface AdminResultEffect {
    type: "AdminResult";
    id: string;
    reply?: string;
    ok: boolean;
    code: "OK" | "NOT_FOUND";
}

/** Everything the engine asks the shell to do. */
export type EngineEffect =
    | ShowScreenEffect
    | NotifyEffect
    | PersistEffect
    | RevokeTicketsEffect
    | AlarmEffect
    | RequestChangedEffect
    | RequestEndedEffect
    | AdminResultEffect
    | PressIgnoredEffect;

/** Result of one `handle` call. */
export interface EngineResult {
    state: EngineState;
    effects: EngineEffect[];
}

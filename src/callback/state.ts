/**
 * The engine state's constructor and its strict reader (for snapshots read back from flash or JSON).
 */
import { CallbackdError } from "../errors.js";
import type { CallBackRequest, CalleeWatch, EngineState, ReplaceOffer } from "./types.js";

/** A state value that is not a valid engine state. */
export class CallbackStateError extends CallbackdError {}

/** The empty state. */
export function initialState(): EngineState {
    return {
        version: 1,
        seq: 0,
        now: 0,
        generation: 0,
        durable: 0,
        requests: [],
        offers: [],
        callees: [],
        alarms: [],
    };
}

type Obj = Record<string, unknown>;

function fail(path: string, what: string): never {
    throw new CallbackStateError("CALLBACK_STATE_INVALID", `${path}: ${what}`, { path });
}

function obj(v: unknown, path: string): Obj {
    if (v === null || typeof v !== "object" || Array.isArray(v)) fail(path, "not an object");
    return v as Obj;
}

function num(o: Obj, k: string, path: string): number {
    const v = o[k];
    if (typeof v !== "number" || !Number.isFinite(v)) fail(`${path}.${k}`, "not a finite number");
    return v;
}

function numOrNull(o: Obj, k: string, path: string): number | null {
    return o[k] === null ? null : num(o, k, path);
}

function str(o: Obj, k: string, path: string): string {
    const v = o[k];
    if (typeof v !== "string") fail(`${path}.${k}`, "not a string");
    return v;
}

function strOrNull(o: Obj, k: string, path: string): string | null {
    return o[k] === null ? null : str(o, k, path);
}

function oneOf<T extends string>(o: Obj, k: string, values: readonly T[], path: string): T {
    const v = o[k];
    if (typeof v !== "string" || !(values as readonly string[]).includes(v)) fail(`${path}.${k}`, "unexpected value");
    return v as T;
}

function arr(o: Obj, k: string, path: string): unknown[] {
    const v = o[k];
    if (!Array.isArray(v)) fail(`${path}.${k}`, "not an array");
    return v;
}

function checkCaller(v: unknown, path: string): void {
    const c = obj(v, path);
    str(c, "device", path);
    strOrNull(c, "name", path);
    strOrNull(c, "ip", path);
    numOrNull(c, "line", path);
    strOrNull(c, "dn", path);
    strOrNull(c, "model", path);
}

function checkRequest(v: unknown, path: string, nested: boolean): CallBackRequest {
    const r = obj(v, path);
    str(r, "id", path);
    num(r, "seq", path);
    checkCaller(r.caller, `${path}.caller`);
    str(r, "calledDn", path);
    oneOf(r, "trigger", ["busy", "no-answer"], path);
    if (r.heard !== null) oneOf(r, "heard", ["busy", "ringback", "reorder"], path);
    num(r, "createdAt", path);
    numOrNull(r, "activeSince", path);
    num(r, "expiresAt", path);
    oneOf(r, "phase", ["pending", "waiting", "notified"], path);
    if (typeof r.suspended !== "boolean") fail(`${path}.suspended`, "not a boolean");
    num(r, "generation", path);
    strOrNull(r, "reply", path);
    if (r.replaces !== null) {
        if (nested) fail(`${path}.replaces`, "nested too deep");
        checkRequest(r.replaces, `${path}.replaces`, true);
    }
    if (typeof r.calleeInUseSeen !== "boolean") fail(`${path}.calleeInUseSeen`, "not a boolean");
    numOrNull(r, "callerUnregisteredAt", path);
    numOrNull(r, "notifiedAt", path);
    if (r.notifyPhoneTime !== null) num(obj(r.notifyPhoneTime, `${path}.notifyPhoneTime`), "epochMs", path);
    if (r.delivery !== null) {
        const d = obj(r.delivery, `${path}.delivery`);
        num(d, "attempts", path);
        if (typeof d.inFlight !== "boolean") fail(`${path}.delivery.inFlight`, "not a boolean");
        numOrNull(d, "retryAt", path);
        strOrNull(d, "lastCode", path);
    }
    // what the engine relies on per phase
    if (r.phase !== "pending" && r.activeSince === null) fail(`${path}.activeSince`, "missing on an active request");
    if (r.phase === "notified" && (r.notifiedAt === null || r.notifyPhoneTime === null || r.delivery === null)) {
        fail(`${path}.notifiedAt`, "missing on a notified request");
    }
    return v as CallBackRequest;
}

function checkOffer(v: unknown, path: string): ReplaceOffer {
    const o = obj(v, path);
    str(o, "id", path);
    checkCaller(o.caller, `${path}.caller`);
    str(o, "calledDn", path);
    oneOf(o, "trigger", ["busy", "no-answer"], path);
    num(o, "createdAt", path);
    num(o, "expiresAt", path);
    str(o, "replaces", path);
    return v as ReplaceOffer;
}

function checkWatch(v: unknown, path: string): CalleeWatch {
    const w = obj(v, path);
    str(w, "dn", path);
    oneOf(w, "state", ["idle", "ringing", "busy", "unknown"], path);
    num(w, "since", path);
    numOrNull(w, "firstNotifiedAt", path);
    return v as CalleeWatch;
}

/**
 * Checks that a value (e.g. `JSON.parse` of a snapshot) is an engine state and returns it typed.
 * Throws CallbackStateError (code CALLBACK_STATE_INVALID) naming the first bad path.
 */
export function parseEngineState(value: unknown): EngineState {
    const s = obj(value, "state");
    if (s.version !== 1) fail("state.version", "unsupported version");
    for (const k of ["seq", "now", "generation", "durable"]) num(s, k, "state");
    const ids = new Set<string>();
    arr(s, "requests", "state").forEach((r, i) => {
        const req = checkRequest(r, `state.requests[${i}]`, false);
        if (ids.has(req.id)) fail(`state.requests[${i}].id`, "duplicate id");
        ids.add(req.id);
    });
    arr(s, "offers", "state").forEach((o, i) => {
        checkOffer(o, `state.offers[${i}]`);
    });
    arr(s, "callees", "state").forEach((w, i) => {
        checkWatch(w, `state.callees[${i}]`);
    });
    arr(s, "alarms", "state").forEach((a, i) => {
        if (typeof a !== "string") fail(`state.alarms[${i}]`, "not a string");
    });
    return value as EngineState;
}

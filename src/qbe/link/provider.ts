/**
 * Provider lifecycle and liveness of a CTI session: opening (with its time-out), up, down on a heartbeat
 * time-out or a close, the negotiated heartbeat intervals, and the deadlines `tick` expires.
 */
import type { Direction } from "../../wire/reassembly.js";
import type { QbeFields, QbeMessage } from "../codec.js";
import { QbeId, qbeEnumName } from "../schema.js";
import { effective, type LinkContext, num, type Session, str } from "./session.js";
import type { CtiEvent, CtiLinkState } from "./types.js";

function setState(s: Session, state: CtiLinkState, now: number): void {
    s.state = state;
    s.since = now;
}

/** The link is up (`inferred`: the open was not seen); liveness counts from now. */
export function markUp(ctx: LinkContext, s: Session, now: number, inferred: boolean): void {
    setState(s, "up", now);
    s.inferred = inferred;
    s.openDeadline = null;
    // Liveness counts from the moment the link is up.
    s.lastRx[0] = now;
    s.lastRx[1] = now;
    const [c, v] = effective(ctx, s);
    ctx.emit({
        t: now,
        session: s.ref.key,
        type: "LinkUp",
        clientHeartbeatS: c,
        serverHeartbeatS: v,
        providerId: s.providerId,
        inferred,
    });
}

function down(
    ctx: LinkContext,
    s: Session,
    now: number,
    reason: "heartbeat-timeout" | "provider-closed" | "connection-closed",
    silent?: "client" | "server",
): void {
    setState(s, reason === "heartbeat-timeout" ? "down" : "closed", now);
    const e: CtiEvent = { t: now, session: s.ref.key, type: "LinkDown", reason };
    if (silent !== undefined) e.silent = silent;
    ctx.emit(e);
}

function failOpen(
    ctx: LinkContext,
    s: Session,
    now: number,
    reason: "timeout" | "rejected" | "connection-closed",
    code?: number,
    description?: string | null,
): void {
    setState(s, "failed", now);
    s.openDeadline = null;
    const e: CtiEvent = { t: now, session: s.ref.key, type: "ProviderOpenFailed", reason };
    if (code !== undefined) {
        e.code = code;
        const name = qbeEnumName("CTIFAILURE", code);
        if (name !== undefined) e.codeName = name;
    }
    if (description) e.description = description;
    ctx.emit(e);
}

/**
 * The provider's messages: heartbeats, provider open (request, response, completion or failure) and close.
 * False for any other message.
 */
export function onProviderMessage(ctx: LinkContext, s: Session, dir: Direction, msg: QbeMessage, now: number): boolean {
    const f = msg.fields;
    const key = s.ref.key;
    switch (msg.id) {
        case QbeId.Heartbeat:
            s.heartbeats[dir]++;
            return true;
        case QbeId.ProviderOpenRequest: {
            const seq = num(f, "sequenceNumber") ?? -1;
            s.openSeq = seq;
            s.login = str(f, "login");
            s.applicationID = str(f, "applicationID");
            s.clientHb = null;
            s.serverHb = null;
            s.openDeadline = now + ctx.openTimeout;
            setState(s, "opening", now);
            ctx.emit({
                t: now,
                session: key,
                type: "ProviderOpening",
                seq,
                login: s.login,
                applicationID: s.applicationID,
            });
            return true;
        }
        case QbeId.ProviderOpenResponse: {
            const result = num(f, "result") ?? 0;
            if (result !== 0) {
                if (s.state === "opening" || s.state === "connecting") failOpen(ctx, s, now, "rejected", result);
                return true;
            }
            heartbeatsFrom(s, f);
            if (s.state === "connecting") {
                // Request not seen: wait for the completion as if it had been.
                setState(s, "opening", now);
                s.openDeadline = now + ctx.openTimeout;
            }
            return true;
        }
        case QbeId.ProviderOpenCompletedEvent: {
            const reason = num(f, "reason") ?? 0;
            if (reason !== 0) {
                failOpen(ctx, s, now, "rejected", reason, str(f, "failureDescription"));
                return true;
            }
            heartbeatsFrom(s, f);
            const pid = num(f, "providerId");
            if (pid !== null) s.providerId = pid;
            const login = str(f, "loginUserName");
            if (login) s.login = login;
            markUp(ctx, s, now, false);
            return true;
        }
        case QbeId.FailureResponse: {
            const seq = num(f, "sequenceNumber") ?? -1;
            if (s.state === "opening" && seq === s.openSeq) {
                failOpen(ctx, s, now, "rejected", num(f, "result") ?? undefined, str(f, "description"));
            }
            s.pending.delete(seq);
            return true;
        }
        case QbeId.ProviderCloseResponse:
            if ((num(f, "result") ?? 0) === 0 && s.state === "up") down(ctx, s, now, "provider-closed");
            return true;
        case QbeId.ProviderClosedEvent: {
            const reason = num(f, "reason") ?? 0;
            const e: CtiEvent = { t: now, session: key, type: "ProviderClosed", reason };
            const name = qbeEnumName("PROVIDERCLOSEREASON", reason);
            if (name !== undefined) e.reasonName = name;
            ctx.emit(e);
            if (s.state === "up") down(ctx, s, now, "provider-closed");
            else if (s.state === "opening") failOpen(ctx, s, now, "rejected", reason);
            return true;
        }
        default:
            return false;
    }
}

function heartbeatsFrom(s: Session, f: QbeFields): void {
    const c = num(f, "clientHeartbeat");
    const v = num(f, "serverHeartbeat");
    if (c !== null && c > 0) s.clientHb = c;
    if (v !== null && v > 0) s.serverHb = v;
}

/** Expires the session's deadlines up to `now` (ms): the provider open time-out, heartbeat time-outs. */
export function expire(ctx: LinkContext, s: Session, now: number): void {
    if (s.state === "opening" && s.openDeadline !== null && now >= s.openDeadline) {
        failOpen(ctx, s, now, "timeout");
    } else if (s.state === "up") {
        const [c, v] = effective(ctx, s);
        if (now - s.lastRx[0] > 2000 * c) down(ctx, s, now, "heartbeat-timeout", "client");
        else if (now - s.lastRx[1] > 2000 * v) down(ctx, s, now, "heartbeat-timeout", "server");
    }
}

/** The next time (ms) at which `expire` could change the session, or null. */
export function deadline(ctx: LinkContext, s: Session): number | null {
    if (s.state === "opening" && s.openDeadline !== null) return s.openDeadline;
    if (s.state !== "up") return null;
    const [c, v] = effective(ctx, s);
    return Math.min(s.lastRx[0] + 2000 * c, s.lastRx[1] + 2000 * v) + 1;
}

/** The session's connection closed: an up link goes down, an open in progress fails. */
export function connectionClosed(ctx: LinkContext, s: Session, now: number): void {
    if (s.state === "up") down(ctx, s, now, "connection-closed");
    else if (s.state === "opening") failOpen(ctx, s, now, "connection-closed");
}

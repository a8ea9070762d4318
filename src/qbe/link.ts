/**
 * CTI link observation: follows each CTI session (CTI client ↔ CTIManager, one TCP connection) from the
 * decoded QBE messages and reports typed events: provider open and its outcome, liveness, device and line
 * open/close, registration and service changes, call state changes, provider close.
 *
 * Pure: no timers and no clock. Messages come in with their capture time and the caller calls
 * `tick(now)` to expire deadlines (all times in milliseconds). Liveness follows the service parameters:
 * - HeartBeat Interval Time Out: a side that sends nothing for more than twice its heartbeat interval
 *   (negotiated in ProviderOpenResponse/CompletedEvent, else `heartbeatIntervalS`) takes the link down.
 *   Any message counts as a sign of life, since both sides send a Heartbeat only when otherwise idle (§9).
 * - Provider Open Call Time Out: a ProviderOpenRequest not completed within `providerOpenTimeoutMs`
 *   fails the open.
 * Every map is bounded; the oldest entry gives way.
 *
 * The observer is a facade over per-session records (link/session.ts) and two rooms: link/provider.ts
 * (provider open and close, liveness) and link/objects.ts (devices, lines, calls).
 */
import type { Direction } from "../wire/reassembly.js";
import type { QbeMessage } from "./codec.js";
import { onObjectMessage } from "./link/objects.js";
import { connectionClosed, deadline, expire, markUp, onProviderMessage } from "./link/provider.js";
import { type LinkContext, linkContext, newSession, type Session, sessionInfo } from "./link/session.js";
import type { CtiEventSink, CtiLinkOptions, CtiSessionInfo } from "./link/types.js";
import type { QbeMessageObserver, QbeSessionRef } from "./stream.js";

export type {
    CtiEvent,
    CtiEventSink,
    CtiHandle,
    CtiLinkOptions,
    CtiLinkState,
    CtiSessionInfo,
} from "./link/types.js";

/** Follows CTI sessions from decoded QBE messages; see the module comment. */
export class CtiLinkObserver implements QbeMessageObserver {
    readonly #sessions = new Map<string, Session>();
    readonly #ctx: LinkContext;

    constructor(emit: CtiEventSink, opts: CtiLinkOptions = {}) {
        this.#ctx = linkContext(emit, opts);
    }

    /** One decoded message of a session, at capture time `now` (ms). */
    onQbeMessage(ref: QbeSessionRef, dir: Direction, msg: QbeMessage, now: number): void {
        const ctx = this.#ctx;
        const s = this.#sessionFor(ref, now);
        s.lastActivity = now;
        s.lastRx[dir] = now;
        s.messages[dir]++;
        if (s.state === "down") markUp(ctx, s, now, true); // traffic resumed after a heartbeat timeout
        if (!onProviderMessage(ctx, s, dir, msg, now)) onObjectMessage(ctx, s, msg, now);
        if (s.state === "connecting" && msg.id !== 310 && msg.id !== 311) markUp(ctx, s, now, true);
    }

    /** The session's TCP connection closed at `now` (ms): reports the loss and forgets the session. */
    onQbeClose(ref: QbeSessionRef, now: number): void {
        const s = this.#sessions.get(ref.key);
        if (s === undefined) return;
        connectionClosed(this.#ctx, s, now);
        this.#sessions.delete(ref.key);
    }

    /** Expires deadlines up to `now` (ms): provider open time-outs and heartbeat time-outs. */
    tick(now: number): void {
        for (const s of this.#sessions.values()) expire(this.#ctx, s, now);
    }

    /** The next time (ms) at which `tick` could change something, or null. Lets a caller sleep until then. */
    nextDeadline(): number | null {
        let next: number | null = null;
        for (const s of this.#sessions.values()) {
            const d = deadline(this.#ctx, s);
            if (d !== null && (next === null || d < next)) next = d;
        }
        return next;
    }

    /** State of one session, or undefined. */
    session(key: string): CtiSessionInfo | undefined {
        const s = this.#sessions.get(key);
        return s === undefined ? undefined : sessionInfo(this.#ctx, s);
    }

    /** State of every tracked session. */
    allSessions(): CtiSessionInfo[] {
        return [...this.#sessions.values()].map((s) => sessionInfo(this.#ctx, s));
    }

    #sessionFor(ref: QbeSessionRef, now: number): Session {
        const known = this.#sessions.get(ref.key);
        if (known !== undefined) return known;
        if (this.#sessions.size >= this.#ctx.maxSessions) {
            let oldest: Session | null = null;
            for (const s of this.#sessions.values())
                if (oldest === null || s.lastActivity < oldest.lastActivity) oldest = s;
            if (oldest !== null) this.#sessions.delete(oldest.ref.key);
        }
        const s = newSession(ref, now);
        this.#sessions.set(ref.key, s);
        return s;
    }
}

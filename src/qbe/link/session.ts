/**
 * The CTI link observer's state: one record per CTI session (link state, liveness, open devices, lines and
 * call legs, pending requests by sequence number), the settings every room reads, field readers for decoded
 * messages, and the session snapshot a query returns.
 */
import type { QbeFields, QbeValue } from "../codec.js";
import { qbeEnumName } from "../schema.js";
import type { QbeSessionRef } from "../stream.js";
import type { CtiEvent, CtiHandle, CtiLinkOptions, CtiSessionInfo } from "./types.js";

/** What the rooms share: where events go and the observer's settings. */
export interface LinkContext {
    readonly emit: (event: CtiEvent) => void;
    /** Heartbeat interval assumed when none was negotiated, s. */
    readonly hbDefault: number;
    readonly openTimeout: number;
    readonly maxSessions: number;
    readonly maxEntries: number;
}

export function linkContext(emit: (event: CtiEvent) => void, opts: CtiLinkOptions): LinkContext {
    return {
        emit,
        hbDefault: opts.heartbeatIntervalS ?? 30,
        openTimeout: opts.providerOpenTimeoutMs ?? 30000,
        maxSessions: Math.max(1, opts.maxSessions ?? 1024),
        maxEntries: Math.max(1, opts.maxEntriesPerSession ?? 4096),
    };
}

export interface LineRec {
    line: CtiHandle;
    deviceName: string;
    lineName: string;
    partition: string | null;
}

export interface LegRec {
    line: CtiHandle;
    call: CtiHandle;
    state: number;
    callingParty: string | null;
    calledParty: string | null;
}

export type Pending =
    | { kind: "open" }
    | { kind: "deviceOpen"; deviceName: string }
    | { kind: "lineOpen"; deviceName: string; lineName: string; partition: string | null }
    | { kind: "deviceClose"; key: string }
    | { kind: "lineClose"; key: string };

/** One CTI session; the fields a query shows as they are share their names and types with it. */
export interface Session
    extends Pick<CtiSessionInfo, "state" | "since" | "inferred" | "login" | "applicationID" | "providerId"> {
    ref: QbeSessionRef;
    clientHb: number | null;
    serverHb: number | null;
    lastRx: [number, number];
    heartbeats: [number, number];
    messages: [number, number];
    openSeq: number;
    openDeadline: number | null;
    lastActivity: number;
    devices: Map<string, { device: CtiHandle; name: string }>;
    lines: Map<string, LineRec>;
    legs: Map<string, LegRec>;
    pending: Map<number, Pending>;
}

// --- field access on decoded messages (absent or mistyped fields read as null) ---

export function num(f: QbeFields, name: string): number | null {
    const v = f[name];
    return typeof v === "number" ? v : null;
}

export function str(f: QbeFields, name: string): string | null {
    const v = f[name];
    return typeof v === "string" ? v : null;
}

export function obj(f: QbeFields, name: string): QbeFields | null {
    const v: QbeValue | undefined = f[name];
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as QbeFields) : null;
}

export function handle(f: QbeFields, cm: string, id: string): CtiHandle | null {
    const a = num(f, cm);
    const b = num(f, id);
    return a === null || b === null ? null : { callManagerID: a, id: b };
}

export function hkey(h: CtiHandle): string {
    return `${h.callManagerID}:${h.id}`;
}

/** Adds to a bounded map, evicting the oldest entry when full. */
export function boundedSet<K, V>(m: Map<K, V>, k: K, v: V, max: number): void {
    if (!m.has(k) && m.size >= max) {
        const first = m.keys().next();
        if (!first.done) m.delete(first.value);
    }
    m.set(k, v);
}

/** Heartbeat intervals liveness uses: negotiated, else the default. */
export function effective(ctx: LinkContext, s: Session): [number, number] {
    const c = s.clientHb !== null && s.clientHb > 0 ? s.clientHb : ctx.hbDefault;
    const v = s.serverHb !== null && s.serverHb > 0 ? s.serverHb : ctx.hbDefault;
    return [c, v];
}

/** A new session record, joined at `now` (ms). */
export function newSession(ref: QbeSessionRef, now: number): Session {
    return {
        ref,
        state: "connecting",
        since: now,
        inferred: false,
        login: null,
        applicationID: null,
        providerId: null,
        clientHb: null,
        serverHb: null,
        lastRx: [-1, -1],
        heartbeats: [0, 0],
        messages: [0, 0],
        openSeq: -1,
        openDeadline: null,
        lastActivity: now,
        devices: new Map(),
        lines: new Map(),
        legs: new Map(),
        pending: new Map(),
    };
}

/** A fresh copy of a session's state for queries. */
export function sessionInfo(ctx: LinkContext, s: Session): CtiSessionInfo {
    return {
        key: s.ref.key,
        client: s.ref.client,
        server: s.ref.server,
        state: s.state,
        since: s.since,
        inferred: s.inferred,
        login: s.login,
        applicationID: s.applicationID,
        providerId: s.providerId,
        clientHeartbeatS: s.clientHb,
        serverHeartbeatS: s.serverHb,
        effectiveHeartbeatS: effective(ctx, s),
        lastRx: [s.lastRx[0], s.lastRx[1]],
        heartbeats: [s.heartbeats[0], s.heartbeats[1]],
        messages: [s.messages[0], s.messages[1]],
        openDeadline: s.state === "opening" ? s.openDeadline : null,
        devices: [...s.devices.values()].map((d) => ({ device: { ...d.device }, name: d.name })),
        lines: [...s.lines.values()].map((l) => ({ ...l, line: { ...l.line } })),
        calls: [...s.legs.values()].map((l) => ({
            line: { ...l.line },
            call: { ...l.call },
            state: l.state,
            stateName: qbeEnumName("CALLSTATE", l.state) ?? String(l.state),
            callingParty: l.callingParty,
            calledParty: l.calledParty,
        })),
    };
}

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
 */
import type { Direction } from "../wire/reassembly.js";
import type { QbeFields, QbeMessage, QbeValue } from "./codec.js";
import { QbeId, qbeEnumName } from "./schema.js";
import type { QbeMessageObserver, QbeSessionRef } from "./stream.js";

/** Options (service parameters as plain numbers, plus bounds). */
export interface CtiLinkOptions {
    /** Heartbeat interval assumed when none was negotiated (cti.heartbeatIntervalS, default 30). */
    heartbeatIntervalS?: number;
    /** Provider Open Call Time Out (cti.providerOpenTimeoutMs, default 30000). */
    providerOpenTimeoutMs?: number;
    /** Sessions tracked at once (default 1024). */
    maxSessions?: number;
    /** Devices, lines, call legs and pending requests tracked per session, each (default 4096). */
    maxEntriesPerSession?: number;
}

/** Lifecycle of a CTI session. */
export type CtiLinkState = "connecting" | "opening" | "up" | "down" | "failed" | "closed";

/** A (callManagerID, id) handle. */
export interface CtiHandle {
    callManagerID: number;
    id: number;
}

interface EventBase {
    /** Capture time, ms. */
    t: number;
    /** Session key ("client>server"). */
    session: string;
}

/** Events reported by the observer. */
export type CtiEvent =
    | (EventBase & { type: "ProviderOpening"; seq: number; login: string | null; applicationID: string | null })
    | (EventBase & {
          type: "LinkUp";
          clientHeartbeatS: number;
          serverHeartbeatS: number;
          providerId: number | null;
          /** True when the open was not seen (joined mid-session, or traffic resumed after a LinkDown). */
          inferred: boolean;
      })
    | (EventBase & {
          type: "LinkDown";
          reason: "heartbeat-timeout" | "provider-closed" | "connection-closed";
          /** For a heartbeat timeout: the side that went silent. */
          silent?: "client" | "server";
      })
    | (EventBase & {
          type: "ProviderOpenFailed";
          reason: "timeout" | "rejected" | "connection-closed";
          /** CTIFAILURE code for "rejected", and its name. */
          code?: number;
          codeName?: string;
          description?: string;
      })
    | (EventBase & { type: "ProviderClosed"; reason: number; reasonName?: string })
    | (EventBase & { type: "DeviceOpened"; device: CtiHandle; deviceName: string })
    | (EventBase & { type: "DeviceClosed"; device: CtiHandle; deviceName: string | null; reason?: number })
    | (EventBase & {
          type: "LineOpened";
          line: CtiHandle;
          deviceName: string;
          lineName: string;
          partition: string | null;
      })
    | (EventBase & { type: "LineClosed"; line: CtiHandle; lineName: string | null; reason?: number })
    | (EventBase & {
          type: "DeviceRegistered" | "DeviceUnregistered";
          deviceName: string;
          reason: number | null;
          /** The message it came from (e.g. "DeviceRegisteredEvent", "DeviceLineInfoEvent"). */
          source: string;
      })
    | (EventBase & {
          type: "DeviceInService" | "DeviceOutOfService";
          device: CtiHandle;
          deviceName: string | null;
          reason: number | null;
      })
    | (EventBase & {
          type: "LineInService" | "LineOutOfService";
          line: CtiHandle;
          lineName: string | null;
          reason: number | null;
      })
    | (EventBase & { type: "DeviceStateChanged"; device: CtiHandle; deviceName: string | null; deviceState: string })
    | (EventBase & {
          type: "CallStateChanged";
          line: CtiHandle;
          lineName: string | null;
          deviceName: string | null;
          call: CtiHandle;
          state: number;
          /** CALLSTATE name, e.g. "CONNECTED". */
          stateName: string;
          cause: number | null;
          callingParty: string | null;
          calledParty: string | null;
          source: string;
      })
    | (EventBase & {
          type: "CallClosed";
          line: CtiHandle;
          lineName: string | null;
          call: CtiHandle;
          reason: number | null;
      });

/** Receives observer events. */
export type CtiEventSink = (event: CtiEvent) => void;

/** Query result for one session. */
export interface CtiSessionInfo {
    key: string;
    client: string;
    server: string;
    state: CtiLinkState;
    /** When the current state began (ms). */
    since: number;
    /** True when the link was taken as up without seeing the open. */
    inferred: boolean;
    login: string | null;
    applicationID: string | null;
    providerId: number | null;
    /** Negotiated intervals (null until seen) and the ones liveness uses. */
    clientHeartbeatS: number | null;
    serverHeartbeatS: number | null;
    effectiveHeartbeatS: [client: number, server: number];
    /** Last message from the client and from the server (ms, -1 = none). */
    lastRx: [client: number, server: number];
    heartbeats: [client: number, server: number];
    messages: [client: number, server: number];
    /** Pending ProviderOpenRequest deadline (ms) while opening. */
    openDeadline: number | null;
    devices: { device: CtiHandle; name: string }[];
    lines: { line: CtiHandle; deviceName: string; lineName: string; partition: string | null }[];
    calls: {
        line: CtiHandle;
        call: CtiHandle;
        state: number;
        stateName: string;
        callingParty: string | null;
        calledParty: string | null;
    }[];
}

interface LineRec {
    line: CtiHandle;
    deviceName: string;
    lineName: string;
    partition: string | null;
}

interface LegRec {
    line: CtiHandle;
    call: CtiHandle;
    state: number;
    callingParty: string | null;
    calledParty: string | null;
}

type Pending =
    | { kind: "open" }
    | { kind: "deviceOpen"; deviceName: string }
    | { kind: "lineOpen"; deviceName: string; lineName: string; partition: string | null }
    | { kind: "deviceClose"; key: string }
    | { kind: "lineClose"; key: string };

interface Session {
    ref: QbeSessionRef;
    state: CtiLinkState;
    since: number;
    inferred: boolean;
    login: string | null;
    applicationID: string | null;
    providerId: number | null;
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

function num(f: QbeFields, name: string): number | null {
    const v = f[name];
    return typeof v === "number" ? v : null;
}

function str(f: QbeFields, name: string): string | null {
    const v = f[name];
    return typeof v === "string" ? v : null;
}

function obj(f: QbeFields, name: string): QbeFields | null {
    const v: QbeValue | undefined = f[name];
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as QbeFields) : null;
}

function handle(f: QbeFields, cm: string, id: string): CtiHandle | null {
    const a = num(f, cm);
    const b = num(f, id);
    return a === null || b === null ? null : { callManagerID: a, id: b };
}

function hkey(h: CtiHandle): string {
    return `${h.callManagerID}:${h.id}`;
}

/** Adds to a bounded map, evicting the oldest entry when full. */
function boundedSet<K, V>(m: Map<K, V>, k: K, v: V, max: number): void {
    if (!m.has(k) && m.size >= max) {
        const first = m.keys().next();
        if (!first.done) m.delete(first.value);
    }
    m.set(k, v);
}

const DEVICE_STATE_BY_ID: ReadonlyMap<number, string> = new Map([
    [206, "IDLE"],
    [207, "HELD"],
    [208, "ALERTING"],
    [209, "ACTIVE"],
    [230, "WHISPER"],
]);

/** Follows CTI sessions from decoded QBE messages; see the module comment. */
export class CtiLinkObserver implements QbeMessageObserver {
    private readonly sessions = new Map<string, Session>();
    private readonly hbDefault: number;
    private readonly openTimeout: number;
    private readonly maxSessions: number;
    private readonly maxEntries: number;

    constructor(
        private readonly emit: CtiEventSink,
        opts: CtiLinkOptions = {},
    ) {
        this.hbDefault = opts.heartbeatIntervalS ?? 30;
        this.openTimeout = opts.providerOpenTimeoutMs ?? 30000;
        this.maxSessions = Math.max(1, opts.maxSessions ?? 1024);
        this.maxEntries = Math.max(1, opts.maxEntriesPerSession ?? 4096);
    }

    /** One decoded message of a session, at capture time `now` (ms). */
    onQbeMessage(ref: QbeSessionRef, dir: Direction, msg: QbeMessage, now: number): void {
        const s = this.sessionFor(ref, now);
        s.lastActivity = now;
        s.lastRx[dir] = now;
        s.messages[dir]++;
        if (s.state === "down") this.up(s, now, true); // traffic resumed after a heartbeat timeout
        this.handle(s, dir, msg, now);
        if (s.state === "connecting" && msg.id !== 310 && msg.id !== 311) this.up(s, now, true);
    }

    /** The session's TCP connection closed at `now` (ms): reports the loss and forgets the session. */
    onQbeClose(ref: QbeSessionRef, now: number): void {
        const s = this.sessions.get(ref.key);
        if (s === undefined) return;
        if (s.state === "up") this.down(s, now, "connection-closed");
        else if (s.state === "opening") this.failOpen(s, now, "connection-closed");
        this.sessions.delete(ref.key);
    }

    /** Expires deadlines up to `now` (ms): provider open time-outs and heartbeat time-outs. */
    tick(now: number): void {
        for (const s of this.sessions.values()) {
            if (s.state === "opening" && s.openDeadline !== null && now >= s.openDeadline) {
                this.failOpen(s, now, "timeout");
            } else if (s.state === "up") {
                const [c, v] = this.effective(s);
                if (now - s.lastRx[0] > 2000 * c) this.down(s, now, "heartbeat-timeout", "client");
                else if (now - s.lastRx[1] > 2000 * v) this.down(s, now, "heartbeat-timeout", "server");
            }
        }
    }

    /** The next time (ms) at which `tick` could change something, or null. Lets a caller sleep until then. */
    nextDeadline(): number | null {
        let next: number | null = null;
        for (const s of this.sessions.values()) {
            let d: number | null = null;
            if (s.state === "opening" && s.openDeadline !== null) d = s.openDeadline;
            else if (s.state === "up") {
                const [c, v] = this.effective(s);
                d = Math.min(s.lastRx[0] + 2000 * c, s.lastRx[1] + 2000 * v) + 1;
            }
            if (d !== null && (next === null || d < next)) next = d;
        }
        return next;
    }

    /** State of one session, or undefined. */
    session(key: string): CtiSessionInfo | undefined {
        const s = this.sessions.get(key);
        return s === undefined ? undefined : this.info(s);
    }

    /** State of every tracked session. */
    allSessions(): CtiSessionInfo[] {
        return [...this.sessions.values()].map((s) => this.info(s));
    }

    private info(s: Session): CtiSessionInfo {
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
            effectiveHeartbeatS: this.effective(s),
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

    private effective(s: Session): [number, number] {
        const c = s.clientHb !== null && s.clientHb > 0 ? s.clientHb : this.hbDefault;
        const v = s.serverHb !== null && s.serverHb > 0 ? s.serverHb : this.hbDefault;
        return [c, v];
    }

    private sessionFor(ref: QbeSessionRef, now: number): Session {
        const known = this.sessions.get(ref.key);
        if (known !== undefined) return known;
        if (this.sessions.size >= this.maxSessions) {
            let oldest: Session | null = null;
            for (const s of this.sessions.values())
                if (oldest === null || s.lastActivity < oldest.lastActivity) oldest = s;
            if (oldest !== null) this.sessions.delete(oldest.ref.key);
        }
        const s: Session = {
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
        this.sessions.set(ref.key, s);
        return s;
    }

    private ev(event: CtiEvent): void {
        this.emit(event);
    }

    private setState(s: Session, state: CtiLinkState, now: number): void {
        s.state = state;
        s.since = now;
    }

    private up(s: Session, now: number, inferred: boolean): void {
        this.setState(s, "up", now);
        s.inferred = inferred;
        s.openDeadline = null;
        // Liveness counts from the moment the link is up.
        s.lastRx[0] = now;
        s.lastRx[1] = now;
        const [c, v] = this.effective(s);
        this.ev({
            t: now,
            session: s.ref.key,
            type: "LinkUp",
            clientHeartbeatS: c,
            serverHeartbeatS: v,
            providerId: s.providerId,
            inferred,
        });
    }

    private down(
        s: Session,
        now: number,
        reason: "heartbeat-timeout" | "provider-closed" | "connection-closed",
        silent?: "client" | "server",
    ): void {
        this.setState(s, reason === "heartbeat-timeout" ? "down" : "closed", now);
        const e: CtiEvent = { t: now, session: s.ref.key, type: "LinkDown", reason };
        if (silent !== undefined) e.silent = silent;
        this.ev(e);
    }

    private failOpen(
        s: Session,
        now: number,
        reason: "timeout" | "rejected" | "connection-closed",
        code?: number,
        description?: string | null,
    ): void {
        this.setState(s, "failed", now);
        s.openDeadline = null;
        const e: CtiEvent = { t: now, session: s.ref.key, type: "ProviderOpenFailed", reason };
        if (code !== undefined) {
            e.code = code;
            const name = qbeEnumName("CTIFAILURE", code);
            if (name !== undefined) e.codeName = name;
        }
        if (description) e.description = description;
        this.ev(e);
    }

    private handle(s: Session, dir: Direction, msg: QbeMessage, now: number): void {
        const f = msg.fields;
        const key = s.ref.key;
        switch (msg.id) {
            case QbeId.Heartbeat:
                s.heartbeats[dir]++;
                return;
            case QbeId.ProviderOpenRequest: {
                const seq = num(f, "sequenceNumber") ?? -1;
                s.openSeq = seq;
                s.login = str(f, "login");
                s.applicationID = str(f, "applicationID");
                s.clientHb = null;
                s.serverHb = null;
                s.openDeadline = now + this.openTimeout;
                this.setState(s, "opening", now);
                this.ev({
                    t: now,
                    session: key,
                    type: "ProviderOpening",
                    seq,
                    login: s.login,
                    applicationID: s.applicationID,
                });
                return;
            }
            case QbeId.ProviderOpenResponse: {
                const result = num(f, "result") ?? 0;
                if (result !== 0) {
                    if (s.state === "opening" || s.state === "connecting") this.failOpen(s, now, "rejected", result);
                    return;
                }
                this.heartbeatsFrom(s, f);
                if (s.state === "connecting") {
                    // Request not seen: wait for the completion as if it had been.
                    this.setState(s, "opening", now);
                    s.openDeadline = now + this.openTimeout;
                }
                return;
            }
            case QbeId.ProviderOpenCompletedEvent: {
                const reason = num(f, "reason") ?? 0;
                if (reason !== 0) {
                    this.failOpen(s, now, "rejected", reason, str(f, "failureDescription"));
                    return;
                }
                this.heartbeatsFrom(s, f);
                const pid = num(f, "providerId");
                if (pid !== null) s.providerId = pid;
                const login = str(f, "loginUserName");
                if (login) s.login = login;
                this.up(s, now, false);
                return;
            }
            case QbeId.FailureResponse: {
                const seq = num(f, "sequenceNumber") ?? -1;
                if (s.state === "opening" && seq === s.openSeq) {
                    this.failOpen(s, now, "rejected", num(f, "result") ?? undefined, str(f, "description"));
                }
                s.pending.delete(seq);
                return;
            }
            case QbeId.ProviderCloseResponse:
                if ((num(f, "result") ?? 0) === 0 && s.state === "up") this.down(s, now, "provider-closed");
                return;
            case QbeId.ProviderClosedEvent: {
                const reason = num(f, "reason") ?? 0;
                const e: CtiEvent = { t: now, session: key, type: "ProviderClosed", reason };
                const name = qbeEnumName("PROVIDERCLOSEREASON", reason);
                if (name !== undefined) e.reasonName = name;
                this.ev(e);
                if (s.state === "up") this.down(s, now, "provider-closed");
                else if (s.state === "opening") this.failOpen(s, now, "rejected", reason);
                return;
            }
            case QbeId.DeviceOpenRequest:
                this.pend(s, f, { kind: "deviceOpen", deviceName: str(f, "deviceName") ?? "" });
                return;
            case QbeId.LineOpenRequest:
                this.pend(s, f, {
                    kind: "lineOpen",
                    deviceName: str(f, "deviceName") ?? "",
                    lineName: str(f, "lineName") ?? "",
                    partition: str(f, "partition"),
                });
                return;
            case QbeId.DeviceCloseRequest: {
                const h = handle(f, "callManagerID", "deviceID");
                if (h !== null) this.pend(s, f, { kind: "deviceClose", key: hkey(h) });
                return;
            }
            case QbeId.LineCloseRequest: {
                const h = handle(f, "lineCallManagerID", "lineID");
                if (h !== null) this.pend(s, f, { kind: "lineClose", key: hkey(h) });
                return;
            }
            case QbeId.DeviceOpenResponse: {
                const p = this.settle(s, f);
                const h = handle(f, "callManagerID", "deviceID");
                if (p?.kind !== "deviceOpen" || h === null || num(f, "result") !== 0) return;
                boundedSet(s.devices, hkey(h), { device: h, name: p.deviceName }, this.maxEntries);
                this.ev({ t: now, session: key, type: "DeviceOpened", device: h, deviceName: p.deviceName });
                return;
            }
            case QbeId.LineOpenResponse: {
                const p = this.settle(s, f);
                const h = handle(f, "lineCallManagerID", "lineID");
                if (p?.kind !== "lineOpen" || h === null || num(f, "result") !== 0) return;
                const rec: LineRec = {
                    line: h,
                    deviceName: p.deviceName,
                    lineName: p.lineName,
                    partition: p.partition,
                };
                boundedSet(s.lines, hkey(h), rec, this.maxEntries);
                this.ev({ t: now, session: key, type: "LineOpened", ...rec, line: { ...h } });
                return;
            }
            case QbeId.DeviceCloseResponse:
            case QbeId.DeviceClosedEvent: {
                if (msg.id === QbeId.DeviceCloseResponse) {
                    this.settle(s, f);
                    if (num(f, "result") !== 0) return;
                }
                const h =
                    msg.id === QbeId.DeviceClosedEvent
                        ? handle(f, "deviceCallManagerID", "deviceID")
                        : handle(f, "callManagerID", "deviceID");
                if (h === null) return;
                const d = s.devices.get(hkey(h));
                s.devices.delete(hkey(h));
                const e: CtiEvent = {
                    t: now,
                    session: key,
                    type: "DeviceClosed",
                    device: h,
                    deviceName: d?.name ?? null,
                };
                const reason = num(f, "reason");
                if (reason !== null) e.reason = reason;
                this.ev(e);
                return;
            }
            case QbeId.LineCloseResponse:
            case QbeId.LineClosedEvent: {
                if (msg.id === QbeId.LineCloseResponse) {
                    this.settle(s, f);
                    if (num(f, "result") !== 0) return;
                }
                const h = handle(f, "lineCallManagerID", "lineID");
                if (h === null) return;
                const k = hkey(h);
                const l = s.lines.get(k);
                s.lines.delete(k);
                for (const [lk, leg] of s.legs) if (hkey(leg.line) === k) s.legs.delete(lk);
                const e: CtiEvent = {
                    t: now,
                    session: key,
                    type: "LineClosed",
                    line: h,
                    lineName: l?.lineName ?? null,
                };
                const reason = num(f, "reason");
                if (reason !== null) e.reason = reason;
                this.ev(e);
                return;
            }
            case QbeId.DeviceRegisteredEvent:
            case QbeId.DeviceUnregisteredEvent: {
                const name = str(obj(f, "deviceInfo") ?? {}, "name");
                if (name === null) return;
                const type = msg.id === QbeId.DeviceRegisteredEvent ? "DeviceRegistered" : "DeviceUnregistered";
                this.ev({ t: now, session: key, type, deviceName: name, reason: num(f, "reason"), source: msg.name });
                return;
            }
            case QbeId.DeviceRegisteredEventWithLineInfo: {
                const name = str(f, "deviceName");
                if (name === null) return;
                const reason = num(f, "registerReason");
                this.ev({ t: now, session: key, type: "DeviceRegistered", deviceName: name, reason, source: msg.name });
                return;
            }
            case QbeId.DeviceLineInfoEvent: {
                const name = str(f, "deviceName");
                const status = num(f, "deviceRegistrationStatus");
                if (name === null || (status !== 1 && status !== 2)) return;
                const type = status === 1 ? "DeviceRegistered" : "DeviceUnregistered";
                this.ev({ t: now, session: key, type, deviceName: name, reason: null, source: msg.name });
                return;
            }
            case QbeId.DeviceInServiceEvent:
            case QbeId.DeviceOutOfServiceEvent: {
                const h = handle(f, "deviceCallManagerID", "deviceID");
                if (h === null) return;
                const type = msg.id === QbeId.DeviceInServiceEvent ? "DeviceInService" : "DeviceOutOfService";
                const deviceName = s.devices.get(hkey(h))?.name ?? null;
                this.ev({ t: now, session: key, type, device: h, deviceName, reason: num(f, "reason") });
                return;
            }
            case QbeId.LineInServiceEvent:
            case QbeId.LineOutOfServiceEvent: {
                const h = handle(f, "lineCallManagerID", "lineID");
                if (h === null) return;
                const type = msg.id === QbeId.LineInServiceEvent ? "LineInService" : "LineOutOfService";
                const lineName = s.lines.get(hkey(h))?.lineName ?? null;
                this.ev({ t: now, session: key, type, line: h, lineName, reason: num(f, "reason") });
                return;
            }
            case QbeId.NewCallEvent:
            case QbeId.ExistingCallEvent:
            case QbeId.CallStateChangedEvent_V2:
                this.callState(s, msg, now);
                return;
            case QbeId.CallPartyInfoChangedEvent: {
                const leg = this.leg(s, f);
                if (leg === undefined) return;
                if (f.callingPartyChanged === true) leg.callingParty = str(f, "callingParty");
                if (f.calledPartyChanged === true) leg.calledParty = str(f, "calledParty");
                return;
            }
            case QbeId.CallClosedEvent: {
                const line = handle(f, "lineCallManagerID", "lineID");
                const call = handle(f, "callCallManagerID", "callLegID");
                if (line === null || call === null) return;
                s.legs.delete(`${hkey(line)}/${hkey(call)}`);
                const lineName = s.lines.get(hkey(line))?.lineName ?? null;
                this.ev({ t: now, session: key, type: "CallClosed", line, lineName, call, reason: num(f, "reason") });
                return;
            }
            default: {
                const deviceState = DEVICE_STATE_BY_ID.get(msg.id);
                if (deviceState === undefined) return;
                const h = handle(f, "deviceCallManagerID", "deviceID");
                if (h === null) return;
                const deviceName = s.devices.get(hkey(h))?.name ?? null;
                this.ev({ t: now, session: key, type: "DeviceStateChanged", device: h, deviceName, deviceState });
            }
        }
    }

    private heartbeatsFrom(s: Session, f: QbeFields): void {
        const c = num(f, "clientHeartbeat");
        const v = num(f, "serverHeartbeat");
        if (c !== null && c > 0) s.clientHb = c;
        if (v !== null && v > 0) s.serverHb = v;
    }

    private pend(s: Session, f: QbeFields, p: Pending): void {
        const seq = num(f, "sequenceNumber");
        if (seq !== null) boundedSet(s.pending, seq, p, this.maxEntries);
    }

    private settle(s: Session, f: QbeFields): Pending | undefined {
        const seq = num(f, "sequenceNumber");
        if (seq === null) return undefined;
        const p = s.pending.get(seq);
        s.pending.delete(seq);
        return p;
    }

    private leg(s: Session, f: QbeFields): LegRec | undefined {
        const line = handle(f, "lineCallManagerID", "lineID");
        const call = handle(f, "callCallManagerID", "callLegID");
        if (line === null || call === null) return undefined;
        return s.legs.get(`${hkey(line)}/${hkey(call)}`);
    }

    private callState(s: Session, msg: QbeMessage, now: number): void {
        const f = msg.fields;
        const line = handle(f, "lineCallManagerID", "lineID");
        const call = handle(f, "callCallManagerID", "callLegID");
        const state = num(f, "state");
        if (line === null || call === null || state === null) return;
        const k = `${hkey(line)}/${hkey(call)}`;
        let leg = s.legs.get(k);
        if (leg === undefined) {
            leg = { line, call, state, callingParty: null, calledParty: null };
            boundedSet(s.legs, k, leg, this.maxEntries);
        }
        leg.state = state;
        if (msg.id !== QbeId.CallStateChangedEvent_V2) {
            leg.callingParty = str(f, "callingParty");
            leg.calledParty = str(f, "calledParty");
        }
        const l = s.lines.get(hkey(line));
        this.ev({
            t: now,
            session: s.ref.key,
            type: "CallStateChanged",
            line: { ...line },
            lineName: l?.lineName ?? null,
            deviceName: l?.deviceName ?? str(f, "deviceName"),
            call: { ...call },
            state,
            stateName: qbeEnumName("CALLSTATE", state) ?? String(state),
            cause: num(f, "cause"),
            callingParty: leg.callingParty,
            calledParty: leg.calledParty,
            source: msg.name,
        });
    }
}

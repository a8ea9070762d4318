/**
 * The CTI side of the model: session health from the CTI link observer's events, and line states of DNs
 * reported by CTI call-state events (used for DNs whose phones are not seen on the SCCP mirror).
 */
import type { CtiEvent, CtiHandle } from "../qbe/link.js";
import type { CtiSessionState, CtiStatus, DnState } from "./types.js";

/** CTI CALLSTATE values that mean the line is alerting. */
const CTI_RINGING = new Set([2, 3]); // OFFERING, ACCEPTED
/** CTI CALLSTATE values that end a call on the line (or say nothing about it). */
const CTI_ENDED = new Set([0, 1, 14]); // UNKNOWN, IDLE, DISCONNECTED

interface SessionRec {
    state: CtiSessionState;
    since: number;
    reason: string | null;
}

interface DnRec {
    /** Call key → "busy" | "ringing". */
    calls: Map<string, "busy" | "ringing">;
    /** Line keys (session|cm:id) with this DN. */
    lines: Set<string>;
    devices: Set<string>;
}

/** A change of one session's state, for the model to report. */
export interface CtiSessionChange {
    session: string;
    from: CtiSessionState | null;
    to: CtiSessionState;
    reason: string | null;
    statusFrom: CtiStatus;
    status: CtiStatus;
}

function hkey(h: CtiHandle): string {
    return `${h.callManagerID}:${h.id}`;
}

/** Tracks CTI sessions and CTI-reported line states; bounded. */
export class CtiTracker {
    readonly sessions = new Map<string, SessionRec>();
    readonly dns = new Map<string, DnRec>();
    /** session|line → DN (and device) of opened lines. */
    readonly lines = new Map<string, { dn: string; device: string }>();
    /** session|line|call → DN, for calls whose later events carry no line name. */
    readonly calls = new Map<string, string>();
    /** Device name → registered (from CTI device events). */
    readonly devices = new Map<string, boolean>();
    /** Last session that went down or failed, and how. */
    #lastBad: { session: string; state: "down" | "failed"; t: number } | null = null;

    readonly #maxSessions: number;
    readonly #maxEntries: number;

    constructor(maxSessions: number, maxEntries: number) {
        this.#maxSessions = maxSessions;
        this.#maxEntries = maxEntries;
    }

    /** Cluster-level condition. */
    status(): CtiStatus {
        for (const s of this.sessions.values()) if (s.state === "up") return "up";
        return this.#lastBad === null ? "unknown" : this.#lastBad.state;
    }

    /**
     * Applies one event. Returns the DNs whose CTI state may have changed and the session change, if any.
     */
    apply(e: CtiEvent): { dns: string[]; change: CtiSessionChange | null } {
        const t = e.t / 1000;
        switch (e.type) {
            case "ProviderOpening":
                return { dns: [], change: this.#setSession(e.session, "opening", t, null) };
            case "LinkUp":
                return { dns: this.#dnsOfSession(e.session), change: this.#setSession(e.session, "up", t, null) };
            case "LinkDown": {
                const change = this.#setSession(e.session, "down", t, e.reason);
                return { dns: this.#dropSessionCalls(e.session), change };
            }
            case "ProviderOpenFailed": {
                const change = this.#setSession(e.session, "failed", t, e.reason);
                return { dns: this.#dropSessionCalls(e.session), change };
            }
            case "LineOpened": {
                const dn = e.lineName;
                if (dn === "") return { dns: [], change: null };
                const key = `${e.session}|${hkey(e.line)}`;
                this.#bounded(this.lines, key, { dn, device: e.deviceName });
                const rec = this.#dn(dn);
                rec.lines.add(key);
                if (e.deviceName !== "") rec.devices.add(e.deviceName);
                return { dns: [dn], change: null };
            }
            case "LineClosed": {
                const key = `${e.session}|${hkey(e.line)}`;
                const l = this.lines.get(key);
                if (l === undefined) return { dns: [], change: null };
                this.lines.delete(key);
                const rec = this.dns.get(l.dn);
                rec?.lines.delete(key);
                this.#gc(l.dn);
                return { dns: [l.dn], change: null };
            }
            case "DeviceRegistered":
            case "DeviceUnregistered":
                if (e.deviceName !== "") this.#bounded(this.devices, e.deviceName, e.type === "DeviceRegistered");
                return { dns: [], change: null };
            case "CallStateChanged": {
                const lineKey = `${e.session}|${hkey(e.line)}`;
                const callKey = `${lineKey}|${hkey(e.call)}`;
                const dn = e.lineName ?? this.lines.get(lineKey)?.dn ?? this.calls.get(callKey) ?? null;
                if (dn === null || dn === "") return { dns: [], change: null };
                const rec = this.#dn(dn);
                if (e.deviceName !== null && e.deviceName !== "") rec.devices.add(e.deviceName);
                if (CTI_ENDED.has(e.state)) {
                    rec.calls.delete(callKey);
                    this.calls.delete(callKey);
                } else {
                    rec.calls.set(callKey, CTI_RINGING.has(e.state) ? "ringing" : "busy");
                    this.#bounded(this.calls, callKey, dn);
                }
                return { dns: [dn], change: null };
            }
            case "CallClosed": {
                const callKey = `${e.session}|${hkey(e.line)}|${hkey(e.call)}`;
                const dn = this.calls.get(callKey) ?? e.lineName;
                this.calls.delete(callKey);
                if (dn === null || dn === undefined) return { dns: [], change: null };
                this.dns.get(dn)?.calls.delete(callKey);
                return { dns: [dn], change: null };
            }
            default:
                return { dns: [], change: null };
        }
    }

    /** CTI view of a DN: state and device names, or null when CTI says nothing about it. */
    dnState(dn: string): { state: DnState; devices: string[] } | null {
        const rec = this.dns.get(dn);
        if (rec === undefined) return null;
        let state: DnState = "unknown";
        for (const c of rec.calls.values()) {
            if (c === "busy") {
                state = "busy";
                break;
            }
            state = "ringing";
        }
        if (state === "unknown") {
            for (const key of rec.lines) {
                const session = key.slice(0, key.indexOf("|"));
                if (this.sessions.get(session)?.state === "up") {
                    state = "idle";
                    break;
                }
            }
        }
        return { state, devices: [...rec.devices] };
    }

    /** Session list for queries. */
    sessionList(): { session: string; state: CtiSessionState; since: number; reason: string | null }[] {
        return [...this.sessions].map(([session, s]) => ({ session, ...s }));
    }

    #dn(dn: string): DnRec {
        let rec = this.dns.get(dn);
        if (rec === undefined) {
            if (this.dns.size >= this.#maxEntries) {
                const oldest = this.dns.keys().next().value as string;
                this.dns.delete(oldest);
            }
            rec = { calls: new Map(), lines: new Set(), devices: new Set() };
            this.dns.set(dn, rec);
        }
        return rec;
    }

    #gc(dn: string): void {
        const rec = this.dns.get(dn);
        if (rec !== undefined && rec.calls.size === 0 && rec.lines.size === 0) this.dns.delete(dn);
    }

    #bounded<V>(m: Map<string, V>, k: string, v: V): void {
        if (!m.has(k) && m.size >= this.#maxEntries) m.delete(m.keys().next().value as string);
        m.set(k, v);
    }

    #setSession(session: string, to: CtiSessionState, t: number, reason: string | null): CtiSessionChange | null {
        const prev = this.sessions.get(session);
        if (prev !== undefined && prev.state === to) return null;
        const statusFrom = this.status();
        if (prev === undefined && this.sessions.size >= this.#maxSessions) {
            // Forget the oldest session that is not up.
            for (const [k, s] of this.sessions) {
                if (s.state !== "up") {
                    this.sessions.delete(k);
                    break;
                }
            }
            if (this.sessions.size >= this.#maxSessions)
                this.sessions.delete(this.sessions.keys().next().value as string);
        }
        this.sessions.set(session, { state: to, since: t, reason });
        if (to === "down" || to === "failed") this.#lastBad = { session, state: to, t };
        return { session, from: prev?.state ?? null, to, reason, statusFrom, status: this.status() };
    }

    #dnsOfSession(session: string): string[] {
        const out = new Set<string>();
        const prefix = `${session}|`;
        for (const [k, l] of this.lines) if (k.startsWith(prefix)) out.add(l.dn);
        return [...out];
    }

    #dropSessionCalls(session: string): string[] {
        const out = new Set<string>(this.#dnsOfSession(session));
        const prefix = `${session}|`;
        for (const [k, dn] of this.calls) {
            if (!k.startsWith(prefix)) continue;
            this.calls.delete(k);
            this.dns.get(dn)?.calls.delete(k);
            out.add(dn);
        }
        return [...out];
    }
}

/**
 * The cluster model: the box's picture of phones, lines and calls, learned passively from SCCP (and CTI).
 * Pure and deterministic: decoded messages and capture times in, domain events out, no timers (the owner
 * calls `tick(now)` to apply keepalive time-outs). Queries return fresh plain objects.
 *
 * Learned per device (SCCP-REFERENCE §4): registration and its primary/standby CallManager links; lines
 * (instance → DN) and forwarding; the softkey template (event → label, so CallBack is recognised by its
 * label 0x80 0x41 whatever event number the CallManager gave it); calls per (line, callRef) with state from
 * CallState, or derived from hook/lamp/tone/ringer messages on CallManagers that never send CallState;
 * the phone's clock. DN state combines every device sharing the DN; CTI fills in DNs not seen on SCCP.
 *
 * Gaps: a reassembly gap marks the device, its lines and calls uncertain; a DN with an uncertain line reads
 * "unknown" (unless a certain line shows it busy or ringing) until an authoritative message: CallState for
 * each uncertain call (or the idle screen), LineStatRes for the line mapping, or a new registration.
 */
import type { StreamContext } from "../protocol/dispatcher.js";
import type { CtiEvent } from "../qbe/link.js";
import type { SccpFields, SccpMessage } from "../sccp/codec.js";
import type { SccpMessageObserver } from "../sccp/stream.js";
import { BUTTON_DEFINITIONS, CALL_STATES, enumValue, LAMP_MODES, STIMULI, TONES } from "../sccp/tables/enums.js";
import { DISPLAY_LABELS_200, LABEL_CALLBACK } from "../sccp/tables/labels.js";
import { SCCP_ID } from "../sccp/tables/messages.js";
import { type CloseReason, TcpConnection } from "../wire/reassembly.js";
import { CtiTracker } from "./cti.js";
import {
    type DeviceFacts,
    deviceSnapshot,
    type KnowledgeExport,
    type KnowledgeSnapshot,
    type KnowledgeSummary,
    KnowledgeTables,
    type LearnedBy,
    type LineFacts,
    type Missing,
    missingFacts,
    modelOf,
    RestoredTables,
    restoredFacts,
    type UnlearnedPhone,
} from "./knowledge.js";
import {
    callBackInSet,
    mergeSets,
    mergeTemplate,
    SET_CONNECTED_TRANSFER,
    SET_ON_HOOK,
    SET_RING_OUT,
    type SoftKeySets,
    type SoftKeyTemplate,
    slotOfEvent,
} from "./softkeys.js";
import { clockFromTimeDate, phoneTimeAt } from "./time.js";
import type {
    CallBackTrigger,
    CallDirection,
    CallView,
    ClusterEvent,
    ClusterModelOptions,
    ClusterStats,
    CtiStatus,
    DeviceView,
    DnState,
    DnView,
    ForwardingView,
    LineView,
    LinkRole,
    LinkState,
    LinkView,
    PhoneTimeView,
    RegistrationState,
    StaticDirectoryEntry,
    UnregisterReason,
} from "./types.js";

// --- SCCP enum values used here (from the tables) ---
const TONE_DIAL = enumValue(TONES, "InsideDialTone");
const TONE_BUSY = enumValue(TONES, "LineBusyTone");
const TONE_RINGBACK = enumValue(TONES, "AlertingTone");
const TONE_REORDER = enumValue(TONES, "ReorderTone");
const STATE_OFFHOOK = enumValue(CALL_STATES, "OffHook");
const STATE_ONHOOK = enumValue(CALL_STATES, "OnHook");
const STATE_RINGOUT = enumValue(CALL_STATES, "RingOut");
const STATE_RINGIN = enumValue(CALL_STATES, "RingIn");
const STATE_CONNECTED = enumValue(CALL_STATES, "Connected");
const STATE_BUSY = enumValue(CALL_STATES, "Busy");
const STATE_CONGESTION = enumValue(CALL_STATES, "Congestion");
const STATE_HOLD = enumValue(CALL_STATES, "Hold");
const STATE_PROCEED = enumValue(CALL_STATES, "Proceed");
const LAMP_OFF = enumValue(LAMP_MODES, "Off");
const LAMP_ON = enumValue(LAMP_MODES, "On");
const LAMP_WINK = enumValue(LAMP_MODES, "Wink");
const LAMP_FLASH = enumValue(LAMP_MODES, "Flash");
const LAMP_BLINK = enumValue(LAMP_MODES, "Blink");
const STIMULUS_LINE = enumValue(STIMULI, "Line");
const STIMULUS_CALLBACK = enumValue(STIMULI, "CallBack");
const BUTTON_LINE = enumValue(BUTTON_DEFINITIONS, "Line");
const LABEL_BUSY = enumValue(DISPLAY_LABELS_200, "Busy");
const MAX_LINE_INSTANCE = 64;
const MAX_CALLS_PER_LINE = 16;
const MAX_LINKS_PER_DEVICE = 4;
const MAX_CM_TEMPLATES = 64;
const MAX_DIGITS = 32;
/** How long an old-form CallInfo waits for its call (s). */
const PENDING_INFO_S = 2;

/** What a call state means for its line: 0 no call, 1 ringing, 2 in use. States above 18 count as in use. */
const STATE_CLASS = Uint8Array.from([0, 2, 0, 2, 1, 2, 2, 2, 2, 1, 2, 0, 2, 2, 2, 2, 2, 2, 0]);

/**
 * Messages that only a registered phone exchanges with its CallManager: seeing one on a connection makes it
 * the device's primary link (and the device registered, when the registration itself was not seen).
 */
const INFERS: readonly [Uint8Array, Uint8Array] = (() => {
    const up = new Uint8Array(0x200);
    for (const name of [
        "KeypadButton",
        "EnblocCall",
        "Stimulus",
        "OffHook",
        "OnHook",
        "HookFlash",
        "OpenReceiveChannelAck",
        "ConnectionStatisticsRes",
        "OffHookWithCallingPartyNumber",
        "SoftKeyEvent",
        "HeadsetStatus",
        "DeviceToUserData",
        "DeviceToUserDataResponse",
        "DeviceToUserDataVersion1",
        "DeviceToUserDataResponseVersion1",
        "StartMediaTransmissionAck",
        "StartMultiMediaTransmissionAck",
    ] as const)
        up[SCCP_ID[name]] = 1;
    const down = new Uint8Array(0x200).fill(1);
    for (const name of [
        "RegisterAck",
        "CapabilitiesReq",
        "RegisterReject",
        "Reset",
        "KeepAliveAck",
        "UnregisterAck",
        "VersionRes",
    ] as const)
        down[SCCP_ID[name]] = 0;
    return [up, down];
})();

function infers(dir: 0 | 1, id: number): boolean {
    return id < 0x200 ? INFERS[dir][id] === 1 : dir === 1 && id !== 0x8100 && id !== 0x8101;
}

// --- internal records ---

interface Call {
    line: Line;
    callRef: number;
    state: number | null;
    source: "callstate" | "derived";
    direction: CallDirection;
    callingParty: string | null;
    callingPartyName: string | null;
    calledParty: string | null;
    calledPartyName: string | null;
    originalCalledParty: string | null;
    lastRedirectingParty: string | null;
    dialed: string | null;
    tone: number | null;
    lastProgressTone: number | null;
    busySeen: boolean;
    softKeySet: number | null;
    startedAt: number;
    stateSince: number;
    connectedAt: number | null;
    uncertain: boolean;
    peer: Call | null;
    legKeys: string[] | null;
}

/** A line: its facts (durable) and what is happening on it. */
interface Line extends LineFacts {
    device: Device;
    calls: Call[];
    uncertain: boolean;
    state: DnState;
}

interface Link {
    cm: string;
    role: LinkRole;
    state: LinkState;
    since: number;
    lastSeen: number;
    keepAlives: number;
    attempts: number;
    conn: Conn | null;
    /** An event has reported this link (so later events have a "from"). */
    announced: boolean;
    /** No longer in its device's list. */
    dropped: boolean;
}

interface Conn {
    conn: TcpConnection;
    phoneIp: string;
    cm: string;
    device: Device | null;
    link: Link | null;
    messages: number;
    lastSeen: number;
    firmware: string | null;
    uncertain: boolean;
}

/** A device: its facts (durable, see knowledge.ts) and its activity (registration, links, calls). */
interface Device extends DeviceFacts {
    headerVersion: number | null;
    registration: RegistrationState;
    inferred: boolean;
    registeredAt: number | null;
    unregisteredReason: UnregisterReason | null;
    unregistering: boolean;
    lastPhoneRx: number;
    uncertain: boolean;
    links: Link[];
    primary: Link | null;
    lines: (Line | undefined)[];
    idleSoftKeySet: number | null;
    /** An old-form CallInfo that came before its call (CallManager 2.x sends it before the ringer). */
    pendingInfo: { f: SccpFields; ts: number } | null;
    /** Capture time (s) of the device's first traffic in this run (restored knowledge is confirmed by it). */
    seenAt: number | null;
    /** Changes to this device's facts (a snapshot writer re-encodes a device only when this moved). */
    rev: number;
    removed: boolean;
}

// --- small field readers ---

function num(f: SccpFields, k: string): number | undefined {
    const v = f[k];
    return typeof v === "number" ? v : undefined;
}

function text(f: SccpFields, k: string): string | null {
    const v = f[k];
    return typeof v === "string" && v !== "" ? v : null;
}

function active(reg: RegistrationState): boolean {
    return reg === "registered" || reg === "registering";
}

function macFromName(name: string): string | null {
    return /^SEP[0-9A-Fa-f]{12}$/.test(name) ? name.slice(3).toUpperCase() : null;
}

function macFromField(hex: string | null): string | null {
    if (hex === null || hex.length !== 24) return null;
    const ascii = Buffer.from(hex, "hex").toString("latin1");
    return /^[0-9A-Fa-f]{12}$/.test(ascii) ? ascii.toUpperCase() : null;
}

/** Removes a device's link at index i. */
function dropLink(d: Device, i: number): void {
    const [l] = d.links.splice(i, 1);
    if (l !== undefined) l.dropped = true;
}

const internPool = new Map<string, string>();

/** Shares equal strings that many devices hold (CallManager address, date template, firmware). */
function intern(s: string): string {
    const hit = internPool.get(s);
    if (hit !== undefined) return hit;
    if (internPool.size < 4096) internPool.set(s, s);
    return s;
}

function sameForwarding(a: ForwardingView | null, b: ForwardingView | null): boolean {
    if (a === null || b === null) return a === b;
    return a.all === b.all && a.busy === b.busy && a.noAnswer === b.noAnswer;
}

function stateName(s: number | null): string {
    if (s === null) return "Unknown";
    return CALL_STATES[s] ?? `State${s}`;
}

/** A phone clock set again within this much of what it showed is not news (ms). */
const CLOCK_MOVED_MS = 60_000;

/** The softkey template and sets a CallManager sent last, and when (capture time, s). */
interface CmSoftKeys {
    template: SoftKeyTemplate | null;
    sets: SoftKeySets | null;
    learnedAt: number;
}

/** A day in seconds (knowledge age is counted in days). */
const DAY_S = 86_400;
/** How often (capture time, s) knowledge is checked for devices not seen within the maximum age. */
const EXPIRY_SCAN_S = 3600;

/** The cluster model. Implements the SCCP observer; feed CTI events with `onCtiEvent`. */
export class ClusterModel implements SccpMessageObserver {
    private readonly devices = new Map<string, Device>();
    private readonly byIp = new Map<string, Device>();
    private readonly conns = new Map<TcpConnection, Conn>();
    /** DN → lines (across devices) that have it. */
    private readonly directory = new Map<string, Line[]>();
    /** Last DN state reported in a LineStateChanged (absent = "unknown"). */
    private readonly dnStates = new Map<string, DnState>();
    /** Leg matching index: "calling|called" → unmatched legs. */
    private readonly legs = new Map<string, Call[]>();
    /** Last softkey template and sets each CallManager sent (for phones whose registration was missed). */
    private readonly cmSoftKeys = new Map<string, CmSoftKeys>();
    private readonly staticByDn = new Map<string, StaticDirectoryEntry[]>();
    private readonly staticByName = new Map<string, StaticDirectoryEntry[]>();
    private readonly recent: CallView[] = [];
    private readonly cti: CtiTracker;
    private readonly emitFn: ((e: ClusterEvent) => void) | undefined;
    private readonly kaMultiple: number;
    private readonly kaDefault: number;
    private readonly kaSecondaryDefault: number;
    private readonly maxDevices: number;
    private readonly maxCalls: number;
    private readonly maxConns: number;
    private readonly legWindow: number;
    private readonly recentCap: number;
    private readonly maxAgeS: number;
    private callCount = 0;
    /** Bumped whenever knowledge (what a snapshot keeps) changes; never by keepalives or calls. */
    private knowledgeChanges = 0;
    /** Capture time of the next scan for knowledge past its maximum age. */
    private nextExpiry = Number.NEGATIVE_INFINITY;
    /** Capture time of the next keepalive deadline scan, and of the next leg-index prune. */
    private nextScan = Number.NEGATIVE_INFINITY;
    private nextLegPrune = Number.NEGATIVE_INFINITY;
    /** Close reason of the connection being closed, for connections that carried no message. */
    private readonly counters = {
        messages: 0,
        devicesEvicted: 0,
        callsEvicted: 0,
        callsEnded: 0,
        connectionsEvicted: 0,
        gaps: 0,
        ctiEvents: 0,
        events: 0,
        knowledgeExpired: 0,
    };

    constructor(opts: ClusterModelOptions = {}) {
        this.emitFn = opts.onEvent;
        this.kaMultiple = opts.keepAliveMultiple ?? 3;
        this.kaDefault = opts.defaultKeepAliveS ?? 30;
        this.kaSecondaryDefault = opts.defaultSecondaryKeepAliveS ?? 60;
        this.maxDevices = Math.max(1, opts.maxDevices ?? 50_000);
        this.maxCalls = Math.max(1, opts.maxCalls ?? 100_000);
        this.maxConns = Math.max(1, opts.maxConnections ?? 100_000);
        this.legWindow = opts.legMatchWindowS ?? 10;
        this.recentCap = Math.max(0, opts.recentCalls ?? 64);
        this.maxAgeS = Math.max(1, opts.knowledgeMaxAgeDays ?? 30) * DAY_S;
        this.cti = new CtiTracker(Math.max(1, opts.maxCtiSessions ?? 64), Math.max(1, opts.maxCtiEntries ?? 100_000));
        for (const e of opts.staticDirectory ?? []) {
            const byDn = this.staticByDn.get(e.dn) ?? [];
            byDn.push({ ...e });
            this.staticByDn.set(e.dn, byDn);
            const byName = this.staticByName.get(e.deviceName) ?? [];
            byName.push({ ...e });
            this.staticByName.set(e.deviceName, byName);
        }
    }

    // =====================================================================================================
    // SCCP input
    // =====================================================================================================

    /** One decoded SCCP message; dir 0 = phone → CallManager. */
    onSccpMessage(ctx: StreamContext, dir: 0 | 1, msg: SccpMessage, ts: number): void {
        this.counters.messages++;
        const c = this.conns.get(ctx.conn) ?? this.openConn(ctx.conn, ts);
        c.messages++;
        c.lastSeen = ts;
        if (c.device?.removed) {
            c.device = null;
            c.link = null;
        }
        const f = msg.fields;
        const id = msg.id;
        switch (id) {
            case SCCP_ID.RegisterReq:
                if (dir === 0) this.onRegister(c, f, ts);
                return;
            case SCCP_ID.KeepAliveReq:
                if (dir === 0) this.onKeepAlive(c, ts);
                return;
            case SCCP_ID.KeepAliveAck:
                return;
            case SCCP_ID.Alarm:
                this.onAlarm(c, f);
                return;
        }
        const d = this.attach(c, ts);
        d.lastSeen = ts;
        if (dir === 1) d.headerVersion = msg.hv;
        if (infers(dir, id)) {
            if (c.link !== d.primary) this.setPrimary(d, c.link!, ts, "traffic");
            if (!active(d.registration)) this.inferRegistered(d, c, ts);
        }
        if (dir === 0 && c.link === d.primary) d.lastPhoneRx = ts;
        if (dir === 0) this.fromPhone(d, id, f, ts);
        else this.fromCm(c, d, id, f, ts);
    }

    /** Bytes were lost on a connection: what it told us is no longer certain. */
    onSccpGap(ctx: StreamContext, _dir: 0 | 1, _missedBytes: number, ts: number): void {
        this.counters.gaps++;
        const c = this.conns.get(ctx.conn) ?? this.openConn(ctx.conn, ts);
        c.uncertain = true;
        const d = c.device;
        if (d !== null && !d.removed) this.markUncertain(d, ts);
    }

    /**
     * The connection ended. `reason` tells a real close (FIN,
     * RST) from the end of a capture file or an idle/evicted connection, which say nothing about the phone.
     */
    onSccpClose(ctx: StreamContext, ts: number, reason?: CloseReason): void {
        const c = this.conns.get(ctx.conn);
        const r = reason ?? null;
        if (c === undefined || c.messages === 0) {
            if (c !== undefined) this.conns.delete(ctx.conn);
            if (r === null || r === "fin" || r === "rst") this.refused(ctx.conn, ts);
            return;
        }
        this.conns.delete(ctx.conn);
        const d = c.device;
        const link = c.link;
        if (d === null || d.removed || link === null || link.conn !== c) return;
        link.conn = null;
        if (r === "end" || r === "idle" || r === "evicted") return;
        if (link === d.primary && active(d.registration)) {
            this.unregister(d, "connection-closed", ts);
        } else if (link.state === "up") {
            if (link === d.primary) d.primary = null;
            this.setLinkState(d, link, "down", ts, "connection-closed");
        }
    }

    // =====================================================================================================
    // CTI input and time
    // =====================================================================================================

    /** One event of the CTI link observer (times in ms there). */
    onCtiEvent(e: CtiEvent): void {
        this.counters.ctiEvents++;
        const { dns, change } = this.cti.apply(e);
        const t = e.t / 1000;
        if (change !== null) {
            this.emit({
                type: "CtiLinkChanged",
                t,
                session: change.session,
                from: change.from,
                to: change.to,
                reason: change.reason,
                statusFrom: change.statusFrom,
                status: change.status,
            });
        }
        for (const dn of dns) this.touchDn(dn, t);
    }

    /** Applies time-outs up to capture time `now` (s): keepalive loss, quiet standby links, stale leg index. */
    tick(now: number): void {
        if (now >= this.nextScan) this.scan(now);
        if (now >= this.nextExpiry) this.expire(now);
        if (this.legs.size > 0 && now >= this.nextLegPrune) {
            this.nextLegPrune = now + this.legWindow;
            for (const [key, list] of this.legs) {
                let w = 0;
                for (const c of list) {
                    if (now - c.startedAt <= this.legWindow) list[w++] = c;
                    else c.legKeys = null;
                }
                list.length = w;
                if (w === 0) this.legs.delete(key);
            }
        }
    }

    /**
     * Applies keepalive time-outs and notes the earliest future one: keepalives only move deadlines later,
     * so until then `tick` has nothing to do (whatever could bring one earlier calls `armScan`).
     */
    private scan(now: number): void {
        let next = Number.POSITIVE_INFINITY;
        this.nextScan = Number.POSITIVE_INFINITY;
        for (const d of this.devices.values()) {
            if (active(d.registration)) {
                const at = d.lastPhoneRx + this.kaMultiple * (d.keepAliveS ?? this.kaDefault);
                if (now > at) this.unregister(d, "keepalive-timeout", now);
                else if (at < next) next = at;
            }
            if (d.links.length < 2) continue;
            for (const link of d.links) {
                if (link === d.primary || link.state !== "up" || link.role !== "standby") continue;
                const at = link.lastSeen + this.kaMultiple * (d.secondaryKeepAliveS ?? this.kaSecondaryDefault);
                if (now > at) this.setLinkState(d, link, "down", now, "keepalive-timeout");
                else if (at < next) next = at;
            }
        }
        if (next < this.nextScan) this.nextScan = next;
    }

    /** A deadline may now be earlier than the next planned scan: scan at the next tick. */
    private armScan(): void {
        this.nextScan = Number.NEGATIVE_INFINITY;
    }

    /** Capture time (s) from which `tick` looks for knowledge past its maximum age again. */
    get nextKnowledgeCheck(): number {
        return this.nextExpiry;
    }

    /** Earliest capture time at which `tick` would unregister a device, or null. */
    nextDeadline(): number | null {
        let next: number | null = null;
        for (const d of this.devices.values()) {
            if (!active(d.registration)) continue;
            const at = d.lastPhoneRx + this.kaMultiple * (d.keepAliveS ?? this.kaDefault);
            if (next === null || at < next) next = at;
        }
        return next;
    }

    // =====================================================================================================
    // Queries (plain serialisable objects)
    // =====================================================================================================

    /** A device by key (device name, or "@ip" for a device whose name is not known). */
    device(key: string): DeviceView | null {
        const d = this.devices.get(key);
        return d === undefined ? null : this.deviceView(d);
    }

    /** A device's name and model only: cheap, for the hot path of a push (device() builds the whole view). */
    deviceIdentity(key: string): { name: string | null; model: string | null } | null {
        const d = this.devices.get(key);
        return d === undefined ? null : { name: d.name, model: modelOf(d.deviceType).model };
    }

    /** The device at a phone IP address. */
    deviceByIp(ip: string): DeviceView | null {
        const d = this.byIp.get(ip);
        return d === undefined ? null : this.deviceView(d);
    }

    /** Every device (sorted by key). */
    allDevices(): DeviceView[] {
        return [...this.devices.keys()].sort().map((k) => this.deviceView(this.devices.get(k)!));
    }

    /** A directory number across its devices (always answers; `known` says whether it is in the cluster). */
    dn(dn: string): DnView {
        const { state, uncertain, source } = this.computeDn(dn);
        const lines = this.directory.get(dn) ?? [];
        let forwarding: ForwardingView | null = null;
        for (const l of lines)
            if (l.forwarding !== null && (forwarding === null || l.forwarding.all !== null))
                forwarding = { ...l.forwarding };
        const cti = this.cti.dnState(dn);
        return {
            dn,
            state,
            uncertain,
            stateSource: source,
            known: this.isKnownDn(dn),
            devices: lines.map((l) => ({
                device: l.device.key,
                name: l.device.name,
                line: l.instance,
                registration: l.device.registration,
                state: l.state,
            })),
            forwarding,
            static: (this.staticByDn.get(dn) ?? []).map((e) => ({ ...e })),
            cti,
        };
    }

    /** State of a DN (the same value LineStateChanged reports). */
    dnState(dn: string): DnState {
        return this.computeDn(dn).state;
    }

    /** True when the DN is in this cluster as far as the box knows: observed, static directory, or CTI. */
    isKnownDn(dn: string): boolean {
        return this.directory.has(dn) || this.staticByDn.has(dn) || this.cti.dns.has(dn);
    }

    /**
     * True when the box can watch the DN: a device with it on a line was seen on the wire (SCCP), or CTI line
     * events of it (an open line or its calls) were seen. A number known only from the static directory is not.
     */
    isObservableDn(dn: string): boolean {
        return this.directory.has(dn) || this.cti.dns.has(dn);
    }

    /** Every DN the model knows of (sorted). */
    allDns(): string[] {
        const s = new Set<string>([...this.directory.keys(), ...this.staticByDn.keys(), ...this.cti.dns.keys()]);
        return [...s].sort();
    }

    /** Live calls of every device. */
    liveCalls(): CallView[] {
        const out: CallView[] = [];
        for (const d of this.devices.values())
            for (const l of d.lines) if (l) for (const c of l.calls) out.push(this.callView(c));
        return out;
    }

    /** The most recently ended calls (oldest first). */
    recentCalls(): CallView[] {
        return this.recent.map((c) => ({ ...c }));
    }

    /** The phone's local time at capture time `now`, or null when the phone's clock was never seen. */
    phoneTime(key: string, now: number): PhoneTimeView | null {
        const d = this.devices.get(key);
        if (d === undefined || d.clock === null) return null;
        return phoneTimeAt(d.clock, now, d.dateTemplate);
    }

    /** CTI condition and sessions. */
    ctiStatus(): {
        status: CtiStatus;
        sessions: { session: string; state: string; since: number; reason: string | null }[];
    } {
        return { status: this.cti.status(), sessions: this.cti.sessionList() };
    }

    /** The Call Back configuration checklist: phones whose template lacks CallBack in On Hook or Ring Out. */
    softKeyChecklist(): {
        device: string;
        name: string | null;
        model: string | null;
        onHook: boolean | null;
        ringOut: boolean | null;
    }[] {
        const out = [];
        for (const d of this.devices.values()) {
            const { template, sets } = this.softKeysOf(d);
            const onHook = callBackInSet(template, sets, SET_ON_HOOK);
            const ringOut = callBackInSet(template, sets, SET_RING_OUT);
            if (onHook === true && ringOut === true) continue;
            out.push({ device: d.key, name: d.name, model: modelOf(d.deviceType).model, onHook, ringOut });
        }
        return out.sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
    }

    /** CallManagers seen, with how many devices have an up primary or standby link to each (sorted). */
    callManagers(): { cm: string; primary: number; standby: number }[] {
        const by = new Map<string, { cm: string; primary: number; standby: number }>();
        for (const d of this.devices.values()) {
            for (const l of d.links) {
                if (l.state !== "up") continue;
                let e = by.get(l.cm);
                if (e === undefined) {
                    e = { cm: l.cm, primary: 0, standby: 0 };
                    by.set(l.cm, e);
                }
                if (l === d.primary) e.primary++;
                else if (l.role === "standby") e.standby++;
            }
        }
        return [...by.values()].sort((a, b) => (a.cm < b.cm ? -1 : 1));
    }

    /** Counters and sizes. */
    stats(): ClusterStats {
        return {
            ...this.counters,
            devices: this.devices.size,
            calls: this.callCount,
            connections: this.conns.size,
            dns: this.directory.size,
        };
    }

    // =====================================================================================================
    // Knowledge (durable: the snapshot keeps it)
    // =====================================================================================================

    /** Changes to knowledge so far: the owner writes a snapshot when this moves (never for keepalives). */
    get knowledgeVersion(): number {
        return this.knowledgeChanges;
    }

    /**
     * The knowledge for a snapshot: the shared tables, and per device its key, its revision (moves when its
     * facts change) and its plain form on demand, so a writer re-encodes only the devices that changed.
     * Devices by key: the same knowledge always gives the same bytes.
     */
    knowledgeExport(): KnowledgeExport {
        const tables = new KnowledgeTables();
        const devices: KnowledgeExport["devices"] = [];
        for (const key of [...this.devices.keys()].sort()) {
            const d = this.devices.get(key)!;
            tables.template(d.template);
            tables.set(d.sets);
            devices.push({
                key,
                rev: d.rev,
                snapshot: () =>
                    deviceSnapshot(
                        d,
                        d.lines.filter((l): l is Line => l !== undefined),
                        tables,
                    ),
            });
        }
        const callManagers = [...this.cmSoftKeys].map(([address, e]) => ({
            address,
            template: tables.template(e.template),
            sets: tables.set(e.sets),
            learnedAt: e.learnedAt,
        }));
        return { templates: tables.templates, sets: tables.sets, callManagers, devices };
    }

    /** The knowledge in plain form (tests, replication, `callbackd snapshot`). */
    exportKnowledge(): KnowledgeSnapshot {
        const { devices, ...rest } = this.knowledgeExport();
        return { ...rest, devices: devices.map((d) => d.snapshot()) };
    }

    /**
     * Restores knowledge from a snapshot, before any traffic: it serves at once (names, numbers, the CallBack
     * key, the phone's clock); a device is confirmed when its traffic is seen again and replaced by a new
     * registration. Devices the model knows already keep what it learned. Returns the devices restored.
     */
    restoreKnowledge(k: KnowledgeSnapshot): number {
        const tables = new RestoredTables(k);
        for (const cm of k.callManagers) {
            if (this.cmSoftKeys.has(cm.address) || this.cmSoftKeys.size >= MAX_CM_TEMPLATES) continue;
            this.cmSoftKeys.set(cm.address, {
                template: tables.template(cm.template),
                sets: tables.set(cm.sets),
                learnedAt: cm.learnedAt,
            });
        }
        // the most recently seen first, when the snapshot holds more than the model may
        const list = [...k.devices].sort((a, b) => b.lastSeen - a.lastSeen);
        let n = 0;
        for (const s of list) {
            if (this.devices.size >= this.maxDevices) break;
            if (this.devices.has(s.key)) continue;
            const d = this.deviceRecord(restoredFacts(s, tables));
            this.devices.set(d.key, d);
            if (d.ip !== null && !this.byIp.has(d.ip)) this.byIp.set(d.ip, d);
            for (const ls of s.lines) {
                if (ls.instance <= 0 || ls.instance > MAX_LINE_INSTANCE) continue;
                const l: Line = {
                    ...ls,
                    forwarding: ls.forwarding === null ? null : { ...ls.forwarding },
                    device: d,
                    calls: [],
                    uncertain: false,
                    state: "unknown",
                };
                d.lines[l.instance] = l;
                this.listDn(l);
            }
            n++;
        }
        this.armScan();
        return n;
    }

    /** Counts by how devices were learned, for `show cluster knowledge` and the MQTT status. */
    knowledgeSummary(): KnowledgeSummary {
        const s: KnowledgeSummary = {
            devices: this.devices.size,
            registration: 0,
            restored: 0,
            confirmed: 0,
            inferred: 0,
            unlearned: 0,
        };
        for (const d of this.devices.values()) {
            if (d.seenAt !== null && this.missing(d).length > 0) s.unlearned++;
            else if (d.restored) {
                s.restored++;
                if (d.seenAt !== null) s.confirmed++;
            } else if (d.learnedBy === "registration") s.registration++;
            else s.inferred++;
        }
        return s;
    }

    /** Phones with traffic this run that lack the CallBack key or their numbers (sorted by key). */
    unlearnedPhones(): UnlearnedPhone[] {
        const out: UnlearnedPhone[] = [];
        for (const d of this.devices.values()) {
            if (d.seenAt === null) continue;
            const missing = this.missing(d);
            if (missing.length > 0) out.push({ device: d.key, name: d.name, ip: d.ip, seenAt: d.seenAt, missing });
        }
        return out.sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
    }

    private missing(d: Device): Missing[] {
        return missingFacts(
            this.softKeysOf(d).template !== null,
            d.lines.filter((l): l is Line => l !== undefined),
            modelOf(d.deviceType).hasSoftkeys,
        );
    }

    /** Drops the knowledge of devices not seen within the maximum age (not those registered now). */
    private expire(now: number): void {
        this.nextExpiry = now + EXPIRY_SCAN_S;
        const before = now - this.maxAgeS;
        for (const d of [...this.devices.values()]) {
            if (d.lastSeen >= before || active(d.registration)) continue;
            this.removeDevice(d, now, null);
            this.counters.knowledgeExpired++;
        }
    }

    // =====================================================================================================
    // Connections, devices, links
    // =====================================================================================================

    private openConn(conn: TcpConnection, ts: number): Conn {
        if (this.conns.size >= this.maxConns) this.evictConns();
        const c: Conn = {
            conn,
            phoneIp: conn.client.addr,
            cm: intern(TcpConnection.format(conn.server)),
            device: null,
            link: null,
            messages: 0,
            lastSeen: ts,
            firmware: null,
            uncertain: conn.midstream,
        };
        this.conns.set(conn, c);
        return c;
    }

    private evictConns(): void {
        const all = [...this.conns.values()].sort((a, b) => a.lastSeen - b.lastSeen);
        const n = Math.max(1, all.length >> 4);
        for (let i = 0; i < n; i++) {
            const c = all[i]!;
            this.conns.delete(c.conn);
            if (c.link !== null && c.link.conn === c) c.link.conn = null;
            this.counters.connectionsEvicted++;
        }
    }

    private newDevice(key: string, name: string | null, ts: number, learnedBy: LearnedBy = "traffic"): Device {
        if (this.devices.size >= this.maxDevices) this.evictDevices(ts);
        this.learned();
        const d = this.deviceRecord({
            key,
            name,
            mac: name === null ? null : macFromName(name),
            ip: null,
            stationIp: null,
            deviceType: null,
            firmware: null,
            protocolVersion: null,
            cmProtocolVersion: null,
            keepAliveS: null,
            secondaryKeepAliveS: null,
            dateTemplate: null,
            userName: null,
            serverName: null,
            homeCm: null,
            mode: "unknown",
            template: null,
            sets: null,
            clock: null,
            learnedBy,
            learnedAt: ts,
            lastSeen: ts,
            restored: false,
        });
        d.seenAt = ts;
        this.devices.set(key, d);
        return d;
    }

    /** A device record: the facts given, no activity yet (not registered, no links, lines or calls). */
    private deviceRecord(facts: DeviceFacts): Device {
        return {
            ...facts,
            headerVersion: null,
            registration: "unknown",
            inferred: false,
            registeredAt: null,
            unregisteredReason: null,
            unregistering: false,
            lastPhoneRx: facts.lastSeen,
            uncertain: false,
            links: [],
            primary: null,
            lines: [],
            idleSoftKeySet: null,
            pendingInfo: null,
            seenAt: null,
            rev: 0,
            removed: false,
        };
    }

    /** Knowledge changed (of device `d`, when given): the owner writes a snapshot (coalesced). */
    private learned(d?: Device): void {
        this.knowledgeChanges++;
        if (d !== undefined) d.rev++;
    }

    /** Sets one fact of a device, counting it as learned only when it changes. */
    private fact<K extends keyof DeviceFacts>(d: Device, k: K, v: DeviceFacts[K]): void {
        const facts: DeviceFacts = d;
        if (facts[k] === v) return;
        facts[k] = v;
        this.learned(d);
    }

    /** The device of a connection, found by the phone's IP or created anonymous ("@ip"). */
    private attach(c: Conn, ts: number): Device {
        let d = c.device;
        if (d === null) {
            d = this.deviceAt(c.phoneIp, ts);
            c.device = d;
            if (c.uncertain) d.uncertain = true;
            if (c.firmware !== null && d.firmware !== c.firmware) {
                d.firmware = c.firmware;
                this.learned(d);
            }
        }
        d.seenAt ??= ts;
        if (c.link === null || c.link.dropped) c.link = this.linkFor(d, c, ts);
        return d;
    }

    /** The device at a phone address, or a new anonymous one ("@ip"). */
    private deviceAt(ip: string, ts: number): Device {
        const d = this.byIp.get(ip);
        if (d !== undefined && !d.removed) return d;
        const key = `@${ip}`;
        const n = this.devices.get(key) ?? this.newDevice(key, null, ts);
        n.ip = ip;
        this.byIp.set(ip, n);
        return n;
    }

    private linkFor(d: Device, c: Conn, ts: number): Link {
        let link = d.links.find((l) => l.cm === c.cm);
        if (link === undefined) {
            if (d.links.length >= MAX_LINKS_PER_DEVICE) {
                const i = d.links.findIndex((l) => l !== d.primary && l.conn === null);
                dropLink(d, i >= 0 ? i : d.links.findIndex((l) => l !== d.primary));
            }
            link = {
                cm: c.cm,
                role: "unknown",
                state: "up",
                since: ts,
                lastSeen: ts,
                keepAlives: 0,
                attempts: 0,
                conn: null,
                announced: false,
                dropped: false,
            };
            d.links.push(link);
        }
        if (link.conn !== c) {
            link.conn = c;
            link.attempts++;
        }
        return link;
    }

    private linkEvent(
        d: Device,
        link: Link,
        roleFrom: LinkRole | null,
        from: LinkState | null,
        ts: number,
        reason: string,
    ): void {
        link.announced = true;
        this.emit({
            type: "CallManagerLinkChanged",
            t: ts,
            device: d.key,
            name: d.name,
            ip: d.ip,
            cm: link.cm,
            roleFrom,
            role: link.role,
            from,
            to: link.state,
            reason,
        });
    }

    private setLinkState(d: Device, link: Link, to: LinkState, ts: number, reason: string): void {
        if (link.state === to && link.announced) return;
        if (to === "up") this.armScan();
        const from = link.announced ? link.state : null;
        const roleFrom = link.announced ? link.role : null;
        link.state = to;
        link.since = ts;
        this.linkEvent(d, link, roleFrom, from, ts, reason);
    }

    /** Makes `link` the device's primary link (registration on it, or call traffic). */
    private setPrimary(d: Device, link: Link, ts: number, reason: string): void {
        const old = d.primary;
        if (old === link && link.state === "up" && link.role === "primary") return;
        if (old !== null && old !== link) {
            d.primary = null;
            if (old.state === "up") {
                old.role = "unknown";
                old.state = "down";
                old.since = ts;
                this.linkEvent(d, old, "primary", "up", ts, "superseded");
            }
        }
        const roleFrom = link.announced ? link.role : null;
        const from = link.announced ? link.state : null;
        const why = reason === "register" && link.role === "standby" ? "failover" : reason;
        link.role = "primary";
        link.state = "up";
        link.since = ts;
        link.lastSeen = ts;
        d.primary = link;
        this.fact(d, "homeCm", link.cm);
        this.linkEvent(d, link, roleFrom, from, ts, why);
    }

    private onKeepAlive(c: Conn, ts: number): void {
        const d = this.attach(c, ts);
        const link = c.link!;
        link.keepAlives++;
        link.lastSeen = ts;
        if (link === d.primary) {
            d.lastPhoneRx = ts;
            d.lastSeen = ts;
            if (link.state !== "up") this.setLinkState(d, link, "up", ts, "keepalive");
            return;
        }
        if (link.role === "primary" && !active(d.registration) && d.unregisteredReason === "keepalive-timeout") {
            // Keepalives resumed on the registration's own connection (the capture lost them): still registered.
            this.setPrimary(d, link, ts, "keepalive");
            this.inferRegistered(d, c, ts);
        } else if (d.primary === null && link.cm === d.homeCm && d.registration === "unknown") {
            // Restored knowledge (or an earlier registration) names this CallManager as the phone's home: after a
            // restart its keepalives there are the registration's, so the phone is confirmed registered.
            this.setPrimary(d, link, ts, "keepalive");
            this.inferRegistered(d, c, ts);
        } else if (link.role !== "standby" || link.state !== "up") {
            // A connection carrying only keepalives is a standby link to a backup CallManager.
            const roleFrom = link.announced ? link.role : null;
            const from = link.announced ? link.state : null;
            link.role = "standby";
            link.state = "up";
            link.since = ts;
            this.armScan();
            this.linkEvent(d, link, roleFrom, from, ts, "keepalive");
        }
    }

    private onAlarm(c: Conn, f: SccpFields): void {
        const t = text(f, "text");
        const m = t === null ? null : /Load=(\S+)/.exec(t);
        if (m === null) return;
        const fw = intern(m[1]!);
        if (c.device !== null) this.fact(c.device, "firmware", fw);
        else c.firmware = fw;
    }

    /** A connection that closed without a single message: a refused attempt to reach a CallManager. */
    private refused(conn: TcpConnection, ts: number): void {
        const d = this.deviceAt(conn.client.addr, ts);
        const cm = intern(TcpConnection.format(conn.server));
        let link = d.links.find((l) => l.cm === cm);
        if (link === undefined) {
            if (d.links.length >= MAX_LINKS_PER_DEVICE)
                dropLink(
                    d,
                    d.links.findIndex((l) => l !== d.primary),
                );
            link = {
                cm,
                role: "unknown",
                state: "refused",
                since: ts,
                lastSeen: ts,
                keepAlives: 0,
                attempts: 1,
                conn: null,
                announced: false,
                dropped: false,
            };
            d.links.push(link);
            this.linkEvent(d, link, null, null, ts, "refused");
            return;
        }
        link.attempts++;
        if (link.conn === null && link !== d.primary) this.setLinkState(d, link, "refused", ts, "refused");
    }

    // =====================================================================================================
    // Registration
    // =====================================================================================================

    private onRegister(c: Conn, f: SccpFields, ts: number): void {
        const name = text(f, "deviceName");
        let cur = c.device !== null && !c.device.removed ? c.device : null;
        let byIp = this.byIp.get(c.phoneIp);
        // The address is now used by another device: what was known of the old one there is no longer true
        // (a phone replaced, or addresses reassigned); pushes must not go to the new phone in its name.
        if (name !== null && byIp !== undefined && !byIp.removed && byIp.name !== null && byIp.name !== name) {
            this.removeDevice(byIp, ts, "superseded");
            if (cur === byIp) cur = null;
            byIp = undefined;
        }
        const anon =
            cur !== null && cur.name === null
                ? cur
                : byIp !== undefined && byIp.name === null && !byIp.removed
                  ? byIp
                  : null;
        let d: Device;
        const existing = name === null ? undefined : this.devices.get(name);
        if (existing !== undefined) {
            d = existing;
            if (anon !== null && anon !== existing) this.mergeInto(anon, d, ts);
        } else if (name !== null && anon !== null) {
            this.devices.delete(anon.key);
            anon.key = name;
            anon.name = name;
            anon.mac = macFromName(name);
            this.devices.set(name, anon);
            d = anon;
        } else if (name !== null) {
            d = this.newDevice(name, name, ts, "registration");
        } else {
            d = anon ?? this.attach(c, ts);
        }
        if (c.device !== d) {
            c.device = d;
            c.link = null;
        }
        if (d.ip !== c.phoneIp) {
            if (d.ip !== null && this.byIp.get(d.ip) === d) this.byIp.delete(d.ip);
            d.ip = c.phoneIp;
        }
        this.byIp.set(c.phoneIp, d);
        d.stationIp = text(f, "stationIpAddr");
        d.deviceType = num(f, "deviceType") ?? d.deviceType;
        d.protocolVersion = num(f, "protocolVer") ?? d.protocolVersion;
        d.mac = d.mac ?? macFromField(text(f, "macAddress"));
        const fw = text(f, "firmwareLoadName") ?? c.firmware;
        if (fw !== null) d.firmware = intern(fw);
        d.lastSeen = ts;
        d.lastPhoneRx = ts;
        // A registration is knowledge in itself: it replaces what was restored or inferred.
        d.learnedBy = "registration";
        d.learnedAt = ts;
        d.restored = false;
        d.seenAt ??= ts;
        this.learned(d);
        // A new registration: whatever calls the phone had are gone; the line map is kept until re-learned.
        this.endAllCalls(d, ts);
        d.registration = "registering";
        this.armScan();
        d.unregistering = false;
        d.inferred = false;
        d.uncertain = false;
        d.mode = "unknown";
        c.uncertain = false;
        for (const l of d.lines) if (l) l.uncertain = false;
        const link = this.linkFor(d, c, ts);
        c.link = link;
        this.setPrimary(d, link, ts, "register");
        this.linesChanged(d, ts);
    }

    private mergeInto(anon: Device, d: Device, ts: number): void {
        for (const l of anon.links) {
            if (d.links.some((x) => x.cm === l.cm) || d.links.length >= MAX_LINKS_PER_DEVICE) {
                l.dropped = true;
                continue;
            }
            d.links.push(l);
            if (l.conn !== null) l.conn.device = d;
        }
        anon.links = [];
        anon.primary = null;
        this.removeDevice(anon, ts, null);
    }

    private inferRegistered(d: Device, c: Conn, ts: number): void {
        this.armScan();
        this.markRegistered(c, d, ts, true, ts);
    }

    private onRegisterAck(c: Conn, d: Device, f: SccpFields, ts: number): void {
        this.fact(d, "keepAliveS", num(f, "keepAliveInterval") ?? d.keepAliveS);
        const tpl = text(f, "dateTemplate");
        if (tpl !== null) this.fact(d, "dateTemplate", intern(tpl));
        this.fact(d, "secondaryKeepAliveS", num(f, "secondaryKeepAliveInterval") ?? d.secondaryKeepAliveS);
        this.armScan();
        const maxVer = num(f, "maxProtocolVer");
        this.fact(d, "cmProtocolVersion", maxVer ?? null);
        // CallManager 2.x acknowledges with the 12-byte form and never sends CallState.
        if (d.mode === "unknown") this.fact(d, "mode", maxVer === undefined ? "derived" : "callstate");
        if (d.registration === "registered" && !d.inferred) return;
        this.markRegistered(c, d, ts, false, Math.max(d.lastPhoneRx, ts));
    }

    /** The device counts as registered (seen: RegisterAck; inferred: call traffic); tells the listeners. */
    private markRegistered(c: Conn, d: Device, ts: number, inferred: boolean, lastPhoneRx: number): void {
        d.registration = "registered";
        d.inferred = inferred;
        d.registeredAt = ts;
        d.unregisteredReason = null;
        d.lastPhoneRx = lastPhoneRx;
        this.emit({
            type: "DeviceRegistered",
            t: ts,
            device: d.key,
            name: d.name,
            ip: d.ip,
            model: modelOf(d.deviceType).model,
            deviceType: d.deviceType,
            cm: c.cm,
            inferred,
        });
        this.linesChanged(d, ts);
    }

    private unregister(d: Device, reason: UnregisterReason, ts: number): void {
        const was = d.registration;
        d.registration = reason === "rejected" ? "rejected" : "unregistered";
        d.unregisteredReason = reason;
        d.unregistering = false;
        d.inferred = false;
        this.endAllCalls(d, ts);
        if (active(was)) {
            this.emit({ type: "DeviceUnregistered", t: ts, device: d.key, name: d.name, ip: d.ip, reason });
        }
        const p = d.primary;
        if (p !== null) {
            d.primary = null;
            if (p.state === "up") this.setLinkState(d, p, "down", ts, reason);
        }
        this.linesChanged(d, ts);
    }

    private removeDevice(d: Device, ts: number, reason: UnregisterReason | null): void {
        if (reason !== null && active(d.registration)) {
            this.emit({ type: "DeviceUnregistered", t: ts, device: d.key, name: d.name, ip: d.ip, reason });
        }
        d.registration = "unregistered";
        this.endAllCalls(d, ts);
        for (const l of d.lines) if (l) this.setLineDn(l, null, null, ts);
        d.removed = true;
        this.learned();
        this.devices.delete(d.key);
        if (d.ip !== null && this.byIp.get(d.ip) === d) this.byIp.delete(d.ip);
        for (const link of d.links) if (link.conn !== null) link.conn.device = null;
    }

    private evictDevices(ts: number): void {
        const all = [...this.devices.values()].sort(
            (a, b) => Number(active(a.registration)) - Number(active(b.registration)) || a.lastSeen - b.lastSeen,
        );
        const n = Math.max(1, all.length >> 4);
        for (let i = 0; i < n; i++) {
            this.removeDevice(all[i]!, ts, "evicted");
            this.counters.devicesEvicted++;
        }
    }

    // =====================================================================================================
    // Messages
    // =====================================================================================================

    private fromPhone(d: Device, id: number, f: SccpFields, ts: number): void {
        switch (id) {
            case SCCP_ID.UnregisterReq:
                d.unregistering = true;
                return;
            case SCCP_ID.OffHook:
            case SCCP_ID.OffHookWithCallingPartyNumber:
                if (d.mode !== "callstate") this.derivedOffHook(d, num(f, "lineInstance") ?? 0, ts);
                return;
            case SCCP_ID.OnHook:
                if (d.mode !== "callstate")
                    this.derivedOnHook(d, num(f, "lineInstance") ?? 0, num(f, "callReference") ?? 0, ts);
                return;
            case SCCP_ID.KeypadButton: {
                const k = num(f, "kpButton");
                const call = this.target(d, num(f, "lineInstance"), num(f, "callReference"));
                if (call === null || k === undefined || k > 0x10) return;
                const ch = k <= 9 ? String(k) : k <= 0x0d ? "ABCD"[k - 10]! : k === 0x0e ? "*" : k === 0x0f ? "#" : "+";
                const dialed = (call.dialed ?? "") + ch;
                call.dialed = dialed.length > MAX_DIGITS ? dialed.slice(-MAX_DIGITS) : dialed;
                return;
            }
            case SCCP_ID.EnblocCall: {
                const call = this.target(d, num(f, "lineInstance"), undefined);
                const n = text(f, "calledParty");
                if (call !== null && n !== null) call.dialed = n;
                return;
            }
            case SCCP_ID.SoftKeyEvent:
                this.onSoftKey(d, f, ts);
                return;
            case SCCP_ID.Stimulus:
                this.onStimulus(d, f, ts);
                return;
        }
    }

    private fromCm(c: Conn, d: Device, id: number, f: SccpFields, ts: number): void {
        switch (id) {
            case SCCP_ID.RegisterAck:
                this.onRegisterAck(c, d, f, ts);
                return;
            case SCCP_ID.RegisterReject:
                this.unregister(d, "rejected", ts);
                return;
            case SCCP_ID.UnregisterAck:
                if ((num(f, "status") ?? 0) === 0) this.unregister(d, "unregister", ts);
                return;
            case SCCP_ID.Reset: {
                const type = num(f, "resetType") ?? 1;
                if (type === 1 || type === 2) this.unregister(d, "reset", ts);
                return;
            }
            case SCCP_ID.ConfigStatRes:
            case SCCP_ID.ConfigStatV2Res:
                this.fact(d, "userName", text(f, "userName") ?? d.userName);
                this.fact(d, "serverName", text(f, "serverName") ?? d.serverName);
                return;
            case SCCP_ID.TimeDateRes:
                this.onTimeDate(d, f, ts);
                return;
            case SCCP_ID.ButtonTemplateRes:
                this.onButtons(d, f, ts);
                return;
            case SCCP_ID.LineStatRes:
            case SCCP_ID.LineStatV2Res:
                this.onLineStat(d, f, ts);
                return;
            case SCCP_ID.ForwardStatRes:
                this.onForward(d, f, ts);
                return;
            case SCCP_ID.SoftKeyTemplateRes: {
                this.fact(d, "template", mergeTemplate(d.template, f));
                const cm = this.cmSoftKeysFor(c.cm);
                if (cm.template !== d.template) {
                    cm.template = d.template;
                    cm.learnedAt = ts;
                    this.learned();
                }
                return;
            }
            case SCCP_ID.SoftKeySetRes: {
                this.fact(d, "sets", mergeSets(d.sets, f));
                const cm = this.cmSoftKeysFor(c.cm);
                if (cm.sets !== d.sets) {
                    cm.sets = d.sets;
                    cm.learnedAt = ts;
                    this.learned();
                }
                return;
            }
            case SCCP_ID.SelectSoftKeys:
                this.onSelectSoftKeys(d, f, ts);
                return;
            case SCCP_ID.CallState:
                this.onCallState(d, f, ts);
                return;
            case SCCP_ID.CallInfo:
            case SCCP_ID.CallInfoV2:
                this.onCallInfo(d, f, ts);
                return;
            case SCCP_ID.DialedNumber: {
                const call = this.target(d, num(f, "lineInstance"), num(f, "callReference"));
                const n = text(f, "dialedNumber");
                if (call !== null && n !== null) call.dialed = n;
                return;
            }
            case SCCP_ID.StartTone:
                this.onStartTone(d, f, ts);
                return;
            case SCCP_ID.StopTone: {
                if (num(f, "lineInstance") === undefined) this.oldForm(d);
                const call = this.target(d, num(f, "lineInstance"), num(f, "callReference"));
                if (call !== null) call.tone = null;
                return;
            }
            case SCCP_ID.SetRinger:
                this.onRinger(d, f, ts);
                return;
            case SCCP_ID.SetLamp:
                this.onLamp(d, f, ts);
                return;
            case SCCP_ID.DisplayPromptStatus:
            case SCCP_ID.DisplayPromptStatusV2: {
                const codes = f.promptStatusCodes;
                if (typeof codes !== "string" || !codes.includes(`\u0080${String.fromCharCode(LABEL_BUSY)}`)) return;
                const ref = num(f, "callReference") ?? 0;
                const call = ref === 0 ? null : this.findCall(d, num(f, "lineInstance") ?? 0, ref);
                if (call !== null) call.busySeen = true;
                return;
            }
            case SCCP_ID.StartMediaTransmission:
            case SCCP_ID.StartMediaReception:
            case SCCP_ID.OpenReceiveChannel:
                // Old CallManagers: media starting is how an answered call shows.
                if (d.mode !== "callstate") {
                    const call = this.activeCall(d);
                    if (
                        call !== null &&
                        (call.state === null || call.state === STATE_OFFHOOK || call.state === STATE_RINGOUT)
                    ) {
                        this.setState(call, STATE_CONNECTED, "derived", ts);
                    }
                }
                return;
        }
    }

    private cmSoftKeysFor(cm: string): CmSoftKeys {
        let e = this.cmSoftKeys.get(cm);
        if (e === undefined) {
            if (this.cmSoftKeys.size >= MAX_CM_TEMPLATES)
                this.cmSoftKeys.delete(this.cmSoftKeys.keys().next().value as string);
            e = { template: null, sets: null, learnedAt: 0 };
            this.cmSoftKeys.set(cm, e);
        }
        return e;
    }

    /**
     * The phone's clock. Set at every registration (and by some CallManagers now and then): only a new UTC
     * offset, date template or a clock that moved by more than a minute counts as learned.
     */
    private onTimeDate(d: Device, f: SccpFields, ts: number): void {
        const clock = clockFromTimeDate(f, ts);
        if (clock === null) return;
        const old = d.clock;
        d.clock = clock;
        if (
            old === null ||
            old.utcOffsetS !== clock.utcOffsetS ||
            Math.abs(clock.localMs - clock.setAt * 1000 - (old.localMs - old.setAt * 1000)) > CLOCK_MOVED_MS
        ) {
            this.learned(d);
        }
    }

    private softKeysOf(d: Device): {
        template: SoftKeyTemplate | null;
        sets: SoftKeySets | null;
        source: "device" | "cm" | null;
    } {
        if (d.template !== null) return { template: d.template, sets: d.sets, source: "device" };
        const cm = d.primary?.cm ?? d.links[0]?.cm;
        const e = cm === undefined ? undefined : this.cmSoftKeys.get(cm);
        if (e === undefined || e.template === null) return { template: null, sets: null, source: null };
        return { template: e.template, sets: e.sets, source: "cm" };
    }

    /** Marks a device as speaking the old protocol forms (no call references) when not known yet. */
    private oldForm(d: Device): void {
        if (d.mode === "unknown") this.fact(d, "mode", "derived");
    }

    // --- lines ---

    private line(d: Device, instance: number, uncertainIfNew: boolean): Line | null {
        if (instance <= 0 || instance > MAX_LINE_INSTANCE) return null;
        let l = d.lines[instance];
        if (l === undefined) {
            l = {
                device: d,
                instance,
                dn: null,
                dnSource: null,
                displayName: null,
                label: null,
                forwarding: null,
                learnedAt: null,
                calls: [],
                uncertain: uncertainIfNew && d.uncertain,
                state: "unknown",
            };
            d.lines[instance] = l;
            this.learned(d);
            l.state = this.lineState(l);
        }
        return l;
    }

    private onButtons(d: Device, f: SccpFields, ts: number): void {
        const defs = f.definition;
        if (!Array.isArray(defs)) return;
        const seen = new Set<number>();
        for (const e of defs) {
            if (typeof e !== "object" || e === null) continue;
            const rec = e as SccpFields;
            if (num(rec, "buttonDefinition") === BUTTON_LINE) {
                const inst = num(rec, "instanceNumber") ?? 0;
                if (this.line(d, inst, false) !== null) seen.add(inst);
            }
        }
        // A complete template replaces the line set.
        if ((num(f, "buttonOffset") ?? 0) === 0 && num(f, "buttonCount") === num(f, "totalButtonCount")) {
            for (const l of d.lines) if (l && !seen.has(l.instance)) this.removeLine(l, ts);
        }
    }

    private removeLine(l: Line, ts: number): void {
        this.setLineDn(l, null, null, ts);
        for (const c of [...l.calls]) this.endCall(c, ts);
        l.device.lines[l.instance] = undefined;
        this.learned(l.device);
    }

    private onLineStat(d: Device, f: SccpFields, ts: number): void {
        const l = this.line(d, num(f, "lineNumber") ?? 0, false);
        if (l === null) return;
        const displayName = text(f, "lineFullyQualifiedDisplayName");
        const label = text(f, "lineTextLabel");
        if (l.displayName !== displayName || l.label !== label) {
            l.displayName = displayName;
            l.label = label;
            this.learned(l.device);
        }
        if (!l.calls.some((c) => c.uncertain)) l.uncertain = false;
        this.recoverDevice(d);
        this.setLineDn(l, text(f, "lineDirNumber"), "linestat", ts);
        this.lineChanged(l, ts);
    }

    private setLineDn(l: Line, dn: string | null, source: "linestat" | "callinfo" | null, ts: number): void {
        const dnSource = dn === null ? null : source;
        if (l.dnSource !== dnSource) {
            l.dnSource = dnSource;
            this.learned(l.device);
        }
        if (l.dn === dn) return;
        this.learned(l.device);
        l.learnedAt = dn === null ? null : ts;
        const old = l.dn;
        this.unlistDn(l);
        l.dn = dn;
        this.listDn(l);
        if (old !== null) this.touchDn(old, ts);
        if (dn !== null) this.touchDn(dn, ts);
    }

    /** Adds a line to the directory under its number. */
    private listDn(l: Line): void {
        if (l.dn === null) return;
        const list = this.directory.get(l.dn);
        if (list === undefined) this.directory.set(l.dn, [l]);
        else list.push(l);
    }

    /** Removes a line from the directory. */
    private unlistDn(l: Line): void {
        if (l.dn === null) return;
        const list = this.directory.get(l.dn);
        if (list === undefined) return;
        const i = list.indexOf(l);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.directory.delete(l.dn);
    }

    private onForward(d: Device, f: SccpFields, ts: number): void {
        const l = this.line(d, num(f, "lineNumber") ?? 0, false);
        if (l === null) return;
        const pick = (flag: string, n: string): string | null => ((num(f, flag) ?? 0) !== 0 ? text(f, n) : null);
        const to: ForwardingView = {
            all: pick("forwardAllActive", "forwardAllNumber"),
            busy: pick("forwardBusyActive", "forwardBusyNumber"),
            noAnswer: pick("forwardNoAnswerActive", "forwardNoAnswerNumber"),
        };
        const from = l.forwarding;
        if (sameForwarding(from, to)) return;
        l.forwarding = to;
        this.learned(l.device);
        if (from === null && to.all === null && to.busy === null && to.noAnswer === null) return;
        this.emit({
            type: "ForwardingChanged",
            t: ts,
            device: d.key,
            name: d.name,
            line: l.instance,
            dn: l.dn,
            from,
            to,
        });
    }

    // --- softkeys and stimuli ---

    private onSelectSoftKeys(d: Device, f: SccpFields, ts: number): void {
        const li = num(f, "lineInstance") ?? 0;
        const ref = num(f, "callReference") ?? 0;
        const set = num(f, "softKeySetIndex") ?? null;
        if (ref === 0) {
            d.idleSoftKeySet = set;
            // The idle screen: no call is up on the phone, so calls we were unsure about are gone.
            if (li === 0 && set === SET_ON_HOOK) this.idleScreen(d, ts);
            return;
        }
        const call = this.findCall(d, li, ref);
        if (call !== null) call.softKeySet = set;
    }

    private idleScreen(d: Device, ts: number): void {
        for (const l of d.lines) {
            if (!l) continue;
            for (const c of [...l.calls]) if (c.uncertain) this.endCall(c, ts);
            if (l.uncertain) {
                l.uncertain = false;
                this.lineChanged(l, ts);
            }
        }
        this.recoverDevice(d);
    }

    private onSoftKey(d: Device, f: SccpFields, ts: number): void {
        const event = num(f, "softKeyEvent") ?? 0;
        const li = num(f, "lineInstance") ?? 0;
        const ref = num(f, "callReference") ?? 0;
        const { template } = this.softKeysOf(d);
        const slot = template === null ? -1 : slotOfEvent(template, event);
        const code = slot < 0 ? null : template!.codes[slot]!;
        const label = slot < 0 ? null : template!.labels[slot]!;
        const call = ref === 0 ? null : this.findCall(d, li, ref);
        if (code === LABEL_CALLBACK) {
            this.callBack(d, li, ref, call, "softkey", ts);
            return;
        }
        this.emit({
            type: "SoftKeyPressed",
            t: ts,
            device: d.key,
            name: d.name,
            line: li === 0 ? (call?.line.instance ?? null) : li,
            callRef: ref,
            event,
            label,
            labelCode: code,
            source: "softkey",
            callState: call?.state ?? null,
        });
    }

    private onStimulus(d: Device, f: SccpFields, ts: number): void {
        const stim = num(f, "stimulus") ?? 0;
        const li = num(f, "lineInstance") ?? 0;
        const ref = num(f, "callReference");
        if (ref === undefined) this.oldForm(d);
        const call =
            ref === undefined || ref === 0
                ? stim === STIMULUS_LINE
                    ? null
                    : this.activeCall(d)
                : this.findCall(d, li, ref);
        if (stim === STIMULUS_CALLBACK) {
            this.callBack(d, li, call?.callRef ?? ref ?? 0, call, "stimulus", ts);
            return;
        }
        this.emit({
            type: "SoftKeyPressed",
            t: ts,
            device: d.key,
            name: d.name,
            line: li === 0 ? null : li,
            callRef: ref ?? call?.callRef ?? 0,
            event: stim,
            label: STIMULI[stim] ?? null,
            labelCode: null,
            source: "stimulus",
            callState: call?.state ?? null,
        });
    }

    private callBack(
        d: Device,
        li: number,
        ref: number,
        call: Call | null,
        source: "softkey" | "stimulus",
        ts: number,
    ): void {
        const line = call?.line ?? (li > 0 ? (d.lines[li] ?? null) : null);
        let callerDn = line?.dn ?? null;
        if (callerDn === null)
            for (const l of d.lines)
                if (l?.dn) {
                    callerDn = l.dn;
                    break;
                }
        let calledDn: string | null = null;
        if (call !== null && call.direction !== "inbound")
            calledDn = call.originalCalledParty ?? call.calledParty ?? call.dialed;
        const tone = call?.tone ?? null;
        this.emit({
            type: "CallBackPressed",
            t: ts,
            device: d.key,
            name: d.name,
            ip: d.ip,
            line: line?.instance ?? (li > 0 ? li : null),
            callerDn,
            callRef: ref,
            callState: call?.state ?? null,
            callStateName: call === null ? null : stateName(call.state),
            calledDn,
            partyDn: call === null ? null : call.direction === "inbound" ? call.callingParty : calledDn,
            tone,
            toneName: tone === null ? null : (TONES[tone] ?? null),
            trigger: call === null ? null : this.trigger(call),
            source,
            softKeySet: call !== null ? call.softKeySet : ref === 0 ? d.idleSoftKeySet : null,
        });
    }

    private trigger(c: Call): CallBackTrigger | null {
        const t = c.tone;
        if (t === TONE_BUSY || c.state === STATE_BUSY) return "busy";
        if (t === TONE_RINGBACK || c.state === STATE_RINGOUT) return "ringback";
        if (t === TONE_REORDER || c.state === STATE_CONGESTION) return "reorder";
        if (c.busySeen) return "busy";
        if (c.lastProgressTone === TONE_RINGBACK) return "ringback";
        if (c.lastProgressTone === TONE_REORDER) return "reorder";
        return null;
    }

    // --- calls ---

    private findCall(d: Device, li: number, ref: number): Call | null {
        if (li > 0) {
            const l = d.lines[li];
            if (l !== undefined) for (const c of l.calls) if (c.callRef === ref) return c;
            if (ref === 0) return null;
        }
        for (const l of d.lines) if (l) for (const c of l.calls) if (c.callRef === ref) return c;
        return null;
    }

    /** The call a message without (line, callRef) is about: the most recent one not on hold, else any. */
    private activeCall(d: Device): Call | null {
        let best: Call | null = null;
        for (const l of d.lines) {
            if (!l) continue;
            for (const c of l.calls) {
                if (best === null) best = c;
                else {
                    const bh = best.state === STATE_HOLD;
                    const ch = c.state === STATE_HOLD;
                    if ((bh && !ch) || (bh === ch && c.stateSince >= best.stateSince)) best = c;
                }
            }
        }
        return best;
    }

    /** The call of a message's (line, callRef), or the active call for old forms. */
    private target(d: Device, li: number | undefined, ref: number | undefined): Call | null {
        if (li === undefined || ref === undefined || ref === 0) {
            if (li !== undefined && li > 0) {
                const l = d.lines[li];
                const c = l?.calls[l.calls.length - 1];
                if (c !== undefined) return c;
            }
            return this.activeCall(d);
        }
        return this.findCall(d, li, ref);
    }

    private newCall(l: Line, ref: number, state: number | null, source: "callstate" | "derived", ts: number): Call {
        if (this.callCount >= this.maxCalls) this.evictCalls(ts);
        if (l.calls.length >= MAX_CALLS_PER_LINE) {
            this.endCall(l.calls[0]!, ts);
            this.counters.callsEvicted++;
        }
        const c: Call = {
            line: l,
            callRef: ref,
            state,
            source,
            direction: state === STATE_RINGIN ? "inbound" : state === STATE_OFFHOOK ? "outbound" : "unknown",
            callingParty: null,
            callingPartyName: null,
            calledParty: null,
            calledPartyName: null,
            originalCalledParty: null,
            lastRedirectingParty: null,
            dialed: null,
            tone: null,
            lastProgressTone: null,
            busySeen: state === STATE_BUSY,
            softKeySet: null,
            startedAt: ts,
            stateSince: ts,
            connectedAt: state === STATE_CONNECTED ? ts : null,
            uncertain: state === null,
            peer: null,
            legKeys: null,
        };
        l.calls.push(c);
        this.callCount++;
        const p = l.device.pendingInfo;
        if (p !== null) {
            l.device.pendingInfo = null;
            if (source === "derived" && ts - p.ts <= PENDING_INFO_S) this.applyCallInfo(c, p.f, ts);
        }
        return c;
    }

    private evictCalls(ts: number): void {
        const all: Call[] = [];
        for (const d of this.devices.values()) for (const l of d.lines) if (l) for (const c of l.calls) all.push(c);
        all.sort((a, b) => a.stateSince - b.stateSince);
        const n = Math.max(1, all.length >> 4);
        for (let i = 0; i < n; i++) {
            this.endCall(all[i]!, ts);
            this.counters.callsEvicted++;
        }
    }

    private setState(c: Call, state: number, source: "callstate" | "derived", ts: number): void {
        const changed = c.state !== state || c.uncertain;
        c.state = state;
        c.source = source;
        c.uncertain = false;
        if (changed) c.stateSince = ts;
        if (state === STATE_CONNECTED && c.connectedAt === null) c.connectedAt = ts;
        if (state === STATE_BUSY) c.busySeen = true;
        if (c.direction === "unknown") {
            if (state === STATE_RINGIN) c.direction = "inbound";
            else if (state === STATE_OFFHOOK) c.direction = "outbound";
        }
        this.lineChanged(c.line, ts);
    }

    private endCall(c: Call, ts: number): void {
        const l = c.line;
        const i = l.calls.indexOf(c);
        if (i < 0) return;
        l.calls.splice(i, 1);
        this.callCount--;
        this.counters.callsEnded++;
        this.unindexLeg(c);
        if (this.recentCap > 0) {
            const v = this.callView(c);
            v.endedAt = ts;
            this.recent.push(v);
            if (this.recent.length > this.recentCap) this.recent.shift();
        }
        if (c.peer !== null) {
            c.peer.peer = null;
            c.peer = null;
        }
        this.lineChanged(l, ts);
    }

    private endAllCalls(d: Device, ts: number): void {
        for (const l of d.lines) if (l) for (const c of [...l.calls]) this.endCall(c, ts);
    }

    private onCallState(d: Device, f: SccpFields, ts: number): void {
        const state = num(f, "callState") ?? 0;
        const li = num(f, "lineInstance") ?? 0;
        const ref = num(f, "callReference") ?? 0;
        if (d.mode !== "callstate") {
            // The CallManager does send CallState: drop what was derived from hook and lamps.
            this.fact(d, "mode", "callstate");
            for (const l of d.lines)
                if (l) for (const c of [...l.calls]) if (c.source === "derived") this.endCall(c, ts);
        }
        const l = this.line(d, li, true);
        if (l === null) return;
        let call: Call | null = null;
        for (const c of l.calls) if (c.callRef === ref) call = c;
        if (state === STATE_ONHOOK || state === 0) {
            if (call !== null) this.endCall(call, ts);
            this.recoverLine(l, ts);
            return;
        }
        if (call === null) call = this.newCall(l, ref, state, "callstate", ts);
        this.setState(call, state, "callstate", ts);
        this.recoverLine(l, ts);
    }

    /** A line is certain again once none of its calls is uncertain. */
    private recoverLine(l: Line, ts: number): void {
        if (!l.uncertain || l.calls.some((c) => c.uncertain)) return;
        l.uncertain = false;
        this.recoverDevice(l.device);
        this.lineChanged(l, ts);
    }

    private recoverDevice(d: Device): void {
        if (!d.uncertain) return;
        for (const l of d.lines) if (l?.uncertain) return;
        d.uncertain = false;
    }

    private onCallInfo(d: Device, f: SccpFields, ts: number): void {
        const li = num(f, "lineInstance");
        const ref = num(f, "callReference");
        let call: Call | null;
        if (li === undefined || ref === undefined) {
            this.oldForm(d);
            call = this.activeCall(d);
            if (call === null) {
                // Kept for the call the ringer, lamp or hook is about to start.
                d.pendingInfo = { f, ts };
                return;
            }
        } else {
            const l = this.line(d, li, true);
            if (l === null) return;
            call = null;
            for (const c of l.calls) if (c.callRef === ref) call = c;
            if (call === null) {
                call = this.newCall(l, ref, null, d.mode === "callstate" ? "callstate" : "derived", ts);
                this.lineChanged(l, ts);
            }
        }
        this.applyCallInfo(call, f, ts);
    }

    private applyCallInfo(call: Call, f: SccpFields, ts: number): void {
        call.callingParty = text(f, "callingParty");
        call.callingPartyName = text(f, "callingPartyName");
        call.calledParty = text(f, "calledParty");
        call.calledPartyName = text(f, "calledPartyName");
        call.originalCalledParty = text(f, "originalCalledParty") ?? call.originalCalledParty;
        call.lastRedirectingParty = text(f, "lastRedirectingParty") ?? call.lastRedirectingParty;
        const type = num(f, "callType");
        if (type === 1) call.direction = "inbound";
        else if (type === 2) call.direction = "outbound";
        else if (type === 3) call.direction = "forwarded";
        const l = call.line;
        if (l.dn === null) {
            const own = type === 2 ? call.callingParty : type === 1 || type === 3 ? call.calledParty : null;
            if (own !== null) this.setLineDn(l, own, "callinfo", ts);
        }
        this.matchLeg(call, ts);
    }

    private onStartTone(d: Device, f: SccpFields, ts: number): void {
        const tone = num(f, "tone") ?? 0;
        const li = num(f, "lineInstance");
        if (li === undefined) this.oldForm(d);
        let call = this.target(d, li, num(f, "callReference"));
        if (call === null && d.mode !== "callstate" && tone === TONE_DIAL) {
            const l = this.line(d, li !== undefined && li > 0 ? li : 1, true);
            if (l !== null) call = this.newCall(l, num(f, "callReference") ?? 0, STATE_OFFHOOK, "derived", ts);
            if (call !== null) this.lineChanged(call.line, ts);
        }
        if (call === null) return;
        call.tone = tone;
        if (tone === TONE_BUSY || tone === TONE_RINGBACK || tone === TONE_REORDER) call.lastProgressTone = tone;
        if (tone === TONE_BUSY) call.busySeen = true;
        if (d.mode === "callstate") return;
        const pre =
            call.state === null ||
            call.state === STATE_OFFHOOK ||
            call.state === STATE_RINGOUT ||
            call.state === STATE_PROCEED;
        if (!pre) return;
        if (tone === TONE_RINGBACK) this.setState(call, STATE_RINGOUT, "derived", ts);
        else if (tone === TONE_BUSY) this.setState(call, STATE_BUSY, "derived", ts);
        else if (tone === TONE_REORDER) this.setState(call, STATE_CONGESTION, "derived", ts);
    }

    private onRinger(d: Device, f: SccpFields, ts: number): void {
        const li = num(f, "lineInstance");
        if (li === undefined) this.oldForm(d);
        if (d.mode === "callstate") return;
        const mode = num(f, "ringMode") ?? 1;
        if (mode <= 1) return;
        const l = this.line(d, li !== undefined && li > 0 ? li : 1, true);
        if (l === null) return;
        const last = l.calls[l.calls.length - 1];
        // A call known only from its CallInfo is the one ringing in.
        if (last !== undefined) {
            if (last.state === null) this.setState(last, STATE_RINGIN, "derived", ts);
            return;
        }
        const call = this.newCall(l, num(f, "callReference") ?? 0, STATE_RINGIN, "derived", ts);
        this.lineChanged(call.line, ts);
    }

    private onLamp(d: Device, f: SccpFields, ts: number): void {
        if (d.mode === "callstate" || num(f, "stimulus") !== STIMULUS_LINE) return;
        const l = this.line(d, num(f, "stimulusInstance") ?? 0, true);
        if (l === null) return;
        const mode = num(f, "lampMode") ?? 0;
        // On an old CallManager the line lamp is the authoritative line state.
        const wasUncertain = l.uncertain;
        l.uncertain = false;
        const call = l.calls[l.calls.length - 1] ?? null;
        if (mode === LAMP_OFF) {
            for (const c of [...l.calls]) this.endCall(c, ts);
        } else if (mode === LAMP_ON) {
            if (call === null) this.newCall(l, 0, STATE_OFFHOOK, "derived", ts);
            else if (call.state === null || call.state === STATE_RINGIN || call.state === STATE_HOLD) {
                this.setState(call, STATE_CONNECTED, "derived", ts);
            } else call.uncertain = false;
        } else if (mode === LAMP_WINK || mode === LAMP_FLASH) {
            if (call === null) this.newCall(l, 0, STATE_HOLD, "derived", ts);
            else this.setState(call, STATE_HOLD, "derived", ts);
        } else if (mode === LAMP_BLINK) {
            if (call === null) this.newCall(l, 0, STATE_RINGIN, "derived", ts);
            else if (call.state === null) this.setState(call, STATE_RINGIN, "derived", ts);
            else call.uncertain = false;
        }
        if (wasUncertain) this.recoverDevice(d);
        this.lineChanged(l, ts);
    }

    private derivedOffHook(d: Device, li: number, ts: number): void {
        let ringing: Call | null = null;
        for (const l of d.lines)
            if (l && (li === 0 || l.instance === li))
                for (const c of l.calls) if (c.state === STATE_RINGIN) ringing = c;
        if (ringing !== null) {
            this.setState(ringing, STATE_CONNECTED, "derived", ts);
            return;
        }
        const l = this.line(d, li > 0 ? li : 1, true);
        if (l === null || l.calls.some((c) => c.state !== STATE_HOLD)) return;
        this.newCall(l, 0, STATE_OFFHOOK, "derived", ts);
        this.lineChanged(l, ts);
    }

    private derivedOnHook(d: Device, li: number, ref: number, ts: number): void {
        let call: Call | null = ref !== 0 ? this.findCall(d, li, ref) : null;
        if (call === null) {
            call = this.activeCall(d);
            if (call !== null && call.state === STATE_HOLD) call = null;
        }
        if (call !== null) this.endCall(call, ts);
    }

    // --- leg matching ---

    private legKeysOf(c: Call): string[] {
        const from = c.callingParty;
        if (from === null) return [];
        const keys: string[] = [];
        if (c.calledParty !== null) keys.push(`${from}|${c.calledParty}`);
        if (c.originalCalledParty !== null && c.originalCalledParty !== c.calledParty)
            keys.push(`${from}|${c.originalCalledParty}`);
        return keys;
    }

    private matchLeg(c: Call, ts: number): void {
        if (c.peer !== null) return;
        const keys = this.legKeysOf(c);
        for (const key of keys) {
            const list = this.legs.get(key);
            if (list === undefined) continue;
            for (const o of list) {
                if (o === c || o.line.device === c.line.device || o.peer !== null) continue;
                if (Math.abs(o.startedAt - c.startedAt) > this.legWindow) continue;
                if (o.direction === c.direction && o.direction !== "unknown") continue;
                this.unindexLeg(o);
                this.unindexLeg(c);
                o.peer = c;
                c.peer = o;
                return;
            }
        }
        if (c.legKeys !== null) this.unindexLeg(c);
        if (keys.length === 0 || ts - c.startedAt > this.legWindow) return;
        for (const key of keys) {
            const list = this.legs.get(key);
            if (list === undefined) this.legs.set(key, [c]);
            else if (list.length < MAX_CALLS_PER_LINE) list.push(c);
        }
        c.legKeys = keys;
    }

    private unindexLeg(c: Call): void {
        if (c.legKeys === null) return;
        for (const key of c.legKeys) {
            const list = this.legs.get(key);
            if (list === undefined) continue;
            const i = list.indexOf(c);
            if (i >= 0) list.splice(i, 1);
            if (list.length === 0) this.legs.delete(key);
        }
        c.legKeys = null;
    }

    // --- uncertainty ---

    private markUncertain(d: Device, ts: number): void {
        d.uncertain = true;
        for (const l of d.lines) {
            if (!l) continue;
            l.uncertain = true;
            for (const c of l.calls) c.uncertain = true;
            this.lineChanged(l, ts);
        }
    }

    // --- states and events ---

    private lineState(l: Line): DnState {
        if (l.device.registration !== "registered") return "unknown";
        let ringing = false;
        let unknown = l.uncertain;
        for (const c of l.calls) {
            if (c.uncertain || c.state === null) {
                unknown = true;
                continue;
            }
            const cls = c.state < STATE_CLASS.length ? STATE_CLASS[c.state]! : 2;
            if (cls === 2) return "busy";
            if (cls === 1) ringing = true;
        }
        return ringing ? "ringing" : unknown ? "unknown" : "idle";
    }

    private lineChanged(l: Line, ts: number): void {
        const s = this.lineState(l);
        if (s === l.state) return;
        l.state = s;
        if (l.dn !== null) this.touchDn(l.dn, ts);
    }

    private linesChanged(d: Device, ts: number): void {
        for (const l of d.lines) if (l) this.lineChanged(l, ts);
    }

    private computeDn(dn: string): { state: DnState; uncertain: boolean; source: "sccp" | "cti" | null } {
        const lines = this.directory.get(dn);
        let seen = false;
        let ringing = false;
        let unknown = false;
        let uncertain = false;
        if (lines !== undefined) {
            for (const l of lines) {
                if (l.device.registration !== "registered") continue;
                seen = true;
                if (l.uncertain || l.calls.some((c) => c.uncertain)) uncertain = true;
                if (l.state === "busy") return { state: "busy", uncertain, source: "sccp" };
                if (l.state === "ringing") ringing = true;
                else if (l.state === "unknown") unknown = true;
            }
        }
        if (seen) return { state: ringing ? "ringing" : unknown ? "unknown" : "idle", uncertain, source: "sccp" };
        const cti = this.cti.dnState(dn);
        if (cti !== null && cti.state !== "unknown") return { state: cti.state, uncertain: false, source: "cti" };
        return { state: "unknown", uncertain: false, source: null };
    }

    private touchDn(dn: string, ts: number): void {
        const { state, uncertain } = this.computeDn(dn);
        const prev = this.dnStates.get(dn) ?? "unknown";
        if (state === prev) return;
        if (state === "unknown") this.dnStates.delete(dn);
        else this.dnStates.set(dn, state);
        this.emit({ type: "LineStateChanged", t: ts, dn, from: prev, to: state, uncertain });
    }

    private emit(e: ClusterEvent): void {
        this.counters.events++;
        this.emitFn?.(e);
    }

    // --- views ---

    private callView(c: Call): CallView {
        const p = c.peer;
        return {
            device: c.line.device.key,
            line: c.line.instance,
            callRef: c.callRef,
            state: c.state,
            stateName: stateName(c.state),
            source: c.source,
            direction: c.direction,
            callingParty: c.callingParty,
            callingPartyName: c.callingPartyName,
            calledParty: c.calledParty,
            calledPartyName: c.calledPartyName,
            originalCalledParty: c.originalCalledParty,
            lastRedirectingParty: c.lastRedirectingParty,
            dialed: c.dialed,
            tone: c.tone,
            lastProgressTone: c.lastProgressTone,
            busySeen: c.busySeen,
            softKeySet: c.softKeySet,
            startedAt: c.startedAt,
            stateSince: c.stateSince,
            connectedAt: c.connectedAt,
            endedAt: null,
            uncertain: c.uncertain,
            peer: p === null ? null : { device: p.line.device.key, line: p.line.instance, callRef: p.callRef },
        };
    }

    private lineView(l: Line): LineView {
        return {
            instance: l.instance,
            dn: l.dn,
            dnSource: l.dnSource,
            displayName: l.displayName,
            label: l.label,
            state: l.state,
            uncertain: l.uncertain,
            forwarding: l.forwarding === null ? null : { ...l.forwarding },
            calls: l.calls.map((c) => this.callView(c)),
        };
    }

    private deviceView(d: Device): DeviceView {
        const { model, softkey } = modelOf(d.deviceType);
        const sk = this.softKeysOf(d);
        const t = sk.template;
        const links: LinkView[] = d.links.map((l) => ({
            cm: l.cm,
            role: l.role,
            state: l.state,
            since: l.since,
            lastSeen: l.lastSeen,
            keepAlives: l.keepAlives,
            attempts: l.attempts,
        }));
        return {
            key: d.key,
            name: d.name,
            mac: d.mac,
            ip: d.ip,
            stationIp: d.stationIp,
            deviceType: d.deviceType,
            model,
            supportsCallBackSoftkey: softkey,
            firmware: d.firmware,
            protocolVersion: d.protocolVersion,
            cmProtocolVersion: d.cmProtocolVersion,
            headerVersion: d.headerVersion,
            registration: d.registration,
            inferred: d.inferred,
            registeredAt: d.registeredAt,
            unregisteredReason: d.unregisteredReason,
            keepAliveS: d.keepAliveS,
            secondaryKeepAliveS: d.secondaryKeepAliveS,
            dateTemplate: d.dateTemplate,
            userName: d.userName,
            serverName: d.serverName,
            cm: d.primary !== null && d.primary.state === "up" ? d.primary.cm : null,
            lastSeen: d.lastSeen,
            uncertain: d.uncertain || d.lines.some((l) => l?.uncertain === true),
            callStateMode: d.mode,
            links,
            lines: d.lines.filter((l): l is Line => l !== undefined).map((l) => this.lineView(l)),
            softKeys: {
                source: sk.source,
                callBackEvent: t?.callBackEvent ?? null,
                callBackInOnHook: callBackInSet(t, sk.sets, SET_ON_HOOK),
                callBackInRingOut: callBackInSet(t, sk.sets, SET_RING_OUT),
                callBackInConnectedTransfer: callBackInSet(t, sk.sets, SET_CONNECTED_TRANSFER),
                keys:
                    t === null
                        ? []
                        : t.events.map((event, i) => ({ event, label: t.labels[i]!, labelCode: t.codes[i]! })),
            },
            phoneTime: d.clock === null ? null : phoneTimeAt(d.clock, d.lastSeen, d.dateTemplate),
            ctiRegistered: d.name === null ? null : (this.cti.devices.get(d.name) ?? null),
            static: d.name === null ? [] : (this.staticByName.get(d.name) ?? []).map((e) => ({ ...e })),
            knowledge: {
                learnedBy: d.learnedBy,
                learnedAt: d.learnedAt,
                restored: d.restored,
                seenAt: d.seenAt,
                missing: d.seenAt !== null ? this.missing(d) : [],
            },
        };
    }
}

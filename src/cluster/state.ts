/**
 * The cluster model's state (one object the parts share), its internal records, field readers and the
 * bookkeeping every part uses: events out, knowledge changed, keepalive scan armed.
 */
import type { SccpFields } from "../sccp/codec.js";
import { BUTTON_DEFINITIONS, CALL_STATES, enumValue, LAMP_MODES, STIMULI, TONES } from "../sccp/tables/enums.js";
import { DISPLAY_LABELS_200 } from "../sccp/tables/labels.js";
import type { TcpConnection } from "../wire/reassembly.js";
import { CtiTracker } from "./cti.js";
import type { DeviceFacts, LineFacts } from "./knowledge.js";
import type { SoftKeySets, SoftKeyTemplate } from "./softkeys.js";
import type {
    CallDirection,
    CallView,
    ClusterEvent,
    ClusterModelOptions,
    DnState,
    ForwardingView,
    LinkRole,
    LinkState,
    RegistrationState,
    StaticDirectoryEntry,
    UnregisterReason,
} from "./types.js";

// --- SCCP enum values used here (from the tables) ---
export const TONE_DIAL = enumValue(TONES, "InsideDialTone");
export const TONE_BUSY = enumValue(TONES, "LineBusyTone");
export const TONE_RINGBACK = enumValue(TONES, "AlertingTone");
export const TONE_REORDER = enumValue(TONES, "ReorderTone");
export const STATE_OFFHOOK = enumValue(CALL_STATES, "OffHook");
export const STATE_ONHOOK = enumValue(CALL_STATES, "OnHook");
export const STATE_RINGOUT = enumValue(CALL_STATES, "RingOut");
export const STATE_RINGIN = enumValue(CALL_STATES, "RingIn");
export const STATE_CONNECTED = enumValue(CALL_STATES, "Connected");
export const STATE_BUSY = enumValue(CALL_STATES, "Busy");
export const STATE_CONGESTION = enumValue(CALL_STATES, "Congestion");
export const STATE_HOLD = enumValue(CALL_STATES, "Hold");
export const STATE_PROCEED = enumValue(CALL_STATES, "Proceed");
export const LAMP_OFF = enumValue(LAMP_MODES, "Off");
export const LAMP_ON = enumValue(LAMP_MODES, "On");
export const LAMP_WINK = enumValue(LAMP_MODES, "Wink");
export const LAMP_FLASH = enumValue(LAMP_MODES, "Flash");
export const LAMP_BLINK = enumValue(LAMP_MODES, "Blink");
export const STIMULUS_LINE = enumValue(STIMULI, "Line");
export const STIMULUS_CALLBACK = enumValue(STIMULI, "CallBack");
export const BUTTON_LINE = enumValue(BUTTON_DEFINITIONS, "Line");
export const LABEL_BUSY = enumValue(DISPLAY_LABELS_200, "Busy");
export const MAX_LINE_INSTANCE = 64;
export const MAX_CALLS_PER_LINE = 16;
export const MAX_LINKS_PER_DEVICE = 4;
export const MAX_CM_TEMPLATES = 64;
export const MAX_DIGITS = 32;
/** How long an old-form CallInfo waits for its call (s). */
export const PENDING_INFO_S = 2;

// --- internal records ---

export interface Call {
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
export interface Line extends LineFacts {
    device: Device;
    calls: Call[];
    uncertain: boolean;
    state: DnState;
}

export interface Link {
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

export interface Conn {
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
export interface Device extends DeviceFacts {
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

export function num(f: SccpFields, k: string): number | undefined {
    const v = f[k];
    return typeof v === "number" ? v : undefined;
}

export function text(f: SccpFields, k: string): string | null {
    const v = f[k];
    return typeof v === "string" && v !== "" ? v : null;
}

export function active(reg: RegistrationState): boolean {
    return reg === "registered" || reg === "registering";
}

export function macFromName(name: string): string | null {
    return /^SEP[0-9A-Fa-f]{12}$/.test(name) ? name.slice(3).toUpperCase() : null;
}

export function macFromField(hex: string | null): string | null {
    if (hex === null || hex.length !== 24) return null;
    const ascii = Buffer.from(hex, "hex").toString("latin1");
    return /^[0-9A-Fa-f]{12}$/.test(ascii) ? ascii.toUpperCase() : null;
}

/** Removes a device's link at index i. */
export function dropLink(d: Device, i: number): void {
    const [l] = d.links.splice(i, 1);
    if (l !== undefined) l.dropped = true;
}

const internPool = new Map<string, string>();

/** Shares equal strings that many devices hold (CallManager address, date template, firmware). */
export function intern(s: string): string {
    const hit = internPool.get(s);
    if (hit !== undefined) return hit;
    if (internPool.size < 4096) internPool.set(s, s);
    return s;
}

export function sameForwarding(a: ForwardingView | null, b: ForwardingView | null): boolean {
    if (a === null || b === null) return a === b;
    return a.all === b.all && a.busy === b.busy && a.noAnswer === b.noAnswer;
}

export function stateName(s: number | null): string {
    if (s === null) return "Unknown";
    return CALL_STATES[s] ?? `State${s}`;
}

/** A phone clock set again within this much of what it showed is not news (ms). */
export const CLOCK_MOVED_MS = 60_000;

/** The softkey template and sets a CallManager sent last, and when (capture time, s). */
export interface CmSoftKeys {
    template: SoftKeyTemplate | null;
    sets: SoftKeySets | null;
    learnedAt: number;
}

/** A day in seconds (knowledge age is counted in days). */
export const DAY_S = 86_400;
/** How often (capture time, s) knowledge is checked for devices not seen within the maximum age. */
export const EXPIRY_SCAN_S = 3600;

/** The model's state: every part of the model reads and changes it through this one object. */
export interface ModelState {
    readonly devices: Map<string, Device>;
    readonly byIp: Map<string, Device>;
    readonly conns: Map<TcpConnection, Conn>;
    /** DN → lines (across devices) that have it. */
    readonly directory: Map<string, Line[]>;
    /** Last DN state reported in a LineStateChanged (absent = "unknown"). */
    readonly dnStates: Map<string, DnState>;
    /** Leg matching index: "calling|called" → unmatched legs. */
    readonly legs: Map<string, Call[]>;
    /** Last softkey template and sets each CallManager sent (for phones whose registration was missed). */
    readonly cmSoftKeys: Map<string, CmSoftKeys>;
    readonly staticByDn: Map<string, StaticDirectoryEntry[]>;
    readonly staticByName: Map<string, StaticDirectoryEntry[]>;
    readonly recent: CallView[];
    readonly cti: CtiTracker;
    readonly emitFn: ((e: ClusterEvent) => void) | undefined;
    readonly kaMultiple: number;
    readonly kaDefault: number;
    readonly kaSecondaryDefault: number;
    readonly maxDevices: number;
    readonly maxCalls: number;
    readonly maxConns: number;
    readonly legWindow: number;
    readonly recentCap: number;
    readonly maxAgeS: number;
    callCount: number;
    /** Bumped whenever knowledge (what a snapshot keeps) changes; never by keepalives or calls. */
    knowledgeChanges: number;
    /** Capture time of the next scan for knowledge past its maximum age. */
    nextExpiry: number;
    /** Capture time of the next keepalive deadline scan, and of the next leg-index prune. */
    nextScan: number;
    nextLegPrune: number;
    readonly counters: {
        messages: number;
        devicesEvicted: number;
        callsEvicted: number;
        callsEnded: number;
        connectionsEvicted: number;
        gaps: number;
        ctiEvents: number;
        events: number;
        knowledgeExpired: number;
    };
}

/** A fresh state from the options (defaults applied). */
export function createState(opts: ClusterModelOptions): ModelState {
    const s: ModelState = {
        devices: new Map(),
        byIp: new Map(),
        conns: new Map(),
        directory: new Map(),
        dnStates: new Map(),
        legs: new Map(),
        cmSoftKeys: new Map(),
        staticByDn: new Map(),
        staticByName: new Map(),
        recent: [],
        cti: new CtiTracker(Math.max(1, opts.maxCtiSessions ?? 64), Math.max(1, opts.maxCtiEntries ?? 100_000)),
        emitFn: opts.onEvent,
        kaMultiple: opts.keepAliveMultiple ?? 3,
        kaDefault: opts.defaultKeepAliveS ?? 30,
        kaSecondaryDefault: opts.defaultSecondaryKeepAliveS ?? 60,
        maxDevices: Math.max(1, opts.maxDevices ?? 50_000),
        maxCalls: Math.max(1, opts.maxCalls ?? 100_000),
        maxConns: Math.max(1, opts.maxConnections ?? 100_000),
        legWindow: opts.legMatchWindowS ?? 10,
        recentCap: Math.max(0, opts.recentCalls ?? 64),
        maxAgeS: Math.max(1, opts.knowledgeMaxAgeDays ?? 30) * DAY_S,
        callCount: 0,
        knowledgeChanges: 0,
        nextExpiry: Number.NEGATIVE_INFINITY,
        nextScan: Number.NEGATIVE_INFINITY,
        nextLegPrune: Number.NEGATIVE_INFINITY,
        counters: {
            messages: 0,
            devicesEvicted: 0,
            callsEvicted: 0,
            callsEnded: 0,
            connectionsEvicted: 0,
            gaps: 0,
            ctiEvents: 0,
            events: 0,
            knowledgeExpired: 0,
        },
    };
    for (const e of opts.staticDirectory ?? []) {
        const byDn = s.staticByDn.get(e.dn) ?? [];
        byDn.push({ ...e });
        s.staticByDn.set(e.dn, byDn);
        const byName = s.staticByName.get(e.deviceName) ?? [];
        byName.push({ ...e });
        s.staticByName.set(e.deviceName, byName);
    }
    return s;
}

/** A deadline may now be earlier than the next planned scan: scan at the next tick. */
export function armScan(s: ModelState): void {
    s.nextScan = Number.NEGATIVE_INFINITY;
}

/** Knowledge changed (of device `d`, when given): the owner writes a snapshot (coalesced). */
export function learned(s: ModelState, d?: Device): void {
    s.knowledgeChanges++;
    if (d !== undefined) d.rev++;
}

/** Sets one fact of a device, counting it as learned only when it changes. */
export function fact<K extends keyof DeviceFacts>(s: ModelState, d: Device, k: K, v: DeviceFacts[K]): void {
    const facts: DeviceFacts = d;
    if (facts[k] === v) return;
    facts[k] = v;
    learned(s, d);
}

/** Marks a device as speaking the old protocol forms (no call references) when not known yet. */
export function oldForm(s: ModelState, d: Device): void {
    if (d.mode === "unknown") fact(s, d, "mode", "derived");
}

export function emit(s: ModelState, e: ClusterEvent): void {
    s.counters.events++;
    s.emitFn?.(e);
}

/**
 * The simulated CallManager's state: one object every room of `cm/` works on (provisioned devices and
 * numbers, connections, calls, counters, resolved options), its internal records, and the step runner
 * that flushes what a step queued as one write per phone link.
 */
import type { EventEmitter } from "node:events";
import type { CmWire, ForwardData, MediaData } from "../dialect.js";
import type { SimLink } from "../network.js";
import { runStep, type SccpSession } from "../session.js";
import type { SoftKeyDef } from "../softkeys.js";
import type { SimClock, SimGeneration, SimTimer } from "../types.js";
import type { SimCallManagerEvents, SimCallManagerOptions, SimCallManagerStats, SimDeviceConfig } from "./types.js";

/** A directory number and its settings, shared by every appearance of it. */
export interface DnRecord {
    dn: string;
    name: string;
    forward: ForwardData;
    busyTrigger: number;
    apps: Appearance[];
}

export interface Device {
    config: SimDeviceConfig;
    name: string;
    apps: Appearance[];
    conn: Conn | null;
    callBackKey: boolean;
    timeZone: string;
    dateTemplate: string;
    template: SoftKeyDef[];
    lastDialed: string;
}

/** A number on one line of one device. */
export interface Appearance {
    device: Device;
    line: number;
    dn: DnRecord;
    legs: Leg[];
}

export type LegRole = "orig" | "term" | "hint" | "cfwd";

/** One call reference on one appearance. */
export interface Leg {
    ref: number;
    app: Appearance;
    role: LegRole;
    state: number;
    call: Call | null;
    digits: string;
    held: boolean;
    tone: number;
    timer: SimTimer | null;
    media: MediaData | null;
    /** The shared-line legs showing this leg as "in use remote". */
    hints: Leg[];
    /** Consultation leg of a transfer: the held leg it came from. */
    transferFrom: Leg | null;
    /** Digit collection is over (routed or refused). */
    collected: boolean;
}

export interface Redirect {
    dn: DnRecord;
    reason: number;
}

export interface Call {
    id: number;
    orig: Leg;
    dialed: string;
    target: DnRecord | null;
    term: Leg | null;
    alerting: Leg[];
    phase: "routing" | "alerting" | "busy" | "reorder" | "connected" | "ended";
    original: Redirect | null;
    last: Redirect | null;
    timer: SimTimer | null;
}

/** One phone link (registered or not). */
export interface Conn {
    session: SccpSession;
    wire: CmWire;
    gen: SimGeneration;
    device: Device | null;
    registered: boolean;
    lastSeen: number;
    watchdog: SimTimer | null;
    ip: string;
    rtpPort: number;
    passThrough: number;
}

export type CmOptions = Required<Omit<SimCallManagerOptions, "network" | "clock" | "devices">>;

/** Everything the rooms share; the facade owns it. */
export interface CmState {
    readonly clock: SimClock;
    readonly opts: CmOptions;
    /** Where events go (the facade; typed as the emitter so rooms never import the facade). */
    readonly events: EventEmitter<SimCallManagerEvents>;
    readonly stats: SimCallManagerStats;
    /** Protocol errors with the device they came from (first 100). */
    readonly errors: { deviceName: string; text: string }[];
    readonly devices: Map<string, Device>;
    readonly dns: Map<string, DnRecord>;
    /** Every proper prefix of every number (digit analysis: "more digits may follow"). */
    readonly prefixes: Set<string>;
    readonly conns: Set<Conn>;
    /** Sessions that queued output during the current step. */
    readonly dirty: Set<SccpSession>;
    readonly calls: Set<Call>;
    depth: number;
    nextRef: number;
    nextPassThrough: number;
    callIds: number;
    hung: boolean;
    /** Links accepted while hung (never served, destroyed by stop). */
    frozenLinks: SimLink[];
}

/** Resolves the options' defaults. */
export function resolveOptions(options: SimCallManagerOptions): CmOptions {
    const ka = options.keepAliveInterval ?? 30;
    return {
        host: options.host ?? "127.0.0.1",
        port: options.port ?? 0,
        generation: options.generation ?? "auto",
        keepAliveInterval: ka,
        secondaryKeepAliveInterval: options.secondaryKeepAliveInterval ?? 60,
        keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? ka * 2500,
        noAnswerTimeoutMs: options.noAnswerTimeoutMs ?? 12_000,
        interDigitTimeoutMs: options.interDigitTimeoutMs ?? 10_000,
        busySignal: options.busySignal ?? "toneAndState",
        callBackEvent: options.callBackEvent ?? 20,
        media: options.media ?? false,
        serverName: options.serverName ?? "CM_SIM",
        autoRegister: options.autoRegister ?? false,
        callRefBase: options.callRefBase ?? 16777217,
    };
}

export function createState(
    clock: SimClock,
    options: SimCallManagerOptions,
    events: EventEmitter<SimCallManagerEvents>,
): CmState {
    const opts = resolveOptions(options);
    return {
        clock,
        opts,
        events,
        stats: {
            connections: 0,
            registrations: 0,
            rejects: 0,
            calls: 0,
            messagesIn: 0,
            messagesOut: 0,
            protocolErrors: 0,
            keepAliveTimeouts: 0,
        },
        errors: [],
        devices: new Map(),
        dns: new Map(),
        prefixes: new Set(),
        conns: new Set(),
        dirty: new Set(),
        calls: new Set(),
        depth: 0,
        nextRef: opts.callRefBase,
        nextPassThrough: 16777473,
        callIds: 0,
        hung: false,
        frozenLinks: [],
    };
}

/** Runs one step and flushes what it queued (one write per link), as a CallManager coalesces its bursts. */
export function run(s: CmState, fn: () => void): void {
    runStep(s, fn);
}

/** A timer whose callback is one step. */
export function timer(s: CmState, ms: number, fn: () => void): SimTimer {
    return s.clock.setTimer(ms, () => run(s, fn));
}

export function newRef(s: CmState): number {
    return s.nextRef++;
}

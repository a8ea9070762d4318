/**
 * The simulated phone's state: one object its rooms share (identity, links, registration progress, what
 * the CallManager shows), and the step runner that flushes a step's output as one write per link and
 * reports idle/busy changes.
 */
import type { EventEmitter } from "node:events";
import type { SccpFields } from "../../sccp/index.js";
import type { ForwardData, LocalTime, PhoneWire } from "../dialect.js";
import { SimError } from "../errors.js";
import { Msg, Ring } from "../ids.js";
import type { PhoneModelInfo } from "../models.js";
import type { SimNetwork } from "../network.js";
import { runStep, type SccpSession } from "../session.js";
import { CallState, type SimClock, type SimGeneration, type SimPhoneEvents, type SimTimer } from "../types.js";
import type { CallManagerAddress, HistoryEntry, PhoneCall, SimPhoneOptions, SoftKeyView } from "./types.js";

/** One link to a CallManager (the primary, or a keepalive-only standby). */
export interface LinkState {
    session: SccpSession;
    wire: PhoneWire;
    cm: CallManagerAddress;
    standby: boolean;
    kaTimer: SimTimer | null;
    missed: number;
}

/** A registration request still to make, in the order a 7912 makes them. */
export type RegStep = readonly [kind: "skt" | "sks" | "line" | "fwd" | "sd" | "avail" | "time", n: number];

/** A softkey of the learned template. */
export interface TemplateKey {
    code: number;
    label: string;
    wire: string;
    event: number;
}

const NAME_BY_ID = new Map<number, string>(Object.entries(Msg).map(([k, v]) => [v, k]));

/** The phone's identity, fixed at construction. */
export interface PhoneIdentity {
    readonly deviceName: string;
    readonly mac: string;
    readonly ip: string;
    readonly info: PhoneModelInfo;
    readonly clock: SimClock;
    readonly network: SimNetwork;
}

export interface PhoneState extends PhoneIdentity {
    readonly opts: SimPhoneOptions;
    /** Where events go (the facade; typed as the emitter so rooms never import the facade). */
    readonly events: EventEmitter<SimPhoneEvents>;
    readonly stats: {
        registrations: number;
        keepAlives: number;
        protocolErrors: number;
        failovers: number;
        messagesSent: number;
    };
    /** Protocol errors seen on this phone's links (first 100). */
    readonly errors: string[];
    readonly history: HistoryEntry[];
    gen: SimGeneration;
    readonly baseGen: SimGeneration;
    primary: LinkState | null;
    standby: LinkState | null;
    registered: boolean;
    running: boolean;
    oldCm: boolean;
    keepAliveMs: number;
    secondaryKeepAliveMs: number;
    regSteps: RegStep[];
    reconnectTimer: SimTimer | null;
    dialTimer: SimTimer | null;
    /** Sessions that queued output during the current step. */
    readonly dirty: Set<SccpSession>;
    depth: number;
    wasIdle: boolean;
    startWaiters: { resolve: () => void; reject: (err: Error) => void }[];
    // What the CallManager showed.
    lineCount: number;
    lines: string[];
    lineNames: string[];
    speedDials: number;
    template: TemplateKey[];
    sets: { template: number[] }[];
    softKeys: SoftKeyView;
    readonly calls: Map<number, PhoneCall>;
    prompt: string;
    notify: string;
    priNotify: string;
    text: string;
    tone: number;
    ringer: number;
    speaker: boolean;
    hookOff: boolean;
    readonly lamps: Map<string, number>;
    readonly forward: Map<number, ForwardData>;
    time: LocalTime | null;
    dateTemplate: string;
    pendingDigits: string;
    /** Work deferred to the end of the CallManager burst being handled. */
    dialAfterBurst: boolean;
    regAfterBurst: boolean;
}

export function createState(
    id: PhoneIdentity,
    opts: SimPhoneOptions,
    gen: SimGeneration,
    events: EventEmitter<SimPhoneEvents>,
): PhoneState {
    return {
        deviceName: id.deviceName,
        mac: id.mac,
        ip: id.ip,
        info: id.info,
        clock: id.clock,
        network: id.network,
        opts,
        events,
        stats: { registrations: 0, keepAlives: 0, protocolErrors: 0, failovers: 0, messagesSent: 0 },
        errors: [],
        history: [],
        gen,
        baseGen: gen,
        primary: null,
        standby: null,
        registered: false,
        running: false,
        oldCm: false,
        keepAliveMs: 30_000,
        secondaryKeepAliveMs: 60_000,
        regSteps: [],
        reconnectTimer: null,
        dialTimer: null,
        dirty: new Set(),
        depth: 0,
        wasIdle: false,
        startWaiters: [],
        lineCount: 0,
        lines: [],
        lineNames: [],
        speedDials: 0,
        template: [],
        sets: [],
        softKeys: { line: 0, callRef: 0, set: 0, mask: 0, labels: [] },
        calls: new Map(),
        prompt: "",
        notify: "",
        priNotify: "",
        text: "",
        tone: 0,
        ringer: Ring.Off,
        speaker: false,
        hookOff: false,
        lamps: new Map(),
        forward: new Map(),
        time: null,
        dateTemplate: "",
        pendingDigits: "",
        dialAfterBurst: false,
        regAfterBurst: false,
    };
}

/** Calls by reference, oldest first. */
export function callList(s: PhoneState): PhoneCall[] {
    return [...s.calls.values()];
}

/** Registered, on hook, and no call other than "in use remote" indications. */
export function isIdle(s: PhoneState): boolean {
    if (!s.registered || s.hookOff) return false;
    for (const c of s.calls.values()) if (c.state !== CallState.CallRemoteMultiline) return false;
    return !oldCmRinging(s);
}

/** A call is ringing in. */
export function isRinging(s: PhoneState): boolean {
    for (const c of s.calls.values()) if (c.state === CallState.RingIn) return true;
    return oldCmRinging(s);
}

function oldCmRinging(s: PhoneState): boolean {
    return s.gen === "cm2" && s.ringer !== Ring.Off;
}

export function needPrimary(s: PhoneState): LinkState {
    const p = s.primary;
    if (p === null || !s.registered) {
        throw new SimError("SIM_NOT_REGISTERED", `${s.deviceName} is not registered`);
    }
    return p;
}

export function primaryLink(s: PhoneState): LinkState {
    const p = s.primary;
    if (p === null) throw new SimError("SIM_NOT_CONNECTED", `${s.deviceName} has no CallManager link`);
    return p;
}

/** Runs one step: flushes what it queued (one write per link) and reports idle/busy changes. */
export function run(s: PhoneState, fn: () => void): void {
    runStep(s, fn, () => checkIdle(s));
}

export function checkIdle(s: PhoneState): void {
    const idle = isIdle(s);
    if (idle === s.wasIdle) return;
    s.wasIdle = idle;
    s.events.emit(idle ? "idle" : "busy");
}

export function record(s: PhoneState, dir: "in" | "out", id: number, fields: SccpFields, name?: string): void {
    const cap = s.opts.history ?? 2000;
    if (cap <= 0) return;
    if (s.history.length >= cap) s.history.shift();
    s.history.push({
        t: s.clock.now(),
        dir,
        id,
        name: name ?? NAME_BY_ID.get(id) ?? `0x${id.toString(16)}`,
        fields,
    });
}

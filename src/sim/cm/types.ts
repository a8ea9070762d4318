/**
 * The simulated CallManager's public shapes: provisioning (devices, lines), options, the events it emits
 * and its counters. The facade (`../callManager.ts`) re-exports them, so callers never import this room.
 */
import type { ForwardData } from "../dialect.js";
import type { SimNetwork } from "../network.js";
import type { SimClock } from "../types.js";

/** One line of a device: its directory number and the number's settings (shared by every appearance). */
export interface SimLineConfig {
    dn: string;
    /** Display name (CallInfo names, LineStatRes). Default "Line <dn>". */
    name?: string;
    /** Call forwarding of the number (targets; "" or absent = off). */
    forward?: Partial<ForwardData>;
    /** Calls on the number (all appearances) at which a new call finds it busy. Default 1; 2 = call waiting. */
    busyTrigger?: number;
}

/** A provisioned device. */
export interface SimDeviceConfig {
    /** SEP + MAC. */
    deviceName: string;
    /** Lines in button order (line instance 1 first). A number on several devices is a shared line. */
    lines: readonly (string | SimLineConfig)[];
    speedDials?: readonly { dn: string; name: string }[];
    /** CallBack softkey in the On Hook, Ring Out and Connected Transfer sets. Default true. */
    callBackKey?: boolean;
    /** IANA time zone of DefineTimeDate. Default "UTC". */
    timeZone?: string;
    /** RegisterAck date template. Default "M/D/Y". */
    dateTemplate?: string;
    userName?: string;
}

/** How a busy called number is signalled to the caller. */
export type BusySignal = "toneAndState" | "tone" | "state";

/** Options of the simulated CallManager. */
export interface SimCallManagerOptions {
    /** Listen address. Default 127.0.0.1. */
    host?: string;
    /** Listen port; 0 picks a free one. Default 0. */
    port?: number;
    network?: SimNetwork;
    clock?: SimClock;
    devices?: readonly SimDeviceConfig[];
    /** "cm2" makes the whole CallManager a 2.x-era one (short bodies, no CallState, no softkeys). */
    generation?: "auto" | "cm2";
    /** RegisterAck keepalive intervals, seconds. Defaults 30 and 60. */
    keepAliveInterval?: number;
    secondaryKeepAliveInterval?: number;
    /** A link without a KeepAlive for this long is dropped. Default 2.5 keepalive intervals. */
    keepAliveTimeoutMs?: number;
    /** Forward No Answer timer; 0 = ring until someone hangs up. Default 12 s. */
    noAnswerTimeoutMs?: number;
    /** Digit collection gives up after this pause. Default 10 s. */
    interDigitTimeoutMs?: number;
    busySignal?: BusySignal;
    /** Event number of the CallBack softkey in the template (CUCM's is unconfirmed). Default 20. */
    callBackEvent?: number;
    /** Open media channels on connect (as CM 4.1 does; Wireshark 4.0 flags those bodies). Default false. */
    media?: boolean;
    /** ConfigStatRes server name. */
    serverName?: string;
    /** Accept unknown devices (no lines). Default false: RegisterReject. */
    autoRegister?: boolean;
    /** First call reference. Default 16777217. */
    callRefBase?: number;
}

/** A softkey or feature-button press the CallManager saw. */
export interface SoftKeyPress {
    deviceName: string;
    /** Label code of the key (0x41 = CallBack) or, for Stimulus, the stimulus code + 0x1000. */
    labelCode: number;
    /** Rendered label, e.g. "Callback". */
    label: string;
    event: number;
    line: number;
    callRef: number;
    /** Call state of the call reference when pressed (0 when none). */
    callState: number;
    /** Tone the call was hearing (0 when none). */
    tone: number;
    /** Number the call was placed to ("" when none). */
    calledDn: string;
}

/** Counters of the CallManager. */
export interface SimCallManagerStats {
    connections: number;
    registrations: number;
    rejects: number;
    calls: number;
    messagesIn: number;
    messagesOut: number;
    protocolErrors: number;
    keepAliveTimeouts: number;
}

/** A call leg on a line changed (for the simulated CTIManager, which reports lines to CTI applications). */
export interface SimLegEvent {
    deviceName: string;
    line: number;
    dn: string;
    callRef: number;
    /** SCCP call state of the leg (OnHook with `ended`). */
    state: number;
    /** The leg is gone. */
    ended: boolean;
    /** Calling and called numbers of the leg's call, when it has one. */
    calling: string | null;
    called: string | null;
}

/** Events of the CallManager. */
export interface SimCallManagerEvents {
    leg: [event: SimLegEvent];
    registered: [deviceName: string];
    unregistered: [deviceName: string, reason: string];
    softKey: [press: SoftKeyPress];
    protocolError: [deviceName: string, text: string];
    callStarted: [from: string, dialed: string];
    callEnded: [from: string, dialed: string];
}

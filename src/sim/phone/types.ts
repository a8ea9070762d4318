/**
 * The simulated phone's public shapes: options, a call as the phone sees it, history entries and the
 * visible softkey set. The facade (`../phone.ts`) re-exports them.
 */
import type { SccpFields } from "../../sccp/index.js";
import type { SimNetwork } from "../network.js";
import type { SimClock, SimGeneration, XsiServiceFactory, XsiServiceLike } from "../types.js";

/** A CallManager address. */
export interface CallManagerAddress {
    host: string;
    port: number;
}

/** Options of a simulated phone. */
export interface SimPhoneOptions {
    /** The phone's own address (127.0.1.N on loopback). */
    ip: string;
    /** CallManagers in priority order: the first is registered with, the second gets a standby link. */
    callManagers: readonly CallManagerAddress[];
    /** Model ("7960", "7912", ...; see PHONE_MODELS). Default "7960". */
    model?: string;
    /** 12 hex digits; default derived from the IP address. */
    mac?: string;
    /** Default SEP + MAC. */
    deviceName?: string;
    /** Protocol generation; default the model's (CM 4.x static for 79x0/7912/7905, V20 for 7961 and later). */
    generation?: SimGeneration;
    network?: SimNetwork;
    clock?: SimClock;
    /** Digits as KeypadButton presses (default) or one EnblocCall. */
    dialMode?: "keypad" | "enbloc";
    /** Pause between dialled digits, ms of clock time. Default 0 (one message per digit, back to back). */
    interDigitMs?: number;
    /** The XSI phone service (or a factory receiving this phone). */
    xsi?: XsiServiceLike | XsiServiceFactory;
    /** Messages kept in `history` (both directions). Default 2000; 0 keeps none. */
    history?: number;
    /** Reconnect delay after losing every CallManager link; 0 = stay down. Default 10 s. */
    reconnectMs?: number;
    /** RTP port announced in IpPort and OpenReceiveChannelAck. Default 16384. */
    rtpPort?: number;
    /** User locale (CallManager name, e.g. "English_United_States"), for the XSI service's Accept-Language. */
    locale?: string;
}

/** One call reference as the phone sees it. */
export interface PhoneCall {
    line: number;
    callRef: number;
    state: number;
    /** Last tone played on this call (0 = none / stopped). */
    tone: number;
    /** Last CallInfo / CallInfoV2 fields for this call. */
    info: SccpFields | null;
    /** Digits the CallManager echoed in DialedNumber. */
    dialed: string;
}

/** One message in the phone's history. */
export interface HistoryEntry {
    /** Clock time, ms. */
    t: number;
    dir: "in" | "out";
    name: string;
    id: number;
    fields: SccpFields;
}

/** The visible softkey set. */
export interface SoftKeyView {
    line: number;
    callRef: number;
    set: number;
    mask: number;
    /** Rendered labels per slot ("" for empty or masked slots). */
    labels: string[];
}

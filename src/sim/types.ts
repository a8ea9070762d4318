/**
 * Types shared by the branch-office simulator (issue D): the phone view the XSI phone service
 * (src/sim/xsi/) consumes, the injectable clock, and small enums. No runtime code beyond constants.
 */

/** Events a simulated phone emits (`phone.on(name, listener)`). */
export interface SimPhoneEvents {
    /** Registration with the CallManager finished (after TimeDateRes). */
    registered: [];
    /** The CallManager connection closed (or the phone was stopped / powered off). */
    unregistered: [reason: string];
    /** No call left on the phone (every call reference OnHook) and the hook is down. */
    idle: [];
    /** A call started ringing in (CallState RingIn). */
    ringing: [line: number, callRef: number];
    /** The phone left the idle state (off hook, ringing or in a call). */
    busy: [];
    /** Any CallState from the CallManager. */
    callState: [line: number, callRef: number, state: number];
    /** A prompt, notify or priority notify text changed (rendered labels). */
    display: [kind: "prompt" | "notify" | "priNotify" | "text", text: string];
    /** A tone started (StartTone) or stopped (tone 0x7F NoTone for StopTone). */
    tone: [tone: number, line: number, callRef: number];
    /** The visible softkey set changed (labels in slot order; "" for empty slots). */
    softKeys: [setIndex: number, labels: readonly string[]];
    /** A protocol problem on this phone's link (undecodable or unexpected message). */
    protocolError: [message: string];
}

/** What the XSI phone service sees of the phone that owns it (implemented by SimPhone). */
export interface SimPhoneView {
    /** SEP + 12 hex digits of the MAC. */
    readonly deviceName: string;
    /** Model name as the XSI header `x-CiscoIPPhoneModelName` spells it, e.g. "CP-7960G". */
    readonly modelName: string;
    /** Short model, e.g. "7960". */
    readonly model: string;
    /** RegisterReq device type, e.g. 7 for a 7960. */
    readonly deviceType: number;
    /** The phone's own IPv4 address (127.0.1.N in tests). */
    readonly ip: string;
    /** Directory numbers of its lines, line instance 1 first (learned from LineStatRes). */
    readonly lines: readonly string[];
    /** Registered with a CallManager. */
    readonly registered: boolean;
    /** Registered, on hook and no call reference in a non-OnHook state. */
    isIdle(): boolean;
    /** At least one call is ringing in. */
    isRinging(): boolean;
    /** Goes off hook (speaker) when idle and dials `number` (XSI `Dial:` URI, the Dial softkey of a screen). */
    dial(number: string): void;
    /** Presses a key by its XSI `Key:` name (SoftN, KeyPadN, LineN, Speaker, Headset, Hold). */
    pressKey(name: string): void;
    /** User locale, when configured (e.g. "English_United_States"). */
    readonly locale?: string | undefined;
    on<E extends keyof SimPhoneEvents>(event: E, listener: (...args: SimPhoneEvents[E]) => void): this;
    off<E extends keyof SimPhoneEvents>(event: E, listener: (...args: SimPhoneEvents[E]) => void): this;
}

/** The XSI phone service a phone owns: started after the phone registers, stopped with the phone. */
export interface XsiServiceLike {
    start(): Promise<void>;
    stop(): Promise<void>;
}

/** Builds the XSI service of a phone (so the service can hold the phone it queries). */
export type XsiServiceFactory = (phone: SimPhoneView) => XsiServiceLike;

/** A timer handle of a SimClock. */
export interface SimTimer {
    /** Due time, ms since the epoch on the clock's time line. */
    readonly due: number;
}

/**
 * Time source of the simulator. Everything timed (keepalives, no-answer timers, dialing, scenario steps)
 * goes through it, so tests can run a simulated hour in seconds with a ManualClock.
 */
export interface SimClock {
    /** Current time in ms since the epoch (may be fractional). */
    now(): number;
    /** Calls `fn` once after `ms` milliseconds of clock time. */
    setTimer(ms: number, fn: () => void): SimTimer;
    /** Cancels a timer (no effect when it already ran or was cleared). */
    clearTimer(timer: SimTimer | null | undefined): void;
}

/**
 * Protocol generation of one phone's link.
 * - "cm4": static CallManager 3.x/4.x layouts, header version 0, CallInfo 384 bytes.
 * - "v20": header version 0x14, dynamic messages (CallInfoV2, DisplayPromptStatusV2, LineStatV2Res, ...).
 * - "cm2": CallManager 2.x short bodies and no CallState at all (tshark flags these as malformed, as it
 *   does the real ones).
 */
export type SimGeneration = "cm2" | "cm4" | "v20";

/** SCCP call states (SCCP-REFERENCE 3.1). */
export const CallState = {
    Idle: 0,
    OffHook: 1,
    OnHook: 2,
    RingOut: 3,
    RingIn: 4,
    Connected: 5,
    Busy: 6,
    Congestion: 7,
    Hold: 8,
    CallWaiting: 9,
    CallTransfer: 10,
    CallPark: 11,
    Proceed: 12,
    CallRemoteMultiline: 13,
    InvalidNumber: 14,
} as const;

/** Tones the simulated CallManager plays (SCCP-REFERENCE 3.2). */
export const Tone = {
    Silence: 0x00,
    InsideDialTone: 0x21,
    LineBusyTone: 0x23,
    AlertingTone: 0x24,
    ReorderTone: 0x25,
    CallWaitingTone: 0x2d,
    NoTone: 0x7f,
} as const;

/** Softkey set indexes (SCCP-REFERENCE 3.4). */
export const SoftKeySet = {
    OnHook: 0,
    Connected: 1,
    OnHold: 2,
    RingIn: 3,
    OffHook: 4,
    ConnectedTransferable: 5,
    DigitsFollowing: 6,
    ConnectedConference: 7,
    RingOut: 8,
    OffHookWithFeatures: 9,
    InUseHint: 10,
} as const;

/**
 * Types shared by the simulated 79xx XSI phone service (push: POST /CGI/Execute; pull: GET of XSI objects).
 * The SCCP phone simulator owns an XsiPhoneService and exposes its call state through XsiPhoneState.
 */

/** What the XSI service needs to know about (and do on) the phone that owns it. */
export interface XsiPhoneState {
    /** Model name as the phone reports it in `x-CiscoIPPhoneModelName`, e.g. "CP-7960G" (unless modelName). */
    readonly model: string;
    /** When set, used for `x-CiscoIPPhoneModelName` instead of `model` (SimPhoneView: model "7960"). */
    readonly modelName?: string;
    /** Device name, "SEP" + MAC, sent to the authentication URL as `devicename`. */
    readonly deviceName: string;
    /** Locale (CallManager name such as "English_United_States", or a language tag such as "de-DE"). */
    readonly locale?: string;
    /** True when the phone is on hook with no call (Priority 1/2 items run only then). */
    isIdle(): boolean;
    /** True while the phone rings (a `Play:` waits until ringing stops). */
    isRinging(): boolean;
    /** Place a call to `number` (from a `Dial:` URI). */
    dial(number: string): void;
    /** Simulate a button press (from a `Key:` URI); optional, ignored when absent. */
    pressKey?(name: string): void;
    /** Optional state events; when present the service listens instead of relying on polling alone. */
    on?(event: XsiPhoneEvent, listener: () => void): unknown;
    /** Removes a listener added with `on`. */
    off?(event: XsiPhoneEvent, listener: () => void): unknown;
}

/** Phone events that may change idle/ringing state. */
export type XsiPhoneEvent = "idle" | "busy" | "ringing";

/** Time source with a sleep; tests may pass an accelerated one. */
export interface XsiClock {
    /** Milliseconds since the epoch (recorded in screens and sounds). */
    now(): number;
    /** Resolves after `ms` milliseconds of this clock's time. */
    sleep(ms: number): Promise<void>;
}

/** Time source with timers (the simulator's SimClock / ManualClock shape): sleeps become timers. */
export interface XsiTimerClock {
    now(): number;
    setTimer(ms: number, fn: () => void): unknown;
}

/** Credentials check: an authentication URL answering exactly `AUTHORIZED`, or a fixed user/password. */
export type XsiAuthConfig = { url: string; timeoutMs?: number } | { user: string; password: string };

/**
 * Where `Play:<file>` clips come from (stands in for the phone's TFTP server):
 * `dir` is a local folder, `baseUrl` an HTTP server answering GET `<baseUrl>/<file>`, `sizes` fixed byte counts.
 * Looked up in the order sizes, dir, baseUrl. The clip length is bytes / 8000 s (8 kHz mu-law, 1 byte/sample).
 */
export interface XsiAudioSource {
    dir?: string;
    baseUrl?: string;
    sizes?: Readonly<Record<string, number>>;
}

/** A failure the simulated phone shows on demand. */
export type XsiFailure =
    /** Listening socket closed: connection refused. */
    | { kind: "refused" }
    /** Connections accepted and destroyed at once (reset). */
    | { kind: "reset" }
    /** Connections accepted, requests never answered. */
    | { kind: "hang" }
    /** Answers delayed by `delayMs` (then handled normally). */
    | { kind: "slow"; delayMs: number }
    /** HTTP 500 with a short HTML body. */
    | { kind: "http500" }
    /** Credentials always refused (CiscoIPPhoneError 4), whatever the auth server says. */
    | { kind: "wrongCredentials" }
    /** HTTP 200 text/xml with bytes that are not XML. */
    | { kind: "garbage" }
    /** CiscoIPPhoneError with this Number for every push. */
    | { kind: "error"; number: number };

/** A softkey as shown on a screen. */
export interface SoftKey {
    name: string;
    position: number;
    url: string;
    urlDown?: string;
}

/** A menu or directory line. */
export interface ScreenItem {
    name: string;
    /** MenuItem URL, or the DirectoryEntry telephone number. */
    value: string;
}

/** Kinds of screens the simulator renders. "error" is the phone's own message (host not found, HTTP error …). */
export type ScreenKind = "text" | "menu" | "directory" | "input" | "other" | "error";

/** One screen the phone showed. */
export interface Screen {
    /** Clock time when shown. */
    at: number;
    kind: ScreenKind;
    /** Root element name (CiscoIPPhoneText …), empty for "error". */
    object: string;
    /** How it arrived: pushed in the POST body, or fetched by GET. */
    source: "push" | "pull";
    /** URL it was fetched from (pull only). */
    url?: string;
    title: string;
    prompt: string;
    text: string;
    softKeys: SoftKey[];
    /** True when the object had no SoftKeyItem and the phone shows its built-in ones. */
    defaultSoftKeys: boolean;
    items: ScreenItem[];
    /** Set when `validatePulled` is on: whether the object passed the (order-tolerant) XSD check. */
    schemaValid?: boolean;
}

/** One clip the phone played. */
export interface SoundEvent {
    /** Clock time when playback started (after any ringing). */
    at: number;
    file: string;
    bytes: number;
    durationMs: number;
    /** Cisco's .raw rules: 240..16080 bytes, a multiple of 240. */
    validRaw: boolean;
}

/** One request to /CGI/Execute and what the phone answered. */
export interface PushRecord {
    at: number;
    remoteAddress: string;
    /** Basic-auth user, if any. */
    user?: string;
    /** HTTP status sent (200 unless a failure mode or a framing rule says otherwise). */
    httpStatus: number;
    /** CiscoIPPhoneError Number, when the push was refused as a whole. */
    errorNumber?: number;
    /** Why it was refused (auth, size, field, parse, schema, items, file, expect, failure). */
    reason?: string;
    /** Body sent back. */
    answer: string;
}

/** Constructor options of XsiPhoneService. */
export interface XsiPhoneServiceOptions {
    /** The phone's own address (127.0.1.N in the simulator). Outgoing requests are bound to it too. */
    host: string;
    /** Listening port (default 80; 0 picks a free one). */
    port?: number;
    phone: XsiPhoneState;
    auth: XsiAuthConfig;
    /** Default: wall time. With a manual clock, Play waits, slow answers and polls advance with it. */
    clock?: XsiClock | XsiTimerClock;
    audio?: XsiAudioSource;
    /** Validate pushed objects against board/xsd/CiscoIPPhone.xsd with xmllint (default true). */
    validate?: boolean;
    /** Also check fetched objects against the XSD and record `schemaValid` (default false). */
    validatePulled?: boolean;
    /** Accept a raw XML body (node-cuipp style) instead of form field XML (default false: Error 1). */
    acceptRawXml?: boolean;
    /** Timeout of GETs made by the phone (default 10000 ms). */
    fetchTimeoutMs?: number;
    /** How often waits for idle / end of ringing re-check the phone when not notified (default 50 ms). */
    statePollMs?: number;
    /** Extra or replacement request headers for the pull side (lower-case names replace defaults). */
    headers?: Readonly<Record<string, string>>;
}

/**
 * Simulated SCCP phone: registers like a 7912 does with CallManager 4.1 (Alarm, RegisterReq,
 * capabilities, button and softkey templates, lines, forwarding, time), sends keepalives (and keeps a
 * keepalive-only standby link to a second CallManager when given one), and offers the keys a user has:
 * hook, keypad, softkeys by label (event numbers learned from the template), feature buttons. It keeps
 * what the CallManager shows it (prompt, notify, call states, softkey set, tones, lamps, ringer, time) for
 * assertions, and owns an optional XSI phone service.
 *
 * This class is a facade over one state object (phone/state.ts) and the rooms that work on it:
 * phone/screen.ts (what the phone shows, softkey lookup) < phone/keys.ts (what a user does) <
 * phone/links.ts (CallManager links, registration, keepalives, failover).
 */
import { EventEmitter } from "node:events";
import type { SccpFields } from "../sccp/index.js";
import { RealClock } from "./clock.js";
import type { ForwardData, LocalTime } from "./dialect.js";
import { SimError } from "./errors.js";
import { PHONE_MODELS, type PhoneModelInfo, phoneModel } from "./models.js";
import { type SimNetwork, TcpNetwork } from "./network.js";
import * as keys from "./phone/keys.js";
import { closeLinks, connectPrimary, halt, setUnregistered } from "./phone/links.js";
import { canPress } from "./phone/screen.js";
import {
    callList,
    createState,
    isIdle,
    isRinging,
    needPrimary,
    type PhoneIdentity,
    type PhoneState,
    primaryLink,
    run,
} from "./phone/state.js";
import type { HistoryEntry, PhoneCall, SimPhoneOptions, SoftKeyView } from "./phone/types.js";
import type { SimClock, SimGeneration, SimPhoneEvents, SimPhoneView, XsiServiceLike } from "./types.js";

export type { CallManagerAddress, HistoryEntry, PhoneCall, SimPhoneOptions, SoftKeyView } from "./phone/types.js";

/** A simulated phone. */
export class SimPhone extends EventEmitter<SimPhoneEvents> implements SimPhoneView, PhoneIdentity {
    readonly deviceName: string;
    readonly mac: string;
    readonly ip: string;
    readonly info: PhoneModelInfo;
    readonly clock: SimClock;
    readonly network: SimNetwork;
    readonly xsi: XsiServiceLike | null;
    /** Protocol errors seen on this phone's links (first 100). */
    readonly errors: string[];
    readonly history: HistoryEntry[];
    readonly stats: PhoneState["stats"];
    readonly #s: PhoneState;

    constructor(options: SimPhoneOptions) {
        super();
        const info = phoneModel(options.model ?? "7960");
        if (info === undefined) {
            throw new SimError("SIM_UNKNOWN_MODEL", `unknown phone model ${options.model}`, {
                known: Object.keys(PHONE_MODELS),
            });
        }
        if (options.callManagers.length === 0) throw new SimError("SIM_NO_CALLMANAGER", "a phone needs a CallManager");
        this.info = info;
        this.ip = options.ip;
        this.mac = (options.mac ?? macFromIp(options.ip)).toUpperCase();
        this.deviceName = options.deviceName ?? `SEP${this.mac}`;
        this.clock = options.clock ?? new RealClock();
        this.network = options.network ?? new TcpNetwork(this.clock);
        this.#s = createState(this, options, options.generation ?? info.generation, this);
        this.errors = this.#s.errors;
        this.history = this.#s.history;
        this.stats = this.#s.stats;
        const x = options.xsi;
        this.xsi = x === undefined ? null : typeof x === "function" ? x(this) : x;
    }

    // --- SimPhoneView ---

    /** Short model, e.g. "7960". */
    get model(): string {
        return this.info.model;
    }

    /** `x-CiscoIPPhoneModelName`, e.g. "CP-7960G". */
    get modelName(): string {
        return this.info.modelName;
    }

    /** RegisterReq device type. */
    get deviceType(): number {
        return this.info.deviceType;
    }

    /** User locale, when configured. */
    get locale(): string | undefined {
        return this.#s.opts.locale;
    }

    /** Directory numbers of the lines (LineStatRes), line 1 first. */
    get lines(): readonly string[] {
        return this.#s.lines;
    }

    /** Registered, on hook, and no call other than "in use remote" indications. */
    isIdle(): boolean {
        return isIdle(this.#s);
    }

    /** A call is ringing in. */
    isRinging(): boolean {
        return isRinging(this.#s);
    }

    // --- what the phone shows ---

    /** True once registration finished (TimeDateRes). */
    get registered(): boolean {
        return this.#s.registered;
    }

    /** Generation of the link (after registration: the negotiated one). */
    get generation(): SimGeneration {
        return this.#s.gen;
    }

    /** Status line text (labels rendered), "" when cleared. */
    get prompt(): string {
        return this.#s.prompt;
    }

    /** DisplayNotify text ("" when cleared). */
    get notify(): string {
        return this.#s.notify;
    }

    /** DisplayPriNotify text ("" when cleared). */
    get priNotify(): string {
        return this.#s.priNotify;
    }

    /** DisplayText (old CallManagers). */
    get text(): string {
        return this.#s.text;
    }

    /** Tone playing (0 = none). */
    get tone(): number {
        return this.#s.tone;
    }

    /** Ring mode (1 = off). */
    get ringer(): number {
        return this.#s.ringer;
    }

    /** Speaker on. */
    get speaker(): boolean {
        return this.#s.speaker;
    }

    /** The visible softkey set. */
    get softKeys(): SoftKeyView {
        return this.#s.softKeys;
    }

    /** The learned softkey template (label and event per key). */
    get template(): readonly { code: number; label: string; event: number }[] {
        return this.#s.template;
    }

    /** Calls by reference, oldest first. */
    get calls(): PhoneCall[] {
        return callList(this.#s);
    }

    /** The call with this reference. */
    call(ref: number): PhoneCall | undefined {
        return this.#s.calls.get(ref);
    }

    /** Lamp mode of a stimulus instance (1 = off). */
    lamp(stimulus: number, instance: number): number {
        return this.#s.lamps.get(`${stimulus}:${instance}`) ?? 1;
    }

    /** Forwarding of a line (ForwardStatRes). */
    forward(line = 1): ForwardData {
        return this.#s.forward.get(line) ?? { all: "", busy: "", noAnswer: "" };
    }

    /** Last DefineTimeDate. */
    get time(): LocalTime | null {
        return this.#s.time;
    }

    /** RegisterAck date template. */
    get dateTemplate(): string {
        return this.#s.dateTemplate;
    }

    /** Protocol errors on both links. */
    get protocolErrors(): number {
        return this.stats.protocolErrors;
    }

    // --- lifecycle ---

    /** Starts connecting and registering without waiting (and without the XSI service). */
    begin(): void {
        if (this.#s.running) return;
        this.#s.running = true;
        connectPrimary(this.#s, 0);
    }

    /** Connects to the first CallManager, registers, then starts the XSI service. */
    async start(): Promise<void> {
        this.begin();
        if (!this.#s.registered) {
            await new Promise<void>((resolve, reject) => this.#s.startWaiters.push({ resolve, reject }));
        }
        await this.xsi?.start();
    }

    /** Unregisters politely when registered, closes the links and stops the XSI service. */
    async stop(): Promise<void> {
        const s = this.#s;
        halt(s);
        const p = s.primary;
        run(s, () => {
            if (p !== null && s.registered) p.wire.unregister();
        });
        closeLinks(s, false);
        setUnregistered(s, "stopped");
        await this.xsi?.stop();
    }

    /** Sends UnregisterReq; the CallManager acknowledges and closes. The phone stays down. */
    unregister(): void {
        halt(this.#s);
        const p = needPrimary(this.#s);
        run(this.#s, () => p.wire.unregister());
    }

    /**
     * Power loss. `silent`: the links just go quiet (no FIN, no RST; the CallManager notices by keepalive
     * timeout); otherwise they are reset.
     */
    powerOff(options: { silent?: boolean } = {}): void {
        halt(this.#s);
        closeLinks(this.#s, options.silent !== true, options.silent === true);
        setUnregistered(this.#s, "power off");
    }

    /** Powers back on after `powerOff` or `stop`: registers again. */
    powerOn(): Promise<void> {
        closeLinks(this.#s, true);
        return this.start();
    }

    // --- user actions ---

    /** Lifts the handset (answers a ringing call, else dial tone on `line`). */
    offHook(line = 1): void {
        keys.offHook(this.#s, line);
    }

    /** Hangs up. */
    onHook(): void {
        keys.onHook(this.#s);
    }

    /** Answers the ringing call (Answer softkey on softkey phones, off hook otherwise). */
    answer(): void {
        keys.answer(this.#s);
    }

    /** Ends the current call (EndCall softkey when shown, else on hook). */
    hangUp(): void {
        keys.hangUp(this.#s);
    }

    /** Goes off hook when idle, then dials `number` (SimPhoneView.dial: XSI `Dial:` URIs). */
    dial(number: string): void {
        keys.dial(this.#s, number);
    }

    /** Presses keypad keys (0-9, *, #) on the current call. */
    keypad(digits: string): void {
        keys.keypad(this.#s, digits);
    }

    /** True when the softkey with this label is in the visible set. */
    canPress(labelName: string): boolean {
        return canPress(this.#s, labelName);
    }

    /**
     * Presses a softkey by label ("CallBack", "EndCall", "NewCall", ...; case-insensitive, matched against
     * the learned template). The SoftKeyEvent carries the template's event number and the line and call
     * reference of the visible set unless given. Throws SIM_SOFTKEY_NOT_SHOWN when the key is not on
     * screen (unless `force`), SIM_NO_SUCH_SOFTKEY when the template lacks it.
     */
    pressSoftKey(labelName: string, options: { line?: number; callRef?: number; force?: boolean } = {}): void {
        keys.pressSoftKey(this.#s, labelName, options);
    }

    /**
     * Presses a key by its XSI `Key:` name: SoftN (N-th visible softkey), KeyPad0-9 / KeyPadStar /
     * KeyPadPound, LineN, Speaker / Headset (toggle the hook), Hold. Unknown names are ignored.
     */
    pressKey(name: string): void {
        keys.pressKey(this.#s, name);
    }

    /** Sends any message on the CallManager link (header version of the link unless given). */
    send(id: number, fields: SccpFields, hv?: number): void {
        const p = primaryLink(this.#s);
        run(this.#s, () => p.session.send(id, fields, hv ?? p.session.hv));
    }

    /** Sends raw bytes on the CallManager link (robustness tests: broken or unknown messages). */
    sendFrame(frame: Uint8Array): void {
        const p = primaryLink(this.#s);
        run(this.#s, () => p.session.sendFrame(frame));
    }

    /** Presses a feature button (Stimulus): e.g. Stimulus.Line with the line, Stimulus.CallBack. */
    pressButton(stimulus: number, instance = 1): void {
        keys.pressButton(this.#s, stimulus, instance);
    }

    /** Holds the current call (Hold softkey, or the Hold button on phones without softkeys). */
    hold(): void {
        keys.hold(this.#s);
    }

    /** Resumes the held call. */
    resume(): void {
        keys.resume(this.#s);
    }

    /** Presses Transfer on the current call (first press consults, second completes). */
    transfer(): void {
        keys.transfer(this.#s);
    }
}

/** A MAC from the IP address: Cisco's 00:1E:4A OUI followed by the last three octets. */
export function macFromIp(ip: string): string {
    const p = ip.split(".").map((x) => Number(x) & 0xff);
    const hex = (v: number) => v.toString(16).padStart(2, "0");
    return `001E4A${hex(p[1] ?? 0)}${hex(p[2] ?? 0)}${hex(p[3] ?? 0)}`.toUpperCase();
}

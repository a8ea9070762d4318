/**
 * Simulated SCCP phone: registers like a 7912 does with CallManager 4.1 (Alarm, RegisterReq,
 * capabilities, button and softkey templates, lines, forwarding, time), sends keepalives (and keeps a
 * keepalive-only standby link to a second CallManager when given one), and offers the keys a user has:
 * hook, keypad, softkeys by label (event numbers learned from the template), feature buttons. It keeps
 * what the CallManager shows it (prompt, notify, call states, softkey set, tones, lamps, ringer, time) for
 * assertions, and owns an optional XSI phone service.
 */
import { EventEmitter } from "node:events";
import type { SccpFields, SccpMessage } from "../sccp/index.js";
import { RealClock } from "./clock.js";
import { type ForwardData, headerVersionOf, type LocalTime, num, PhoneWire, text } from "./dialect.js";
import { SimError } from "./errors.js";
import { Msg, Ring, Stimulus } from "./ids.js";
import { PHONE_MODELS, type PhoneModelInfo, phoneModel } from "./models.js";
import { type LinkCloseReason, type SimNetwork, TcpNetwork } from "./network.js";
import { SccpSession } from "./session.js";
import {
    CallState,
    type SimClock,
    type SimGeneration,
    type SimPhoneEvents,
    type SimPhoneView,
    type SimTimer,
    type XsiServiceFactory,
    type XsiServiceLike,
} from "./types.js";

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

interface LinkState {
    session: SccpSession;
    wire: PhoneWire;
    cm: CallManagerAddress;
    standby: boolean;
    kaTimer: SimTimer | null;
    missed: number;
}

type RegStep = readonly [kind: "skt" | "sks" | "line" | "fwd" | "sd" | "avail" | "time", n: number];

const NAME_BY_ID = new Map<number, string>(Object.entries(Msg).map(([k, v]) => [v, k]));

function normalizeLabel(s: string): string {
    return s.toLowerCase().replace(/[\s_-]/g, "");
}

/** A simulated phone. */
export class SimPhone extends EventEmitter<SimPhoneEvents> implements SimPhoneView {
    readonly deviceName: string;
    readonly mac: string;
    readonly ip: string;
    readonly info: PhoneModelInfo;
    readonly clock: SimClock;
    readonly network: SimNetwork;
    readonly xsi: XsiServiceLike | null;
    /** Protocol errors seen on this phone's links (first 100). */
    readonly errors: string[] = [];
    readonly history: HistoryEntry[] = [];
    readonly stats = { registrations: 0, keepAlives: 0, protocolErrors: 0, failovers: 0, messagesSent: 0 };

    #gen: SimGeneration;
    readonly #baseGen: SimGeneration;
    readonly #opts: SimPhoneOptions;
    #primary: LinkState | null = null;
    #standby: LinkState | null = null;
    #registered = false;
    #running = false;
    #oldCm = false;
    #keepAliveMs = 30_000;
    #secondaryKeepAliveMs = 60_000;
    #regSteps: RegStep[] = [];
    #reconnectTimer: SimTimer | null = null;
    #dialTimer: SimTimer | null = null;
    readonly #dirty = new Set<SccpSession>();
    #depth = 0;
    #wasIdle = false;
    #startWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];

    // What the CallManager showed.
    #lineCount = 0;
    #lines: string[] = [];
    #lineNames: string[] = [];
    #speedDials = 0;
    #template: { code: number; label: string; wire: string; event: number }[] = [];
    #sets: { template: number[] }[] = [];
    #softKeys: SoftKeyView = { line: 0, callRef: 0, set: 0, mask: 0, labels: [] };
    readonly #calls = new Map<number, PhoneCall>();
    #prompt = "";
    #notify = "";
    #priNotify = "";
    #text = "";
    #tone = 0;
    #ringer: number = Ring.Off;
    #speaker = false;
    #hookOff = false;
    readonly #lamps = new Map<string, number>();
    readonly #forward = new Map<number, ForwardData>();
    #time: LocalTime | null = null;
    #dateTemplate = "";
    #pendingDigits = "";
    /** Work deferred to the end of the CallManager burst being handled. */
    #dialAfterBurst = false;
    #regAfterBurst = false;

    constructor(options: SimPhoneOptions) {
        super();
        this.#opts = options;
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
        this.#gen = options.generation ?? info.generation;
        this.#baseGen = this.#gen;
        this.clock = options.clock ?? new RealClock();
        this.network = options.network ?? new TcpNetwork(this.clock);
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
        return this.#opts.locale;
    }

    /** Directory numbers of the lines (LineStatRes), line 1 first. */
    get lines(): readonly string[] {
        return this.#lines;
    }

    /** Registered, on hook, and no call other than "in use remote" indications. */
    isIdle(): boolean {
        if (!this.#registered || this.#hookOff) return false;
        for (const c of this.#calls.values()) if (c.state !== CallState.CallRemoteMultiline) return false;
        return !this.#oldCmRinging();
    }

    /** A call is ringing in. */
    isRinging(): boolean {
        for (const c of this.#calls.values()) if (c.state === CallState.RingIn) return true;
        return this.#oldCmRinging();
    }

    #oldCmRinging(): boolean {
        return this.#gen === "cm2" && this.#ringer !== Ring.Off;
    }

    // --- what the phone shows ---

    /** True once registration finished (TimeDateRes). */
    get registered(): boolean {
        return this.#registered;
    }

    /** Generation of the link (after registration: the negotiated one). */
    get generation(): SimGeneration {
        return this.#gen;
    }

    /** Status line text (labels rendered), "" when cleared. */
    get prompt(): string {
        return this.#prompt;
    }

    /** DisplayNotify text ("" when cleared). */
    get notify(): string {
        return this.#notify;
    }

    /** DisplayPriNotify text ("" when cleared). */
    get priNotify(): string {
        return this.#priNotify;
    }

    /** DisplayText (old CallManagers). */
    get text(): string {
        return this.#text;
    }

    /** Tone playing (0 = none). */
    get tone(): number {
        return this.#tone;
    }

    /** Ring mode (1 = off). */
    get ringer(): number {
        return this.#ringer;
    }

    /** Speaker on. */
    get speaker(): boolean {
        return this.#speaker;
    }

    /** The visible softkey set. */
    get softKeys(): SoftKeyView {
        return this.#softKeys;
    }

    /** The learned softkey template (label and event per key). */
    get template(): readonly { code: number; label: string; event: number }[] {
        return this.#template;
    }

    /** Calls by reference, oldest first. */
    get calls(): PhoneCall[] {
        return [...this.#calls.values()];
    }

    /** The call with this reference. */
    call(ref: number): PhoneCall | undefined {
        return this.#calls.get(ref);
    }

    /** Lamp mode of a stimulus instance (1 = off). */
    lamp(stimulus: number, instance: number): number {
        return this.#lamps.get(`${stimulus}:${instance}`) ?? 1;
    }

    /** Forwarding of a line (ForwardStatRes). */
    forward(line = 1): ForwardData {
        return this.#forward.get(line) ?? { all: "", busy: "", noAnswer: "" };
    }

    /** Last DefineTimeDate. */
    get time(): LocalTime | null {
        return this.#time;
    }

    /** RegisterAck date template. */
    get dateTemplate(): string {
        return this.#dateTemplate;
    }

    /** Protocol errors on both links. */
    get protocolErrors(): number {
        return this.stats.protocolErrors;
    }

    // --- lifecycle ---

    /** Starts connecting and registering without waiting (and without the XSI service). */
    begin(): void {
        if (this.#running) return;
        this.#running = true;
        this.#connectPrimary(0);
    }

    /** Connects to the first CallManager, registers, then starts the XSI service. */
    async start(): Promise<void> {
        this.begin();
        if (!this.#registered) {
            await new Promise<void>((resolve, reject) => this.#startWaiters.push({ resolve, reject }));
        }
        await this.xsi?.start();
    }

    /** Unregisters politely when registered, closes the links and stops the XSI service. */
    async stop(): Promise<void> {
        this.#halt();
        const p = this.#primary;
        this.#run(() => {
            if (p !== null && this.#registered) p.wire.unregister();
        });
        this.#closeLinks(false);
        this.#setUnregistered("stopped");
        await this.xsi?.stop();
    }

    /** Sends UnregisterReq; the CallManager acknowledges and closes. The phone stays down. */
    unregister(): void {
        this.#halt();
        const p = this.#needPrimary();
        this.#run(() => p.wire.unregister());
    }

    /**
     * Power loss. `silent`: the links just go quiet (no FIN, no RST; the CallManager notices by keepalive
     * timeout); otherwise they are reset.
     */
    powerOff(options: { silent?: boolean } = {}): void {
        this.#halt();
        this.#closeLinks(options.silent !== true, options.silent === true);
        this.#setUnregistered("power off");
    }

    /** Powers back on after `powerOff` or `stop`: registers again. */
    powerOn(): Promise<void> {
        this.#closeLinks(true);
        return this.start();
    }

    #halt(): void {
        this.#running = false;
        this.clock.clearTimer(this.#reconnectTimer);
        this.#reconnectTimer = null;
        this.clock.clearTimer(this.#dialTimer);
        this.#dialTimer = null;
        this.#pendingDigits = "";
    }

    #closeLinks(reset: boolean, silent = false): void {
        for (const l of [this.#primary, this.#standby]) {
            if (l === null) continue;
            this.clock.clearTimer(l.kaTimer);
            l.kaTimer = null;
            if (silent) l.session.freeze();
            else if (reset) l.session.abort();
            else l.session.close();
        }
        this.#primary = null;
        this.#standby = null;
    }

    #setUnregistered(reason: string): void {
        const was = this.#registered;
        this.#registered = false;
        this.#calls.clear();
        this.#hookOff = false;
        this.#ringer = Ring.Off;
        this.#tone = 0;
        if (was) this.emit("unregistered", reason);
        this.#checkIdle();
    }

    // --- links ---

    #connectPrimary(index: number): void {
        const cms = this.#opts.callManagers;
        const cm = cms[index % cms.length] as CallManagerAddress;
        this.network.connect({ host: cm.host, port: cm.port, localAddress: this.ip }, (err, link) => {
            if (!this.#running) {
                link?.destroy();
                return;
            }
            if (err !== null || link === null) {
                // Try the next CallManager, then wait and start over.
                if (index + 1 < cms.length) this.#connectPrimary(index + 1);
                else this.#scheduleReconnect(err ?? new Error("connect failed"));
                return;
            }
            const st = this.#link(link, cm, false);
            this.#primary = st;
            this.#run(() => this.#sendRegister(st));
        });
    }

    #link(link: import("./network.js").SimLink, cm: CallManagerAddress, standby: boolean): LinkState {
        const st: LinkState = {
            session: null as unknown as SccpSession,
            wire: null as unknown as PhoneWire,
            cm,
            standby,
            kaTimer: null,
            missed: 0,
        };
        st.session = new SccpSession(link, {
            onMessage: (msg) => this.#run(() => this.#onMessage(st, msg)),
            onClose: (reason) => this.#run(() => this.#onClose(st, reason)),
            onDirty: (s) => this.#dirty.add(s),
            onProtocolError: (text) => {
                this.stats.protocolErrors++;
                if (this.errors.length < 100) this.errors.push(text);
                this.emit("protocolError", text);
            },
            onChunkEnd: () => this.#run(() => this.#afterBurst(st)),
            onSend: (id, fields) => {
                this.stats.messagesSent++;
                this.#record("out", id, fields);
            },
        });
        st.wire = new PhoneWire(st.session, this.#gen);
        return st;
    }

    #scheduleReconnect(err: Error): void {
        const ms = this.#opts.reconnectMs ?? 10_000;
        if (ms <= 0 || !this.#running) {
            this.#running = false;
            const waiters = this.#startWaiters;
            this.#startWaiters = [];
            for (const w of waiters) {
                w.reject(new SimError("SIM_CONNECT", `${this.deviceName}: cannot reach a CallManager: ${err.message}`));
            }
            return;
        }
        this.#reconnectTimer = this.clock.setTimer(ms, () => {
            this.#reconnectTimer = null;
            if (this.#running && this.#primary === null) this.#connectPrimary(0);
        });
    }

    #sendRegister(st: LinkState): void {
        st.session.hv = 0;
        this.#gen = this.#baseGen;
        st.wire.gen = this.#gen === "cm2" ? "cm4" : this.#gen;
        st.wire.alarm(`Name=${this.deviceName} Load=${this.info.firmware} Last=Initialized`);
        st.wire.registerReq({
            deviceName: this.deviceName,
            ip: this.ip,
            deviceType: this.info.deviceType,
            protocolVer: this.#gen === "v20" ? 20 : this.info.protocolVer,
            dynamic: this.#gen === "v20",
            mac: this.mac,
            firmware: this.info.firmware,
            lines: this.info.maxLines,
        });
        st.wire.ipPort(this.#opts.rtpPort ?? 16384);
    }

    #onClose(st: LinkState, reason: LinkCloseReason): void {
        this.clock.clearTimer(st.kaTimer);
        st.kaTimer = null;
        if (st === this.#standby) {
            this.#standby = null;
            return;
        }
        if (st !== this.#primary) return;
        this.#primary = null;
        this.#setUnregistered(`CallManager link closed (${reason})`);
        if (!this.#running) return;
        const standby = this.#standby;
        if (standby !== null) {
            // Fail over: register on the standby link.
            this.stats.failovers++;
            this.#standby = null;
            this.clock.clearTimer(standby.kaTimer);
            standby.kaTimer = null;
            standby.standby = false;
            this.#primary = standby;
            this.#sendRegister(standby);
            return;
        }
        this.#scheduleReconnect(new Error(`link closed (${reason})`));
    }

    #openStandby(): void {
        const cm = this.#opts.callManagers.find((c) => c !== this.#primary?.cm);
        if (cm === undefined || this.#standby !== null || this.#opts.callManagers.length < 2) return;
        this.network.connect({ host: cm.host, port: cm.port, localAddress: this.ip }, (err, link) => {
            if (err !== null || link === null || !this.#running || this.#standby !== null) {
                link?.destroy();
                return;
            }
            const st = this.#link(link, cm, true);
            this.#standby = st;
            this.#run(() => {
                st.wire.empty(Msg.KeepAliveReq);
                this.#armKeepAlive(st);
            });
        });
    }

    #armKeepAlive(st: LinkState): void {
        const ms = st.standby ? this.#secondaryKeepAliveMs : this.#keepAliveMs;
        st.kaTimer = this.clock.setTimer(ms, () =>
            this.#run(() => {
                st.kaTimer = null;
                if (!st.session.open) return;
                if (st.missed >= 3) {
                    // Three keepalives without an answer: the CallManager is gone.
                    st.session.abort();
                    this.#onClose(st, "reset");
                    return;
                }
                st.missed++;
                this.stats.keepAlives++;
                st.wire.empty(Msg.KeepAliveReq);
                this.#armKeepAlive(st);
            }),
        );
    }

    #needPrimary(): LinkState {
        const p = this.#primary;
        if (p === null || !this.#registered) {
            throw new SimError("SIM_NOT_REGISTERED", `${this.deviceName} is not registered`);
        }
        return p;
    }

    #run(fn: () => void): void {
        this.#depth++;
        try {
            fn();
        } finally {
            this.#depth--;
            if (this.#depth === 0) {
                for (const s of this.#dirty) s.flush();
                this.#dirty.clear();
                this.#checkIdle();
            }
        }
    }

    #checkIdle(): void {
        const idle = this.isIdle();
        if (idle === this.#wasIdle) return;
        this.#wasIdle = idle;
        this.emit(idle ? "idle" : "busy");
    }

    #record(dir: "in" | "out", id: number, fields: SccpFields, name?: string): void {
        const cap = this.#opts.history ?? 2000;
        if (cap <= 0) return;
        if (this.history.length >= cap) this.history.shift();
        this.history.push({
            t: this.clock.now(),
            dir,
            id,
            name: name ?? NAME_BY_ID.get(id) ?? `0x${id.toString(16)}`,
            fields,
        });
    }

    // --- user actions ---

    /** Lifts the handset (answers a ringing call, else dial tone on `line`). */
    offHook(line = 1): void {
        const p = this.#needPrimary();
        this.#run(() => {
            this.#hookOff = true;
            const ringing = this.calls.find((c) => c.state === CallState.RingIn);
            p.wire.offHook(ringing?.line ?? line, ringing?.callRef ?? 0);
        });
    }

    /** Hangs up. */
    onHook(): void {
        const p = this.#needPrimary();
        this.#run(() => {
            this.#hookOff = false;
            this.#pendingDigits = "";
            const active = this.#activeCall();
            p.wire.onHook(active?.line ?? 0, active?.callRef ?? 0);
        });
    }

    /** Answers the ringing call (Answer softkey on softkey phones, off hook otherwise). */
    answer(): void {
        if (this.info.softKeys && this.#gen !== "cm2" && this.#template.length > 0) {
            const ringing = this.calls.find((c) => c.state === CallState.RingIn);
            if (ringing !== undefined && this.#activeCall() !== null) {
                this.pressSoftKey("Answer", { line: ringing.line, callRef: ringing.callRef, force: true });
                return;
            }
        }
        this.offHook();
    }

    /** Ends the current call (EndCall softkey when shown, else on hook). */
    hangUp(): void {
        if (this.#canPress("Endcall")) this.pressSoftKey("EndCall");
        else this.onHook();
    }

    /** Goes off hook when idle, then dials `number` (SimPhoneView.dial: XSI `Dial:` URIs). */
    dial(number: string): void {
        const p = this.#needPrimary();
        this.#run(() => {
            const active = this.#activeCall();
            if (this.#opts.dialMode === "enbloc") {
                if (active === null) {
                    this.#hookOff = true;
                    p.wire.offHook(1, 0);
                }
                p.wire.enbloc(number, active?.line ?? 1);
                return;
            }
            this.#pendingDigits += number;
            if (this.#gen === "cm2" && this.#hookOff) this.#sendDigits();
            else if (active === null) {
                const newCall = this.#findKey("NewCall");
                if (this.isRinging() && newCall >= 0) {
                    // Lifting the handset would answer: dial out on a new call instead.
                    p.wire.softKeyEvent(this.#template[newCall]?.event ?? 2, 1, 0);
                } else {
                    this.#hookOff = true;
                    p.wire.offHook(1, 0);
                }
            } else if (active.state === CallState.OffHook || active.state === CallState.Proceed) this.#sendDigits();
        });
    }

    /** Presses keypad keys (0-9, *, #) on the current call. */
    keypad(keys: string): void {
        this.#needPrimary();
        this.#run(() => {
            this.#pendingDigits += keys;
            this.#sendDigits();
        });
    }

    #activeCall(): PhoneCall | null {
        for (const c of this.#calls.values()) {
            if (c.state === CallState.RingIn || c.state === CallState.Hold) continue;
            if (c.state === CallState.CallRemoteMultiline || c.state === CallState.OnHook) continue;
            return c;
        }
        return null;
    }

    #sendDigits(): void {
        const p = this.#primary;
        if (p === null || this.#pendingDigits === "" || this.#dialTimer !== null) return;
        const call = this.#activeCall();
        const gap = this.#opts.interDigitMs ?? 0;
        const sendOne = (): void => {
            const ch = this.#pendingDigits[0] as string;
            this.#pendingDigits = this.#pendingDigits.slice(1);
            const kp = ch === "*" ? 0x0e : ch === "#" ? 0x0f : Number(ch);
            if (Number.isInteger(kp)) p.wire.keypad(kp, call?.line ?? 1, call?.callRef ?? 0);
        };
        if (gap <= 0) {
            while (this.#pendingDigits !== "") {
                sendOne();
                p.session.flush();
            }
            return;
        }
        const step = (): void => {
            this.#dialTimer = null;
            if (this.#pendingDigits === "" || this.#primary !== p) return;
            this.#run(sendOne);
            if (this.#pendingDigits !== "") this.#dialTimer = this.clock.setTimer(gap, step);
        };
        sendOne();
        if (this.#pendingDigits !== "") this.#dialTimer = this.clock.setTimer(gap, step);
    }

    /** True when the softkey with this label is in the visible set. */
    canPress(labelName: string): boolean {
        return this.#canPress(labelName);
    }

    #canPress(labelName: string): boolean {
        const k = this.#findKey(labelName);
        return k >= 0 && this.#visible(k + 1);
    }

    #findKey(labelName: string): number {
        const want = normalizeLabel(labelName);
        return this.#template.findIndex((k) => normalizeLabel(k.label) === want || k.wire === labelName);
    }

    #visible(templateIndex: number): boolean {
        const set = this.#sets[this.#softKeys.set];
        if (set === undefined) return false;
        const slot = set.template.indexOf(templateIndex);
        return slot >= 0 && ((this.#softKeys.mask >>> slot) & 1) === 1;
    }

    /**
     * Presses a softkey by label ("CallBack", "EndCall", "NewCall", ...; case-insensitive, matched against
     * the learned template). The SoftKeyEvent carries the template's event number and the line and call
     * reference of the visible set unless given. Throws SIM_SOFTKEY_NOT_SHOWN when the key is not on
     * screen (unless `force`), SIM_NO_SUCH_SOFTKEY when the template lacks it.
     */
    pressSoftKey(labelName: string, options: { line?: number; callRef?: number; force?: boolean } = {}): void {
        const p = this.#needPrimary();
        if (!this.info.softKeys) {
            throw new SimError("SIM_NO_SOFTKEYS", `${this.deviceName} (${this.info.model}) has no softkeys`);
        }
        const i = this.#findKey(labelName);
        const key = this.#template[i];
        if (key === undefined) {
            throw new SimError("SIM_NO_SUCH_SOFTKEY", `${this.deviceName}: no softkey "${labelName}" in the template`, {
                template: this.#template.map((k) => k.label),
            });
        }
        if (options.force !== true && !this.#visible(i + 1)) {
            throw new SimError("SIM_SOFTKEY_NOT_SHOWN", `${this.deviceName}: softkey "${labelName}" is not shown`, {
                set: this.#softKeys.set,
                shown: this.#softKeys.labels.filter((l) => l !== ""),
            });
        }
        const line = options.line ?? this.#softKeys.line;
        const ref = options.callRef ?? this.#softKeys.callRef;
        this.#run(() => p.wire.softKeyEvent(key.event, line, ref));
    }

    /**
     * Presses a key by its XSI `Key:` name: SoftN (N-th visible softkey), KeyPad0-9 / KeyPadStar /
     * KeyPadPound, LineN, Speaker / Headset (toggle the hook), Hold. Unknown names are ignored.
     */
    pressKey(name: string): void {
        let m = /^Soft(\d)$/i.exec(name);
        if (m !== null) {
            const label = this.#softKeys.labels[Number(m[1]) - 1];
            if (label !== undefined && label !== "") this.pressSoftKey(label);
            return;
        }
        m = /^KeyPad(\d|Star|Pound)$/i.exec(name);
        if (m !== null) {
            const k = (m[1] as string).toLowerCase();
            const key = k === "star" ? "*" : k === "pound" ? "#" : k;
            if (this.#activeCall() === null) this.dial(key);
            else this.keypad(key);
            return;
        }
        m = /^Line(\d)$/i.exec(name);
        if (m !== null) {
            this.pressButton(Stimulus.Line, Number(m[1]));
            return;
        }
        if (/^(Speaker|Headset)$/i.test(name)) {
            if (this.#hookOff || this.#activeCall() !== null) this.onHook();
            else this.offHook();
        } else if (/^Hold$/i.test(name)) this.hold();
    }

    /** Sends any message on the CallManager link (header version of the link unless given). */
    send(id: number, fields: SccpFields, hv?: number): void {
        const p = this.#primaryLink();
        this.#run(() => p.session.send(id, fields, hv ?? p.session.hv));
    }

    /** Sends raw bytes on the CallManager link (robustness tests: broken or unknown messages). */
    sendFrame(frame: Uint8Array): void {
        const p = this.#primaryLink();
        this.#run(() => p.session.sendFrame(frame));
    }

    #primaryLink(): LinkState {
        const p = this.#primary;
        if (p === null) throw new SimError("SIM_NOT_CONNECTED", `${this.deviceName} has no CallManager link`);
        return p;
    }

    /** Presses a feature button (Stimulus): e.g. Stimulus.Line with the line, Stimulus.CallBack. */
    pressButton(stimulus: number, instance = 1): void {
        const p = this.#needPrimary();
        const active = this.#activeCall();
        this.#run(() => p.wire.stimulus(stimulus, instance, active?.callRef ?? 0));
    }

    /** Holds the current call (Hold softkey, or the Hold button on phones without softkeys). */
    hold(): void {
        if (this.info.softKeys && this.#canPress("Hold")) this.pressSoftKey("Hold");
        else this.pressButton(Stimulus.Hold);
    }

    /** Resumes the held call. */
    resume(): void {
        const held = this.calls.find((c) => c.state === CallState.Hold);
        if (held === undefined) return;
        if (this.info.softKeys) this.pressSoftKey("Resume", { line: held.line, callRef: held.callRef, force: true });
        else this.pressButton(Stimulus.Hold);
    }

    /** Presses Transfer on the current call (first press consults, second completes). */
    transfer(): void {
        const active = this.#activeCall();
        if (this.info.softKeys) {
            this.pressSoftKey("Transfer", { line: active?.line ?? 1, callRef: active?.callRef ?? 0, force: true });
        } else this.pressButton(Stimulus.Transfer);
    }

    // --- what the CallManager sends ---

    #onMessage(st: LinkState, msg: SccpMessage): void {
        this.#record("in", msg.id, msg.fields, msg.name);
        const f = msg.fields;
        if (msg.id === Msg.KeepAliveAck) {
            st.missed = 0;
            return;
        }
        if (st.standby) return;
        const w = st.wire;
        switch (msg.id) {
            case Msg.RegisterAck: {
                this.#keepAliveMs = num(f, "keepAliveInterval") * 1000 || 30_000;
                this.#secondaryKeepAliveMs = num(f, "secondaryKeepAliveInterval") * 1000 || this.#keepAliveMs * 2;
                this.#dateTemplate = text(f, "dateTemplate");
                this.#oldCm = f.maxProtocolVer === undefined;
                const negotiated = this.#oldCm
                    ? 0
                    : Math.min(num(f, "maxProtocolVer"), this.#gen === "v20" ? 20 : this.info.protocolVer);
                const gen: SimGeneration = this.#oldCm
                    ? "cm2"
                    : negotiated >= 17 && this.#gen === "v20"
                      ? "v20"
                      : "cm4";
                this.#gen = gen;
                w.gen = gen;
                st.session.hv = headerVersionOf(gen);
                this.clock.clearTimer(st.kaTimer);
                this.#armKeepAlive(st);
                return;
            }
            case Msg.RegisterReject: {
                this.#halt();
                const waiters = this.#startWaiters;
                this.#startWaiters = [];
                for (const x of waiters)
                    x.reject(new SimError("SIM_REGISTER_REJECTED", `${this.deviceName}: ${text(f, "text")}`));
                st.session.close();
                return;
            }
            case Msg.CapabilitiesReq:
                w.capabilities();
                w.empty(Msg.ButtonTemplateReq);
                return;
            case Msg.ButtonTemplateRes: {
                const defs = Array.isArray(f.definition) ? (f.definition as SccpFields[]) : [];
                this.#lineCount = defs.filter((d) => d.buttonDefinition === Stimulus.Line).length;
                this.#speedDials = defs.filter((d) => d.buttonDefinition === Stimulus.SpeedDial).length;
                const steps: RegStep[] = [];
                if (!this.#oldCm && this.info.softKeys) steps.push(["skt", 0], ["sks", 0]);
                for (let i = 1; i <= this.#lineCount; i++) steps.push(["line", i]);
                if (!this.#oldCm) for (let i = 1; i <= this.#lineCount; i++) steps.push(["fwd", i]);
                for (let i = this.#speedDials; i >= 1; i--) steps.push(["sd", i]);
                steps.push(["avail", 0], ["time", 0]);
                this.#regSteps = steps;
                this.#lines = [];
                this.#regAfterBurst = true;
                return;
            }
            case Msg.SoftKeyTemplateRes: {
                const defs = Array.isArray(f.definition) ? (f.definition as SccpFields[]) : [];
                this.#template = defs.map((d) => {
                    const wire =
                        typeof d.softKeyLabelCodes === "string" ? d.softKeyLabelCodes : String(d.softKeyLabel ?? "");
                    return {
                        code: wire.charCodeAt(0) === 0x80 ? wire.charCodeAt(1) : -1,
                        label: String(d.softKeyLabel ?? ""),
                        wire,
                        event: typeof d.softKeyEvent === "number" ? d.softKeyEvent : 0,
                    };
                });
                this.#regStepDone(st, "skt");
                return;
            }
            case Msg.SoftKeySetRes: {
                const defs = Array.isArray(f.definition) ? (f.definition as SccpFields[]) : [];
                this.#sets = defs.map((d) => ({
                    template: Array.isArray(d.softKeyTemplateIndex) ? (d.softKeyTemplateIndex as number[]) : [],
                }));
                this.#regStepDone(st, "sks");
                return;
            }
            case Msg.LineStatRes:
            case Msg.LineStatV2Res: {
                const line = num(f, "lineNumber");
                this.#lines[line - 1] = text(f, "lineDirNumber");
                this.#lineNames[line - 1] = text(f, "lineFullyQualifiedDisplayName");
                this.#regStepDone(st, "line");
                return;
            }
            case Msg.ForwardStatRes:
                this.#forward.set(num(f, "lineNumber"), {
                    all: num(f, "forwardAllActive") !== 0 ? text(f, "forwardAllNumber") : "",
                    busy: num(f, "forwardBusyActive") !== 0 ? text(f, "forwardBusyNumber") : "",
                    noAnswer: num(f, "forwardNoAnswerActive") !== 0 ? text(f, "forwardNoAnswerNumber") : "",
                });
                this.#regStepDone(st, "fwd");
                return;
            case Msg.SpeedDialStatRes:
                this.#regStepDone(st, "sd");
                return;
            case Msg.TimeDateRes:
                this.#time = {
                    year: num(f, "wYear"),
                    month: num(f, "wMonth"),
                    dayOfWeek: num(f, "wDayOfWeek"),
                    day: num(f, "wDay"),
                    hour: num(f, "wHour"),
                    minute: num(f, "wMinute"),
                    second: num(f, "wSecond"),
                    millisecond: num(f, "wMilliseconds"),
                    systemTime: num(f, "systemTime"),
                };
                if (this.#regStepDone(st, "time")) this.#registrationDone();
                return;
            case Msg.UnregisterAck:
                st.session.close();
                this.#onClose(st, "end");
                return;
            case Msg.Reset:
                // Restart: drop the link and register again after the reconnect delay.
                st.session.close();
                this.#onClose(st, "end");
                return;
            case Msg.OpenReceiveChannel:
                w.openReceiveChannelAck(
                    this.ip,
                    this.#opts.rtpPort ?? 16384,
                    num(f, "passThroughPartyId"),
                    num(f, "callReference"),
                );
                return;
        }
        this.#display(msg);
    }

    #display(msg: SccpMessage): void {
        const f = msg.fields;
        switch (msg.id) {
            case Msg.CallState: {
                const ref = num(f, "callReference");
                const state = num(f, "callState");
                const line = num(f, "lineInstance");
                if (state === CallState.OnHook) this.#calls.delete(ref);
                else {
                    const c = this.#calls.get(ref);
                    if (c === undefined) {
                        this.#calls.set(ref, { line, callRef: ref, state, tone: 0, info: null, dialed: "" });
                    } else c.state = state;
                }
                this.emit("callState", line, ref, state);
                if (state === CallState.RingIn) this.emit("ringing", line, ref);
                // Dial once the whole burst (dial tone included) has been handled.
                if (state === CallState.OffHook && this.#pendingDigits !== "") this.#dialAfterBurst = true;
                return;
            }
            case Msg.SelectSoftKeys: {
                const set = num(f, "softKeySetIndex");
                const mask = num(f, "validKeyMask");
                const slots = this.#sets[set]?.template ?? [];
                const labels = slots.map((idx, k) =>
                    idx > 0 && ((mask >>> k) & 1) === 1 ? (this.#template[idx - 1]?.label ?? "") : "",
                );
                while (labels.length > 0 && labels[labels.length - 1] === "") labels.pop();
                this.#softKeys = { line: num(f, "lineInstance"), callRef: num(f, "callReference"), set, mask, labels };
                this.emit("softKeys", set, labels);
                return;
            }
            case Msg.DisplayPromptStatus:
            case Msg.DisplayPromptStatusV2:
                this.#prompt = text(f, "promptStatus");
                this.emit("display", "prompt", this.#prompt);
                return;
            case Msg.ClearPromptStatus:
                this.#prompt = "";
                this.emit("display", "prompt", "");
                return;
            case Msg.DisplayNotify:
            case Msg.DisplayNotifyV2:
                this.#notify = text(f, "notify");
                this.emit("display", "notify", this.#notify);
                return;
            case Msg.ClearNotify:
                this.#notify = "";
                return;
            case Msg.DisplayPriNotify:
            case Msg.DisplayPriNotifyV2:
                this.#priNotify = text(f, "notify");
                this.emit("display", "priNotify", this.#priNotify);
                return;
            case Msg.ClearPriNotify:
                this.#priNotify = "";
                return;
            case Msg.DisplayText:
                this.#text = text(f, "text");
                this.emit("display", "text", this.#text);
                return;
            case Msg.ClearDisplay:
                this.#text = "";
                return;
            case Msg.StartTone: {
                this.#tone = num(f, "tone");
                // Old CallManagers send no CallState: dial tone is the cue to dial.
                if (this.#gen === "cm2" && this.#tone === 0x21 && this.#pendingDigits !== "")
                    this.#dialAfterBurst = true;
                const c = this.#calls.get(num(f, "callReference"));
                if (c !== undefined) c.tone = this.#tone;
                this.emit("tone", this.#tone, num(f, "lineInstance"), num(f, "callReference"));
                return;
            }
            case Msg.StopTone: {
                this.#tone = 0;
                const c = this.#calls.get(num(f, "callReference"));
                if (c !== undefined) c.tone = 0;
                this.emit("tone", 0x7f, num(f, "lineInstance"), num(f, "callReference"));
                return;
            }
            case Msg.SetRinger:
                this.#ringer = num(f, "ringMode");
                return;
            case Msg.SetLamp:
                this.#lamps.set(`${num(f, "stimulus")}:${num(f, "stimulusInstance")}`, num(f, "lampMode"));
                return;
            case Msg.SetSpeakerMode:
                this.#speaker = num(f, "speakerMode") === 1;
                this.#hookOff = this.#speaker;
                return;
            case Msg.CallInfo:
            case Msg.CallInfoV2: {
                const ref = num(f, "callReference");
                const c = ref !== 0 ? this.#calls.get(ref) : this.calls[0];
                if (c !== undefined) c.info = msg.fields;
                return;
            }
            case Msg.DialedNumber: {
                const c = this.#calls.get(num(f, "callReference"));
                if (c !== undefined) c.dialed = text(f, "dialedNumber");
                return;
            }
        }
    }

    #nextRegStep(st: LinkState): void {
        const step = this.#regSteps[0];
        if (step === undefined) return;
        const [kind, i] = step;
        const w = st.wire;
        switch (kind) {
            case "skt":
                w.empty(Msg.SoftKeyTemplateReq);
                return;
            case "sks":
                w.empty(Msg.SoftKeySetReq);
                return;
            case "line":
                w.lineStatReq(i);
                return;
            case "fwd":
                w.forwardStatReq(i);
                return;
            case "sd":
                w.speedDialStatReq(i);
                return;
            case "avail":
                w.availableLines(this.#lineCount);
                this.#regSteps.shift();
                this.#nextRegStep(st);
                return;
            case "time":
                w.empty(Msg.TimeDateReq);
                return;
        }
    }

    /** Marks the pending registration step answered; true when it was the one expected. */
    #regStepDone(st: LinkState, kind: RegStep[0]): boolean {
        const step = this.#regSteps[0];
        if (step === undefined || step[0] !== kind) return false;
        this.#regSteps.shift();
        // The next request goes out once the whole burst is handled, as a 7912 does.
        this.#regAfterBurst = true;
        void st;
        return true;
    }

    #afterBurst(st: LinkState): void {
        if (this.#regAfterBurst) {
            this.#regAfterBurst = false;
            if (st === this.#primary) this.#nextRegStep(st);
        }
        if (this.#dialAfterBurst) {
            this.#dialAfterBurst = false;
            this.#sendDigits();
        }
    }

    #registrationDone(): void {
        this.#registered = true;
        this.stats.registrations++;
        this.#openStandby();
        this.emit("registered");
        const waiters = this.#startWaiters;
        this.#startWaiters = [];
        for (const w of waiters) w.resolve();
    }
}

/** A MAC from the IP address: Cisco's 00:1E:4A OUI followed by the last three octets. */
export function macFromIp(ip: string): string {
    const p = ip.split(".").map((x) => Number(x) & 0xff);
    const hex = (v: number) => v.toString(16).padStart(2, "0");
    return `001E4A${hex(p[1] ?? 0)}${hex(p[2] ?? 0)}${hex(p[3] ?? 0)}`.toUpperCase();
}

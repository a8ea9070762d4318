/**
 * Simulated CallManager: an SCCP server that registers provisioned phones with the CallManager 4.x
 * registration exchange and switches calls between them with the message sequences a CM 4.x cluster
 * sends (SCCP-REFERENCE section 4 and the CM 4.1 capture): dial tone, digits, ringback or busy, ring in,
 * connect, hold, call waiting, forwarding, no-answer timeout, shared lines. Each phone link speaks its own
 * generation (static CM 4.x, V20 dynamic messages, or a CM 2.x-wide old dialect).
 *
 * Everything is synchronous and timed through the injected clock; output of one step is flushed as one
 * TCP write per phone at the end of the step, as a CallManager coalesces its bursts.
 */
import { EventEmitter } from "node:events";
import type { SccpFields, SccpMessage } from "../sccp/index.js";
import { RealClock } from "./clock.js";
import { type CallInfoData, CmWire, type ForwardData, localTime, type MediaData, num } from "./dialect.js";
import { SimError } from "./errors.js";
import { Label, Lamp, label, Msg, Ring, Stimulus } from "./ids.js";
import {
    type LinkCloseReason,
    MemoryNetwork,
    type SimLink,
    type SimNetwork,
    type SimServer,
    TcpNetwork,
} from "./network.js";
import { SccpSession } from "./session.js";
import { buildSoftKeySets, buildSoftKeyTemplate, type SoftKeyDef } from "./softkeys.js";
import { CallState, type SimClock, type SimGeneration, type SimTimer, SoftKeySet, Tone } from "./types.js";

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

interface DnRecord {
    dn: string;
    name: string;
    forward: ForwardData;
    busyTrigger: number;
    apps: Appearance[];
}

interface Device {
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

interface Appearance {
    device: Device;
    line: number;
    dn: DnRecord;
    legs: Leg[];
}

type LegRole = "orig" | "term" | "hint" | "cfwd";

interface Leg {
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

interface Redirect {
    dn: DnRecord;
    reason: number;
}

interface Call {
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

interface Conn {
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

const CONNECTED_MASK = 0xfffffdff;
const FORWARD_REASON = { busy: 1, noAnswer: 2, all: 15 } as const;

/** The simulated CallManager. */
export class SimCallManager extends EventEmitter<SimCallManagerEvents> {
    readonly clock: SimClock;
    readonly network: SimNetwork;
    readonly stats: SimCallManagerStats = {
        connections: 0,
        registrations: 0,
        rejects: 0,
        calls: 0,
        messagesIn: 0,
        messagesOut: 0,
        protocolErrors: 0,
        keepAliveTimeouts: 0,
    };
    /** Protocol errors with the device they came from (first 100). */
    readonly errors: { deviceName: string; text: string }[] = [];
    readonly #opts: Required<Omit<SimCallManagerOptions, "network" | "clock" | "devices">>;
    readonly #devices = new Map<string, Device>();
    readonly #dns = new Map<string, DnRecord>();
    /** Every proper prefix of every number (digit analysis: "more digits may follow"). */
    readonly #prefixes = new Set<string>();
    readonly #conns = new Set<Conn>();
    readonly #dirty = new Set<SccpSession>();
    #depth = 0;
    #server: SimServer | null = null;
    #nextRef: number;
    #nextPassThrough = 16777473;
    #callIds = 0;
    #calls = new Set<Call>();
    #hung = false;
    /** Links accepted while hung (never served, destroyed by stop). */
    #frozenLinks: SimLink[] = [];

    constructor(options: SimCallManagerOptions = {}) {
        super();
        this.clock = options.clock ?? new RealClock();
        this.network = options.network ?? new TcpNetwork(this.clock);
        const ka = options.keepAliveInterval ?? 30;
        this.#opts = {
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
        this.#nextRef = this.#opts.callRefBase;
        for (const d of options.devices ?? []) this.addDevice(d);
    }

    /** Listening address once started. */
    get address(): { host: string; port: number } {
        if (this.#server === null) throw new SimError("SIM_NOT_STARTED", "the CallManager is not listening");
        return { host: this.#server.host, port: this.#server.port };
    }

    /** Starts listening. */
    async start(): Promise<void> {
        if (this.#server !== null) return;
        this.#server = await this.network.listen(this.#opts.host, this.#opts.port, (link) => this.#accept(link));
    }

    /** Starts listening at once: memory transport only (synchronous benchmarks). */
    startSync(): void {
        if (this.#server !== null) return;
        if (!(this.network instanceof MemoryNetwork)) {
            throw new SimError("SIM_SYNC_NEEDS_MEMORY", "startSync needs the memory transport");
        }
        this.#server = this.network.listenSync(this.#opts.host, this.#opts.port, (link) => this.#accept(link));
    }

    /** Closes every phone link (FIN) and stops listening. */
    async stop(): Promise<void> {
        for (const c of [...this.#conns]) {
            this.#dropConn(c, "CallManager stopped");
            if (this.#hung) c.session.link.destroy();
            else c.session.close();
        }
        for (const l of this.#frozenLinks) l.destroy();
        this.#frozenLinks = [];
        const s = this.#server;
        this.#server = null;
        if (s !== null) await s.close();
    }

    /**
     * Hangs: every link goes silent without closing (nothing answered, nothing sent), as a stalled
     * CallManager does; phones notice by missing keepalive answers. New connections are still accepted and
     * frozen too. `stop()` cleans up.
     */
    hang(): void {
        this.#hung = true;
        for (const c of this.#conns) {
            this.clock.clearTimer(c.watchdog);
            c.watchdog = null;
            c.session.freeze();
        }
    }

    /** Provisions a device (before or after start). */
    addDevice(config: SimDeviceConfig): void {
        if (this.#devices.has(config.deviceName)) {
            throw new SimError("SIM_DUPLICATE_DEVICE", `device ${config.deviceName} is already provisioned`);
        }
        const callBackKey = config.callBackKey !== false;
        const device: Device = {
            config,
            name: config.deviceName,
            apps: [],
            conn: null,
            callBackKey,
            timeZone: config.timeZone ?? "UTC",
            dateTemplate: config.dateTemplate ?? "M/D/Y",
            template: buildSoftKeyTemplate(this.#opts.callBackEvent),
            lastDialed: "",
        };
        config.lines.forEach((l, i) => {
            const lc: SimLineConfig = typeof l === "string" ? { dn: l } : l;
            let rec = this.#dns.get(lc.dn);
            if (rec === undefined) {
                rec = {
                    dn: lc.dn,
                    name: lc.name ?? `Line ${lc.dn}`,
                    forward: {
                        all: lc.forward?.all ?? "",
                        busy: lc.forward?.busy ?? "",
                        noAnswer: lc.forward?.noAnswer ?? "",
                    },
                    busyTrigger: lc.busyTrigger ?? 1,
                    apps: [],
                };
                this.#dns.set(lc.dn, rec);
                for (let k = 1; k < lc.dn.length; k++) this.#prefixes.add(lc.dn.slice(0, k));
            } else {
                if (lc.name !== undefined) rec.name = lc.name;
                if (lc.busyTrigger !== undefined) rec.busyTrigger = lc.busyTrigger;
                if (lc.forward !== undefined) Object.assign(rec.forward, lc.forward);
            }
            const app: Appearance = { device, line: i + 1, dn: rec, legs: [] };
            rec.apps.push(app);
            device.apps.push(app);
        });
        this.#devices.set(config.deviceName, device);
    }

    /** Device names currently registered. */
    registeredDevices(): string[] {
        return [...this.#devices.values()].filter((d) => d.conn?.registered === true).map((d) => d.name);
    }

    /** Directory numbers of a provisioned device's lines (line 1 first), or null when it is not provisioned. */
    linesOf(deviceName: string): string[] | null {
        const d = this.#devices.get(deviceName);
        return d === undefined ? null : d.apps.map((a) => a.dn.dn);
    }

    /** True when the device is registered. */
    isRegistered(deviceName: string): boolean {
        return this.#devices.get(deviceName)?.conn?.registered === true;
    }

    /** Forwarding of a number. */
    forwarding(dn: string): ForwardData {
        const rec = this.#dn(dn);
        return { ...rec.forward };
    }

    /** Changes the forwarding of a number and tells every registered appearance (ForwardStatRes). */
    setForward(dn: string, forward: Partial<ForwardData>): void {
        const rec = this.#dn(dn);
        this.#run(() => {
            Object.assign(rec.forward, forward);
            for (const app of rec.apps) {
                const c = app.device.conn;
                if (c?.registered === true && c.gen !== "cm2") c.wire.forwardStat(app.line, rec.forward);
            }
        });
    }

    /** Calls in progress. */
    get activeCalls(): number {
        return this.#calls.size;
    }

    /** Call state of every leg on a device: [line, callRef, state]. */
    legsOf(deviceName: string): [number, number, number][] {
        const d = this.#devices.get(deviceName);
        if (d === undefined) return [];
        return d.apps.flatMap((a) => a.legs.map((l): [number, number, number] => [a.line, l.ref, l.state]));
    }

    /**
     * Sends any message to a registered device (header version of its link unless given): for tests of
     * what phones and observers make of messages the switching logic never sends.
     */
    send(deviceName: string, id: number, fields: SccpFields, hv?: number): void {
        const c = this.#devices.get(deviceName)?.conn;
        if (c === undefined || c === null || !c.registered) {
            throw new SimError("SIM_NOT_REGISTERED", `${deviceName} is not registered`, { deviceName });
        }
        this.#run(() => c.session.send(id, fields, hv ?? c.session.hv));
    }

    /** Resets a device (Reset message): the phone re-registers. */
    resetDevice(deviceName: string, type: 1 | 2 = 2): void {
        const c = this.#devices.get(deviceName)?.conn;
        if (c === undefined || c === null) return;
        this.#run(() => c.session.send(Msg.Reset, { resetType: type }, 0));
    }

    #dn(dn: string): DnRecord {
        const rec = this.#dns.get(dn);
        if (rec === undefined) throw new SimError("SIM_UNKNOWN_DN", `no line has directory number ${dn}`, { dn });
        return rec;
    }

    /** Runs one step and flushes what it queued (one write per link). */
    #run(fn: () => void): void {
        this.#depth++;
        try {
            fn();
        } finally {
            this.#depth--;
            if (this.#depth === 0) {
                for (const s of this.#dirty) s.flush();
                this.#dirty.clear();
            }
        }
    }

    #timer(ms: number, fn: () => void): SimTimer {
        return this.clock.setTimer(ms, () => this.#run(fn));
    }

    // --- connections and registration ---

    #accept(link: SimLink): void {
        this.stats.connections++;
        if (this.#hung) {
            link.freeze();
            this.#frozenLinks.push(link);
            return;
        }
        const conn: Conn = {
            session: null as unknown as SccpSession,
            wire: null as unknown as CmWire,
            gen: this.#opts.generation === "cm2" ? "cm2" : "cm4",
            device: null,
            registered: false,
            lastSeen: this.clock.now(),
            watchdog: null,
            ip: link.remoteAddr,
            rtpPort: 16384,
            passThrough: 0,
        };
        conn.session = new SccpSession(link, {
            onMessage: (msg) => this.#run(() => this.#onMessage(conn, msg)),
            onClose: (reason) => this.#run(() => this.#onClose(conn, reason)),
            onDirty: (s) => this.#dirty.add(s),
            onProtocolError: (text) => this.#protocolError(conn, text),
            onSend: () => {
                this.stats.messagesOut++;
            },
        });
        conn.wire = new CmWire(conn.session, conn.gen);
        this.#conns.add(conn);
        this.#armWatchdog(conn, this.#opts.keepAliveTimeoutMs);
    }

    #protocolError(conn: Conn, text: string): void {
        this.stats.protocolErrors++;
        const name = conn.device?.name ?? conn.ip;
        if (this.errors.length < 100) this.errors.push({ deviceName: name, text });
        this.emit("protocolError", name, text);
    }

    #armWatchdog(conn: Conn, ms: number): void {
        conn.watchdog = this.clock.setTimer(ms, () => {
            conn.watchdog = null;
            const idle = this.clock.now() - conn.lastSeen;
            const limit = this.#opts.keepAliveTimeoutMs;
            if (idle < limit) {
                this.#armWatchdog(conn, limit - idle);
                return;
            }
            this.stats.keepAliveTimeouts++;
            this.#run(() => {
                this.#dropConn(conn, "keepalive timeout");
                conn.session.close();
            });
        });
    }

    #onClose(conn: Conn, reason: LinkCloseReason): void {
        this.#dropConn(conn, `link closed (${reason})`);
    }

    /** Forgets a connection and unregisters its device (calls torn down). */
    #dropConn(conn: Conn, why: string): void {
        if (!this.#conns.delete(conn)) return;
        this.clock.clearTimer(conn.watchdog);
        conn.watchdog = null;
        const d = conn.device;
        if (d !== null && d.conn === conn) {
            const was = conn.registered;
            conn.registered = false;
            d.conn = null;
            for (const app of d.apps) for (const leg of [...app.legs]) this.#deviceGone(leg);
            if (was) this.emit("unregistered", d.name, why);
        }
    }

    #onMessage(conn: Conn, msg: SccpMessage): void {
        this.stats.messagesIn++;
        conn.lastSeen = this.clock.now();
        const f = msg.fields;
        const w = conn.wire;
        switch (msg.id) {
            case Msg.KeepAliveReq:
                w.keepAliveAck();
                return;
            case Msg.RegisterReq:
                this.#register(conn, msg);
                return;
            case Msg.UnregisterReq:
                w.unregisterAck();
                this.#dropConn(conn, "unregistered");
                conn.session.close();
                return;
            case Msg.Alarm:
            case Msg.CapabilitiesRes:
            case Msg.RegisterAvailableLines:
            case Msg.HeadsetStatus:
            case Msg.OpenReceiveChannelAck:
                return;
            case Msg.IpPort:
                conn.rtpPort = num(f, "rtpMediaPort");
                return;
        }
        const d = conn.device;
        if (d === null || !conn.registered) return;
        switch (msg.id) {
            case Msg.ButtonTemplateReq: {
                const defs: [number, number][] = d.apps.map((a) => [a.line, Stimulus.Line]);
                const speedDials = d.config.speedDials?.length ?? 0;
                for (let i = 1; i <= speedDials; i++) defs.push([i, Stimulus.SpeedDial]);
                w.buttonTemplate(defs);
                return;
            }
            case Msg.SoftKeyTemplateReq:
                if (conn.gen !== "cm2") w.softKeyTemplate(d.template.map((k) => ({ label: k.wire, event: k.event })));
                return;
            case Msg.SoftKeySetReq:
                if (conn.gen === "cm2") return;
                w.softKeySets(buildSoftKeySets(d.callBackKey));
                w.selectSoftKeys(0, 0, SoftKeySet.OnHook);
                w.prompt(label(Label.YourCurrentOptions), 0, 0);
                return;
            case Msg.LineStatReq: {
                const line = num(f, "lineNumber");
                const app = d.apps[line - 1];
                if (app === undefined) w.lineStat(line, "", "", "");
                else w.lineStat(line, app.dn.dn, app.dn.name, app.dn.dn);
                return;
            }
            case Msg.ForwardStatReq: {
                if (conn.gen === "cm2") return;
                const line = num(f, "lineNumber");
                const app = d.apps[line - 1];
                w.forwardStat(line, app?.dn.forward ?? { all: "", busy: "", noAnswer: "" });
                return;
            }
            case Msg.SpeedDialStatReq: {
                const i = num(f, "speedDialNumber");
                const sd = d.config.speedDials?.[i - 1];
                w.speedDialStat(i, sd?.dn ?? "", sd?.name ?? "");
                return;
            }
            case Msg.ConfigStatReq:
                w.configStat(
                    d.name,
                    d.config.userName ?? "",
                    this.#opts.serverName,
                    d.apps.length,
                    d.config.speedDials?.length ?? 0,
                );
                return;
            case Msg.VersionReq:
                w.versionRes("P00308000500");
                return;
            case Msg.TimeDateReq:
                w.timeDate(localTime(this.clock.now(), d.timeZone));
                if (conn.gen !== "cm2") w.prompt(label(Label.YourCurrentOptions), 0, 0);
                return;
            case Msg.OffHook:
                this.#offHook(d, num(f, "lineInstance"), num(f, "callReference"));
                return;
            case Msg.OnHook:
                this.#onHook(d, num(f, "callReference"));
                return;
            case Msg.KeypadButton:
                this.#keypad(d, num(f, "kpButton"), num(f, "callReference"));
                return;
            case Msg.EnblocCall:
                this.#enbloc(d, typeof f.calledParty === "string" ? f.calledParty : "", num(f, "lineInstance"));
                return;
            case Msg.SoftKeyEvent:
                this.#softKey(d, num(f, "softKeyEvent"), num(f, "lineInstance"), num(f, "callReference"));
                return;
            case Msg.Stimulus:
                this.#stimulus(d, num(f, "stimulus"), num(f, "lineInstance"), num(f, "callReference"));
                return;
        }
    }

    #register(conn: Conn, msg: SccpMessage): void {
        const f = msg.fields;
        const name = typeof f.deviceName === "string" ? f.deviceName : "";
        let d = this.#devices.get(name);
        if (d === undefined && this.#opts.autoRegister && name !== "") {
            this.addDevice({ deviceName: name, lines: [] });
            d = this.#devices.get(name);
        }
        if (d === undefined) {
            this.stats.rejects++;
            conn.wire.registerReject(`Error: ${name} not configured`);
            conn.session.close();
            this.#dropConn(conn, "rejected");
            return;
        }
        const old = d.conn;
        if (old !== null && old !== conn) {
            this.#dropConn(old, "registered elsewhere");
            old.session.abort();
        }
        const phoneVer = typeof f.protocolVer === "number" ? f.protocolVer : 0;
        const features = typeof f.phoneFeatures === "number" ? f.phoneFeatures : 0;
        let gen: SimGeneration = "cm4";
        if (this.#opts.generation === "cm2") gen = "cm2";
        else if (phoneVer >= 17 && (features & 0x0080) !== 0) gen = "v20";
        conn.gen = gen;
        conn.wire = new CmWire(conn.session, gen);
        conn.session.hv = conn.wire.hv;
        conn.device = d;
        conn.registered = true;
        if (typeof f.stationIpAddr === "string" && f.stationIpAddr !== "0.0.0.0") conn.ip = f.stationIpAddr;
        d.conn = conn;
        this.stats.registrations++;
        // CM 4.1 answers maxProtocolVer 6 to a protocol-7 phone; a V20 cluster answers 20.
        conn.wire.registerAck(
            this.#opts.keepAliveInterval,
            d.dateTemplate,
            this.#opts.secondaryKeepAliveInterval,
            gen === "v20" ? 20 : Math.min(phoneVer, 6),
        );
        conn.wire.capabilitiesReq();
        this.emit("registered", d.name);
    }

    // --- call control helpers ---

    #newRef(): number {
        return this.#nextRef++;
    }

    #w(leg: Leg): CmWire | null {
        const c = leg.app.device.conn;
        return c?.registered === true ? c.wire : null;
    }

    /** The leg the device is "in": off hook, dialing, ringing out or connected (not held, not ringing in). */
    #activeLeg(d: Device): Leg | null {
        for (const app of d.apps)
            for (const l of app.legs) {
                if (l.role === "hint" || l.held) continue;
                if (l.role === "term" && l.state === CallState.RingIn) continue;
                return l;
            }
        return null;
    }

    #ringingLeg(d: Device, ref: number): Leg | null {
        for (const app of d.apps)
            for (const l of app.legs)
                if (l.role === "term" && l.state === CallState.RingIn && (ref === 0 || l.ref === ref)) return l;
        return null;
    }

    #legByRef(d: Device, ref: number): Leg | null {
        if (ref === 0) return null;
        for (const app of d.apps) for (const l of app.legs) if (l.ref === ref) return l;
        return null;
    }

    #legCount(d: Device): number {
        let n = 0;
        for (const app of d.apps) n += app.legs.length;
        return n;
    }

    #addLeg(app: Appearance, role: LegRole, state: number): Leg {
        const leg: Leg = {
            ref: this.#newRef(),
            app,
            role,
            state,
            call: null,
            digits: "",
            held: false,
            tone: 0,
            timer: null,
            media: null,
            hints: [],
            transferFrom: null,
            collected: false,
        };
        app.legs.push(leg);
        this.#legEvent(leg, false);
        return leg;
    }

    #legEvent(leg: Leg, ended: boolean): void {
        if (this.listenerCount("leg") === 0) return;
        const call = leg.call;
        this.emit("leg", {
            deviceName: leg.app.device.name,
            line: leg.app.line,
            dn: leg.app.dn.dn,
            callRef: leg.ref,
            state: ended ? CallState.OnHook : leg.state,
            ended,
            calling: call === null ? null : call.orig.app.dn.dn,
            called: call === null ? null : (call.target?.dn ?? call.dialed),
        });
    }

    #removeLeg(leg: Leg): void {
        const i = leg.app.legs.indexOf(leg);
        if (i >= 0) {
            leg.app.legs.splice(i, 1);
            this.#legEvent(leg, true);
        }
        this.clock.clearTimer(leg.timer);
        leg.timer = null;
    }

    #startTone(leg: Leg, tone: number): void {
        leg.tone = tone;
        this.#w(leg)?.startTone(tone, leg.app.line, leg.ref);
    }

    #stopTone(leg: Leg): void {
        leg.tone = 0;
        this.#w(leg)?.stopTone(leg.app.line, leg.ref);
    }

    #state(leg: Leg, state: number): void {
        leg.state = state;
        this.#legEvent(leg, false);
        this.#w(leg)?.callState(state, leg.app.line, leg.ref);
    }

    /** Goes off hook on a line: a new originating (or call-forward setup) leg with dial tone. */
    #newOffHook(d: Device, app: Appearance, role: "orig" | "cfwd" = "orig"): Leg {
        const leg = this.#addLeg(app, role, CallState.OffHook);
        const w = this.#w(leg);
        if (w !== null) {
            w.setRinger(Ring.Off, 0, 0);
            w.speaker(true);
            w.setLamp(Stimulus.Line, app.line, Lamp.On);
            w.callState(CallState.OffHook, app.line, leg.ref);
            w.selectSoftKeys(app.line, leg.ref, SoftKeySet.OffHook);
            w.prompt(role === "cfwd" ? label(0x05) : label(Label.EnterNumber), app.line, leg.ref);
            w.activateCallPlane(app.line);
        }
        this.#startTone(leg, Tone.InsideDialTone);
        this.#hintOthers(leg);
        this.#armDigitTimer(leg);
        void d;
        return leg;
    }

    /** Shows "in use remote" on the other devices sharing the leg's number. */
    #hintOthers(leg: Leg): void {
        for (const other of leg.app.dn.apps) {
            if (other.device === leg.app.device || other.device.conn?.registered !== true) continue;
            if (other.legs.some((l) => l.role !== "hint")) continue;
            const h = this.#addLeg(other, "hint", CallState.CallRemoteMultiline);
            const w = this.#w(h);
            w?.callState(CallState.CallRemoteMultiline, other.line, h.ref);
            w?.selectSoftKeys(other.line, h.ref, SoftKeySet.InUseHint);
            w?.prompt(label(Label.InUseRemote), other.line, h.ref);
            leg.hints.push(h);
        }
    }

    #clearHints(leg: Leg): void {
        for (const h of leg.hints) {
            if (!h.app.legs.includes(h)) continue;
            this.#removeLeg(h);
            const w = this.#w(h);
            w?.callState(CallState.OnHook, h.app.line, h.ref);
            if (this.#legCount(h.app.device) === 0) {
                w?.selectSoftKeys(0, 0, SoftKeySet.OnHook);
                w?.prompt(label(Label.YourCurrentOptions), 0, 0);
            }
        }
        leg.hints = [];
    }

    #armDigitTimer(leg: Leg): void {
        this.clock.clearTimer(leg.timer);
        leg.timer = this.#timer(this.#opts.interDigitTimeoutMs, () => {
            leg.timer = null;
            if (!leg.app.legs.includes(leg) || leg.collected) return;
            if (leg.role === "cfwd" && leg.digits !== "") this.#finishCfwd(leg, leg.digits);
            else if (leg.digits !== "" && this.#dns.has(leg.digits)) this.#route(leg, leg.digits);
            else this.#reorder(leg, Label.UnknownNumber);
        });
    }

    // --- phone events ---

    #offHook(d: Device, line: number, ref: number): void {
        const ringing = this.#ringingLeg(d, ref);
        if (ringing !== null && this.#activeLeg(d) === null) {
            this.#answer(ringing);
            return;
        }
        if (this.#activeLeg(d) !== null) return;
        const app = d.apps[(line > 0 ? line : 1) - 1] ?? d.apps[0];
        if (app === undefined) return;
        this.#newOffHook(d, app);
    }

    #onHook(d: Device, ref: number): void {
        const leg = this.#legByRef(d, ref) ?? this.#activeLeg(d);
        if (leg === null || leg.role === "hint" || leg.held) return;
        if (leg.role === "term" && leg.state === CallState.RingIn) return;
        this.#hangUp(leg);
    }

    #keypad(d: Device, button: number, ref: number): void {
        const leg = this.#legByRef(d, ref) ?? this.#activeLeg(d);
        if (leg === null || leg.collected || (leg.role !== "orig" && leg.role !== "cfwd")) return;
        const ch = button <= 9 ? String(button) : button === 0x0e ? "*" : button === 0x0f ? "#" : "";
        if (ch === "") return;
        this.#digit(leg, ch);
    }

    #digit(leg: Leg, ch: string): void {
        if (leg.digits === "") {
            this.#stopTone(leg);
            this.#w(leg)?.selectSoftKeys(leg.app.line, leg.ref, SoftKeySet.DigitsFollowing);
        }
        if (ch === "#") {
            if (leg.role === "cfwd") this.#finishCfwd(leg, leg.digits);
            else if (this.#dns.has(leg.digits)) this.#route(leg, leg.digits);
            else this.#reorder(leg, Label.UnknownNumber);
            return;
        }
        leg.digits += ch;
        if (this.#dns.has(leg.digits)) {
            if (leg.role === "cfwd") this.#finishCfwd(leg, leg.digits);
            else this.#route(leg, leg.digits);
            return;
        }
        if (this.#prefixes.has(leg.digits)) {
            this.#armDigitTimer(leg);
            return;
        }
        if (leg.role === "cfwd") this.#armDigitTimer(leg);
        else this.#reorder(leg, Label.UnknownNumber);
    }

    #enbloc(d: Device, number: string, line: number): void {
        let leg = this.#activeLeg(d);
        if (leg === null) {
            const app = d.apps[(line > 0 ? line : 1) - 1] ?? d.apps[0];
            if (app === undefined) return;
            leg = this.#newOffHook(d, app);
        }
        if (leg.collected || (leg.role !== "orig" && leg.role !== "cfwd")) return;
        if (leg.digits === "") this.#stopTone(leg);
        leg.digits = number;
        if (leg.role === "cfwd") this.#finishCfwd(leg, number);
        else if (this.#dns.has(number)) this.#route(leg, number);
        else this.#reorder(leg, Label.UnknownNumber);
    }

    #softKey(d: Device, event: number, line: number, ref: number): void {
        const def = d.template.find((k) => k.event === event);
        const code = def?.code ?? -1;
        this.#press(d, code, def?.label ?? `event ${event}`, event, line, ref);
        switch (code) {
            case 0x01: // Redial
                this.#redial(d, line);
                return;
            case 0x02: {
                // NewCall
                const active = this.#activeLeg(d);
                if (active !== null && active.state === CallState.Connected) this.#hold(active);
                else if (active !== null) return;
                const app = d.apps[(line > 0 ? line : 1) - 1] ?? d.apps[0];
                if (app !== undefined) this.#newOffHook(d, app);
                return;
            }
            case 0x03: {
                const leg = this.#legByRef(d, ref) ?? this.#activeLeg(d);
                if (leg !== null) this.#hold(leg);
                return;
            }
            case 0x04: {
                const leg = this.#legByRef(d, ref) ?? this.#activeLeg(d);
                if (leg !== null) this.#transfer(leg);
                return;
            }
            case 0x05:
                this.#cfwdAll(d, line);
                return;
            case 0x09: {
                const leg = this.#legByRef(d, ref) ?? this.#activeLeg(d);
                if (leg !== null && leg.role !== "hint") this.#hangUp(leg);
                return;
            }
            case 0x0a: {
                const leg = this.#legByRef(d, ref);
                if (leg !== null) this.#resume(leg);
                return;
            }
            case 0x0b: {
                const leg = this.#ringingLeg(d, ref);
                if (leg !== null) this.#answer(leg);
                return;
            }
        }
    }

    #stimulus(d: Device, stimulus: number, instance: number, ref: number): void {
        const labels: Record<number, string> = { 3: "Hold", 4: "Transfer", 5: "Cfwdall", 9: "Line", 134: "Callback" };
        this.#press(d, 0x1000 + stimulus, labels[stimulus] ?? `stimulus ${stimulus}`, 0, instance, ref);
        switch (stimulus) {
            case Stimulus.Line: {
                const ringing = this.#ringingLeg(d, 0);
                if (ringing !== null && ringing.app.line === instance && this.#activeLeg(d) === null) {
                    this.#answer(ringing);
                    return;
                }
                if (this.#activeLeg(d) === null) this.#offHook(d, instance, 0);
                return;
            }
            case Stimulus.Hold: {
                const leg = this.#activeLeg(d);
                if (leg !== null) this.#hold(leg);
                else {
                    const held = d.apps.flatMap((a) => a.legs).find((l) => l.held);
                    if (held !== undefined) this.#resume(held);
                }
                return;
            }
            case Stimulus.Transfer: {
                const leg = this.#activeLeg(d);
                if (leg !== null) this.#transfer(leg);
                return;
            }
            case Stimulus.ForwardAll:
                this.#cfwdAll(d, instance);
                return;
            case Stimulus.LastNumberRedial:
                this.#redial(d, instance);
                return;
        }
    }

    #press(d: Device, code: number, name: string, event: number, line: number, ref: number): void {
        const leg = this.#legByRef(d, ref);
        this.emit("softKey", {
            deviceName: d.name,
            labelCode: code,
            label: name,
            event,
            line,
            callRef: ref,
            callState: leg?.state ?? 0,
            tone: leg?.tone ?? 0,
            calledDn: leg?.call?.dialed ?? "",
        });
    }

    #redial(d: Device, line: number): void {
        if (d.lastDialed === "") return;
        let leg = this.#activeLeg(d);
        if (leg === null) {
            const app = d.apps[(line > 0 ? line : 1) - 1] ?? d.apps[0];
            if (app === undefined) return;
            leg = this.#newOffHook(d, app);
        }
        if (leg.role !== "orig" || leg.collected || leg.digits !== "") return;
        this.#stopTone(leg);
        leg.digits = d.lastDialed;
        this.#route(leg, d.lastDialed);
    }

    // --- routing ---

    #callInfo(leg: Leg, call: Call): CallInfoData {
        const o = call.orig.app.dn;
        const target = call.target;
        const calledDn = leg.role === "orig" ? (target?.dn ?? call.dialed) : leg.app.dn.dn;
        const calledName = leg.role === "orig" ? (target?.name ?? "") : leg.app.dn.name;
        const orig = call.original?.dn ?? target;
        const last = call.last?.dn ?? target;
        return {
            callingPartyName: o.name,
            callingParty: o.dn,
            calledPartyName: calledName,
            calledParty: calledDn,
            lineInstance: leg.app.line,
            callReference: leg.ref,
            callType: leg.role === "orig" ? 2 : 1,
            originalCalledPartyName: orig?.name ?? "",
            originalCalledParty: orig?.dn ?? call.dialed,
            lastRedirectingPartyName: last?.name ?? "",
            lastRedirectingParty: last?.dn ?? call.dialed,
            originalCdpnRedirectReason: call.original?.reason ?? 0,
            lastRedirectingReason: call.last?.reason ?? 0,
            callInstance: leg.app.legs.indexOf(leg) + 1,
            callSecurityStatus: call.phase === "connected" ? 1 : 0,
        };
    }

    #sendInfo(leg: Leg): void {
        if (leg.call !== null) this.#w(leg)?.callInfo(this.#callInfo(leg, leg.call));
    }

    #route(leg: Leg, dialed: string): void {
        this.clock.clearTimer(leg.timer);
        leg.timer = null;
        leg.collected = true;
        const d = leg.app.device;
        d.lastDialed = dialed;
        const call: Call = {
            id: ++this.#callIds,
            orig: leg,
            dialed,
            target: this.#dns.get(dialed) ?? null,
            term: null,
            alerting: [],
            phase: "routing",
            original: null,
            last: null,
            timer: null,
        };
        leg.call = call;
        this.#calls.add(call);
        this.stats.calls++;
        this.emit("callStarted", leg.app.dn.dn, dialed);
        this.#w(leg)?.dialedNumber(dialed, leg.app.line, leg.ref);
        this.#state(leg, CallState.Proceed);
        this.#sendInfo(leg);
        this.#deliver(call, call.target, 0);
    }

    #redirect(call: Call, from: DnRecord, to: string, reason: number): DnRecord | null {
        const r: Redirect = { dn: from, reason };
        if (call.original === null) call.original = r;
        call.last = r;
        call.target = this.#dns.get(to) ?? null;
        return call.target;
    }

    #busyCount(dn: DnRecord): number {
        const calls = new Set<Call | Leg>();
        for (const app of dn.apps)
            for (const l of app.legs) {
                if (l.role === "hint") continue;
                calls.add(l.call ?? l);
            }
        return calls.size;
    }

    #deliver(call: Call, dn: DnRecord | null, hops: number): void {
        const leg = call.orig;
        if (dn === null) {
            this.#reorder(leg, Label.UnknownNumber);
            return;
        }
        const fwd = dn.forward;
        if (fwd.all !== "" && hops < 5 && fwd.all !== leg.app.dn.dn) {
            this.#deliver(call, this.#redirect(call, dn, fwd.all, FORWARD_REASON.all), hops + 1);
            return;
        }
        const apps = dn.apps.filter((a) => a.device.conn?.registered === true && a.device !== leg.app.device);
        if (apps.length === 0) {
            if (fwd.noAnswer !== "" && hops < 5) {
                this.#deliver(call, this.#redirect(call, dn, fwd.noAnswer, FORWARD_REASON.noAnswer), hops + 1);
            } else this.#reorder(leg, Label.TempFail);
            return;
        }
        if (this.#busyCount(dn) >= dn.busyTrigger) {
            if (fwd.busy !== "" && hops < 5) {
                this.#deliver(call, this.#redirect(call, dn, fwd.busy, FORWARD_REASON.busy), hops + 1);
            } else this.#busy(call);
            return;
        }
        this.#alert(call, dn, apps);
    }

    #busy(call: Call): void {
        const leg = call.orig;
        call.phase = "busy";
        if (call.original !== null) this.#sendInfo(leg);
        const sig = this.#opts.busySignal;
        if (sig !== "state") this.#startTone(leg, Tone.LineBusyTone);
        if (sig !== "tone") this.#state(leg, CallState.Busy);
        else {
            leg.state = CallState.Busy;
            this.#legEvent(leg, false);
        }
        const w = this.#w(leg);
        w?.selectSoftKeys(leg.app.line, leg.ref, SoftKeySet.RingOut);
        w?.prompt(label(Label.Busy), leg.app.line, leg.ref);
    }

    #reorder(leg: Leg, why: number): void {
        this.clock.clearTimer(leg.timer);
        leg.timer = null;
        leg.collected = true;
        if (leg.call !== null) leg.call.phase = "reorder";
        this.#startTone(leg, Tone.ReorderTone);
        this.#w(leg)?.prompt(label(why), leg.app.line, leg.ref);
    }

    #alert(call: Call, dn: DnRecord, apps: Appearance[]): void {
        const leg = call.orig;
        call.phase = "alerting";
        call.target = dn;
        this.#sendInfo(leg);
        this.#startTone(leg, Tone.AlertingTone);
        this.#state(leg, CallState.RingOut);
        const w = this.#w(leg);
        w?.selectSoftKeys(leg.app.line, leg.ref, SoftKeySet.RingOut);
        w?.prompt(label(Label.RingOut), leg.app.line, leg.ref);
        for (const app of apps) {
            // A shared-line hint on this appearance gives way to the ringing call.
            for (const h of [...app.legs]) if (h.role === "hint") this.#dropHint(h);
            const t = this.#addLeg(app, "term", CallState.RingIn);
            t.call = call;
            call.alerting.push(t);
            const tw = this.#w(t);
            const busy = this.#activeLeg(app.device);
            tw?.callState(CallState.RingIn, app.line, t.ref);
            tw?.selectSoftKeys(app.line, t.ref, SoftKeySet.RingIn);
            tw?.prompt(label(Label.From, call.orig.app.dn.dn), app.line, t.ref);
            if (busy === null) tw?.priNotify(10, 5, label(Label.From, call.orig.app.dn.dn));
            tw?.callInfo(this.#callInfo(t, call));
            tw?.setLamp(Stimulus.Line, app.line, Lamp.Blink);
            if (busy === null) tw?.setRinger(Ring.Inside, app.line, t.ref);
            else this.#w(busy)?.startTone(Tone.CallWaitingTone, busy.app.line, busy.ref);
        }
        const ms = this.#opts.noAnswerTimeoutMs;
        if (ms > 0) call.timer = this.#timer(ms, () => this.#noAnswer(call));
    }

    #dropHint(h: Leg): void {
        this.#removeLeg(h);
        this.#w(h)?.callState(CallState.OnHook, h.app.line, h.ref);
        for (const app of h.app.dn.apps) for (const l of app.legs) l.hints = l.hints.filter((x) => x !== h);
    }

    #noAnswer(call: Call): void {
        call.timer = null;
        if (call.phase !== "alerting" || call.target === null) return;
        const from = call.target;
        for (const t of [...call.alerting]) this.#cancelRinging(t);
        call.alerting = [];
        if (from.forward.noAnswer !== "") {
            this.#deliver(call, this.#redirect(call, from, from.forward.noAnswer, FORWARD_REASON.noAnswer), 1);
            return;
        }
        call.phase = "reorder";
        this.#startTone(call.orig, Tone.ReorderTone);
    }

    /** Stops a ringing leg that was not answered (caller gave up, timeout, answered elsewhere). */
    #cancelRinging(t: Leg): void {
        this.#removeLeg(t);
        const w = this.#w(t);
        if (w === null) return;
        const others = this.#legCount(t.app.device);
        const active = this.#activeLeg(t.app.device);
        if (active === null) w.setRinger(Ring.Off, t.app.line, t.ref);
        else w.stopTone(active.app.line, active.ref);
        if (!t.app.legs.some((l) => l.role !== "hint")) w.setLamp(Stimulus.Line, t.app.line, Lamp.Off);
        w.clearPrompt(t.app.line, t.ref);
        w.callState(CallState.OnHook, t.app.line, t.ref);
        if (others === 0) {
            w.selectSoftKeys(0, 0, SoftKeySet.OnHook);
            w.prompt(label(Label.YourCurrentOptions), 0, 0);
        }
    }

    #answer(t: Leg): void {
        const call = t.call;
        if (call === null || call.phase !== "alerting" || t.state !== CallState.RingIn) return;
        this.clock.clearTimer(call.timer);
        call.timer = null;
        const d = t.app.device;
        const active = this.#activeLeg(d);
        if (active !== null) {
            if (active.state === CallState.Connected) this.#hold(active);
            else return;
        }
        call.term = t;
        call.phase = "connected";
        for (const other of call.alerting) {
            if (other === t) continue;
            if (other.app.dn === t.app.dn) {
                // Shared line answered elsewhere: this appearance now shows the call in use remotely.
                other.role = "hint";
                other.call = null;
                other.state = CallState.CallRemoteMultiline;
                this.#legEvent(other, false);
                const w = this.#w(other);
                if (this.#activeLeg(other.app.device) === null) w?.setRinger(Ring.Off, other.app.line, other.ref);
                w?.callState(CallState.CallRemoteMultiline, other.app.line, other.ref);
                w?.selectSoftKeys(other.app.line, other.ref, SoftKeySet.InUseHint);
                w?.setLamp(Stimulus.Line, other.app.line, Lamp.On);
                w?.prompt(label(Label.InUseRemote), other.app.line, other.ref);
                t.hints.push(other);
            } else this.#cancelRinging(other);
        }
        call.alerting = [];
        const w = this.#w(t);
        const line = t.app.line;
        if (w !== null) {
            if (active === null) {
                w.setRinger(Ring.Off, 0, 0);
                w.speaker(true);
                w.setLamp(Stimulus.Line, line, Lamp.On);
                w.callState(CallState.OffHook, line, t.ref);
                w.activateCallPlane(line);
                w.setRinger(Ring.Off, line, t.ref);
            } else w.setLamp(Stimulus.Line, line, Lamp.On);
            w.stopTone(line, t.ref);
        }
        this.#connectLeg(t, call);
        const o = call.orig;
        this.#stopTone(o);
        this.#connectLeg(o, call);
        this.#openMedia(t, o);
        this.#hintOthers(t);
    }

    /** Connected state, softkeys, prompt and CallInfo of one leg. */
    #connectLeg(leg: Leg, call: Call): void {
        leg.tone = 0;
        if (this.#opts.media) {
            leg.media = this.#media(leg);
            this.#w(leg)?.openReceiveChannel(leg.media);
        }
        this.#state(leg, CallState.Connected);
        const w = this.#w(leg);
        w?.selectSoftKeys(leg.app.line, leg.ref, SoftKeySet.Connected, CONNECTED_MASK);
        w?.prompt(label(Label.Connected), leg.app.line, leg.ref);
        w?.callInfo(this.#callInfo(leg, call));
    }

    #media(leg: Leg): MediaData {
        const c = leg.app.device.conn;
        return {
            conferenceId: leg.ref,
            passThroughPartyId: this.#nextPassThrough++,
            callReference: leg.ref,
            remoteIp: c?.ip ?? "0.0.0.0",
            remotePort: c?.rtpPort ?? 16384,
        };
    }

    /** StartMediaTransmission on both legs towards each other. */
    #openMedia(a: Leg, b: Leg): void {
        if (!this.#opts.media || a.media === null || b.media === null) return;
        this.#w(a)?.startMedia({ ...a.media, remoteIp: b.media.remoteIp, remotePort: b.media.remotePort });
        this.#w(b)?.startMedia({ ...b.media, remoteIp: a.media.remoteIp, remotePort: a.media.remotePort });
    }

    #closeMedia(leg: Leg): void {
        if (leg.media === null) return;
        this.#w(leg)?.closeMedia(leg.media);
        leg.media = null;
    }

    #peer(leg: Leg): Leg | null {
        const call = leg.call;
        if (call === null) return null;
        return leg === call.orig ? call.term : call.orig;
    }

    // --- hold, transfer, forwarding ---

    #hold(leg: Leg): void {
        if (leg.state !== CallState.Connected || leg.held) return;
        const peer = this.#peer(leg);
        this.#closeMedia(leg);
        if (peer !== null) this.#closeMedia(peer);
        leg.held = true;
        this.#state(leg, CallState.Hold);
        const w = this.#w(leg);
        w?.selectSoftKeys(leg.app.line, leg.ref, SoftKeySet.OnHold);
        w?.setLamp(Stimulus.Line, leg.app.line, Lamp.Wink);
        w?.prompt(label(Label.Hold), leg.app.line, leg.ref);
    }

    #resume(leg: Leg): void {
        if (!leg.held || leg.call === null) return;
        const active = this.#activeLeg(leg.app.device);
        if (active !== null) {
            if (active.state === CallState.Connected) this.#hold(active);
            else this.#hangUp(active);
        }
        leg.held = false;
        this.#w(leg)?.setLamp(Stimulus.Line, leg.app.line, Lamp.On);
        this.#connectLeg(leg, leg.call);
        const peer = this.#peer(leg);
        if (peer !== null && this.#opts.media) {
            peer.media = this.#media(peer);
            this.#w(peer)?.openReceiveChannel(peer.media);
            this.#openMedia(leg, peer);
        }
    }

    /**
     * Consultative transfer: the first press holds the call and opens a consultation leg with dial tone;
     * the second press (on the consultation leg, ringing out or connected) joins the held party with the
     * consulted one and clears the transferring phone's two legs.
     */
    #transfer(leg: Leg): void {
        const held = leg.transferFrom;
        if (held === null) {
            if (leg.state !== CallState.Connected || leg.call === null) return;
            this.#hold(leg);
            const c = this.#newOffHook(leg.app.device, leg.app);
            c.transferFrom = leg;
            return;
        }
        const consult = leg.call;
        const heldCall = held.call;
        if (consult === null || heldCall === null || !held.app.legs.includes(held)) return;
        if (consult.phase !== "connected" && consult.phase !== "alerting") return;
        const x = this.#peer(held); // the party on hold
        if (x === null) return;
        // The held party takes over the consultation call in the transferring phone's place.
        held.call = null;
        heldCall.phase = "ended";
        this.#calls.delete(heldCall);
        x.call = consult;
        if (x === heldCall.orig) x.role = "orig";
        consult.orig = x;
        x.transferFrom = null;
        leg.call = null;
        this.#endLeg(leg);
        this.#endLeg(held);
        if (consult.phase === "connected") {
            const t = consult.term as Leg;
            this.#sendInfo(x);
            this.#sendInfo(t);
            this.#openMedia(x, t);
        } else {
            this.#sendInfo(x);
            this.#startTone(x, Tone.AlertingTone);
            this.#state(x, CallState.RingOut);
            this.#w(x)?.selectSoftKeys(x.app.line, x.ref, SoftKeySet.RingOut);
            for (const t of consult.alerting) this.#sendInfo(t);
        }
    }

    #cfwdAll(d: Device, line: number): void {
        const app = d.apps[(line > 0 ? line : 1) - 1] ?? d.apps[0];
        if (app === undefined) return;
        if (app.dn.forward.all !== "") {
            this.setForward(app.dn.dn, { all: "" });
            d.conn?.session.send(Msg.ClearNotify, {});
            if (this.#legCount(d) === 0) d.conn?.wire.prompt(label(Label.YourCurrentOptions), 0, 0);
            return;
        }
        const active = this.#activeLeg(d);
        if (active !== null) {
            if (active.role !== "orig" || active.call !== null || active.digits !== "") return;
            active.role = "cfwd";
            this.#w(active)?.prompt(label(0x05), active.app.line, active.ref);
            return;
        }
        this.#newOffHook(d, app, "cfwd");
    }

    #finishCfwd(leg: Leg, target: string): void {
        const dn = leg.app.dn;
        this.#endLeg(leg);
        if (target === "" || target === dn.dn) return;
        this.setForward(dn.dn, { all: target });
        const w = leg.app.device.conn?.wire;
        if (this.#legCount(leg.app.device) === 0) w?.prompt(label(Label.ForwardedTo, ` ${target}`), 0, 0);
        w?.notify(0, label(Label.ForwardedTo, ` ${target}`));
    }

    // --- clearing ---

    /** A phone hangs up one of its legs. */
    #hangUp(leg: Leg): void {
        const call = leg.call;
        if (call === null) {
            this.#endLeg(leg);
            return;
        }
        if (leg === call.orig) {
            for (const t of [...call.alerting]) this.#cancelRinging(t);
            call.alerting = [];
            const term = call.term;
            this.#endCall(call);
            this.#endLeg(leg);
            if (term !== null) this.#endLeg(term);
            return;
        }
        if (leg === call.term) {
            this.#endCall(call);
            this.#endLeg(leg);
            this.#endLeg(call.orig);
        }
    }

    #endCall(call: Call): void {
        if (call.phase === "ended") return;
        call.phase = "ended";
        this.clock.clearTimer(call.timer);
        call.timer = null;
        this.#calls.delete(call);
        this.emit("callEnded", call.orig.app.dn.dn, call.dialed);
    }

    /** Clears one leg on its phone with CM 4.1's on-hook sequence. */
    #endLeg(leg: Leg): void {
        if (!leg.app.legs.includes(leg)) return;
        this.#removeLeg(leg);
        this.#clearHints(leg);
        leg.call = null;
        const d = leg.app.device;
        const w = this.#w(leg);
        if (w === null) return;
        const line = leg.app.line;
        leg.tone = 0;
        w.stopTone(line, leg.ref);
        const lineBusy = leg.app.legs.some((l) => l.role !== "hint");
        if (!lineBusy) w.setLamp(Stimulus.Line, line, Lamp.Off);
        w.clearPrompt(line, leg.ref);
        this.#closeMedia(leg);
        w.callState(CallState.OnHook, line, leg.ref);
        leg.state = CallState.OnHook;
        const rest = d.apps.flatMap((a) => a.legs);
        if (rest.length === 0) {
            w.selectSoftKeys(0, 0, SoftKeySet.OnHook);
            w.timeDate(localTime(this.clock.now(), d.timeZone));
            w.speaker(false);
            w.setRinger(Ring.Off, 0, 0);
            return;
        }
        const held = rest.find((l) => l.held);
        const ringing = rest.find((l) => l.role === "term" && l.state === CallState.RingIn);
        if (this.#activeLeg(d) === null) {
            w.speaker(false);
            if (ringing !== undefined) {
                w.selectSoftKeys(ringing.app.line, ringing.ref, SoftKeySet.RingIn);
                w.setRinger(Ring.Inside, ringing.app.line, ringing.ref);
            } else if (held !== undefined) w.selectSoftKeys(held.app.line, held.ref, SoftKeySet.OnHold);
        }
    }

    /** The device of a leg went away (link lost): clear the calls it took part in. */
    #deviceGone(leg: Leg): void {
        this.#removeLeg(leg);
        this.#clearHints(leg);
        const call = leg.call;
        leg.call = null;
        if (call === null || call.phase === "ended") return;
        if (leg === call.orig) {
            for (const t of [...call.alerting]) this.#cancelRinging(t);
            call.alerting = [];
            const term = call.term;
            this.#endCall(call);
            if (term !== null) this.#endLeg(term);
            return;
        }
        const i = call.alerting.indexOf(leg);
        if (i >= 0) {
            call.alerting.splice(i, 1);
            if (call.alerting.length === 0) this.#noAnswer(call);
            return;
        }
        if (leg === call.term) {
            this.#endCall(call);
            this.#endLeg(call.orig);
        }
    }
}

/**
 * A simulated CTI application: what a JTAPI client does on the wire (QBE-REFERENCE §8-§9). It connects to
 * a CTIManager, sends ProviderInitRequest and ProviderOpenRequest (asking for `heartbeatS`), waits for the
 * ProviderOpenCompletedEvent, opens its devices and lines (addObserver / addCallObserver) and then keeps the
 * session alive: a Heartbeat whenever it has sent nothing for the client interval the server decided, and
 * the session is given up when nothing arrives for 2 × serverHeartbeat × 1.01 s (clamped to 10..500 s).
 * It records the line states the events report. Requests are numbered from 0 per connection.
 *
 * Controls for tests: `stop()` (ProviderCloseRequest, then FIN), `freeze()` (goes silent: the CTIManager
 * and the box see the heartbeats stop), `abort()` (RST).
 */
import { EventEmitter } from "node:events";
import type { QbeMessage } from "../qbe/codec.js";
import { SimError } from "./errors.js";
import type { SimNetwork } from "./network.js";
import { QbeEndpoint } from "./qbeEndpoint.js";
import type { SimClock, SimTimer } from "./types.js";

/** Options of a CTI application. */
export interface SimCtiAppOptions {
    network: SimNetwork;
    clock: SimClock;
    /** The CTIManager. */
    host: string;
    port: number;
    /** Local address to connect from (e.g. the application server's 127.0.0.N). */
    localAddress?: string;
    login?: string;
    applicationID?: string;
    /** desiredServerHeartbeatTime (s). Default 30, the client's default. */
    heartbeatS?: number;
    /** Devices and the lines (DNs) to open on each. */
    devices?: readonly { deviceName: string; lines: readonly string[] }[];
}

/** Lifecycle of the application's provider. */
export type SimCtiAppState = "idle" | "opening" | "open" | "closed" | "failed" | "frozen";

/** Events of a CTI application. */
export interface SimCtiAppEvents {
    open: [];
    closed: [reason: string];
    /** A call leg on an open line changed: its CTI CALLSTATE (1 IDLE when it closed). */
    lineState: [dn: string, state: number];
}

type Pending = { kind: "init" | "open" | "close" } | { kind: "device"; name: string } | { kind: "line"; dn: string };

/** The simulated CTI application. */
export class SimCtiApp extends EventEmitter<SimCtiAppEvents> {
    state: SimCtiAppState = "idle";
    readonly errors: string[] = [];
    /** Heartbeat intervals decided by the server (s), once open. */
    clientHeartbeatS = 0;
    serverHeartbeatS = 0;
    readonly #opts: SimCtiAppOptions;
    #ep: QbeEndpoint | null = null;
    #seq = 0;
    readonly #pending = new Map<number, Pending>();
    /** Line id → DN, and the legs' CTI states per DN. */
    readonly #lineDn = new Map<number, string>();
    readonly #legs = new Map<string, Map<number, number>>();
    #timer: SimTimer | null = null;
    #waiting = 0;
    #ready: { resolve: () => void; reject: (e: Error) => void } | null = null;

    constructor(opts: SimCtiAppOptions) {
        super();
        this.#opts = opts;
    }

    /** DNs of the lines the application has open. */
    get openLines(): string[] {
        return [...this.#lineDn.values()];
    }

    /** CTI call states of the legs on a line (empty: idle). */
    lineStates(dn: string): number[] {
        return [...(this.#legs.get(dn)?.values() ?? [])];
    }

    /** Connects, opens the provider, then every device and line; resolves once all are open. */
    start(): Promise<void> {
        if (this.state !== "idle")
            return Promise.reject(new SimError("SIM_CTI_STARTED", "the application ran already"));
        this.state = "opening";
        const o = this.#opts;
        return new Promise<void>((resolve, reject) => {
            this.#ready = { resolve, reject };
            o.network.connect(
                {
                    host: o.host,
                    port: o.port,
                    ...(o.localAddress !== undefined ? { localAddress: o.localAddress } : {}),
                },
                (err, link) => {
                    if (err !== null || link === null) {
                        this.#fail(`cannot connect to the CTIManager: ${err?.message ?? "no link"}`);
                        return;
                    }
                    this.#ep = new QbeEndpoint(link, o.clock, {
                        onMessage: (msg) => this.#message(msg),
                        onClose: (reason) => this.#closed(`connection ${reason}`),
                        onProtocolError: (text) => {
                            if (this.errors.length < 100) this.errors.push(text);
                        },
                    });
                    this.#request(
                        "ProviderInitRequest",
                        { kind: "init" },
                        {
                            provider: o.host,
                            qbeClientVerion: "SimJTAPI 1.0",
                            applicationID: o.applicationID ?? "callbackd-sim",
                            pluginName: "CiscoJTAPI",
                        },
                    );
                },
            );
        });
    }

    /** provider.shutdown(): ProviderCloseRequest, then the connection is closed once answered. */
    stop(): void {
        if (this.#ep === null || !this.#ep.open) return;
        if (this.state === "open") this.#request("ProviderCloseRequest", { kind: "close" }, {});
        else this.#ep.close();
    }

    /** Goes silent without closing (a hung application): no heartbeats, nothing handled. */
    freeze(): void {
        this.#clearTimer();
        this.#ep?.freeze();
        this.state = "frozen";
    }

    /** Abortive close (RST). */
    abort(): void {
        this.#clearTimer();
        this.#ep?.abort();
        this.#closed("aborted");
    }

    #request(name: string, p: Pending, fields: Record<string, unknown>): void {
        const seq = this.#seq++;
        this.#pending.set(seq, p);
        this.#ep?.send(name, { sequenceNumber: seq, ...(fields as object) });
    }

    #message(msg: QbeMessage): void {
        const f = msg.fields;
        const seq = typeof f.sequenceNumber === "number" ? f.sequenceNumber : -1;
        switch (msg.name) {
            case "Heartbeat":
                return;
            case "ProviderInitResponse":
                this.#pending.delete(seq);
                this.#request(
                    "ProviderOpenRequest",
                    { kind: "open" },
                    {
                        provider: this.#opts.host,
                        qbeClientVersion: "SimJTAPI 1.0",
                        login: this.#opts.login ?? "cbapp",
                        filter: {
                            deviceRegistered: true,
                            deviceUnregistered: true,
                            directoryChangeNotify: true,
                            deviceConfigChangeNotify: true,
                        },
                        applicationID: this.#opts.applicationID ?? "callbackd-sim",
                        desiredServerHeartbeatTime: this.#opts.heartbeatS ?? 30,
                        pluginName: "CiscoJTAPI",
                        applicationPriority: 2,
                    },
                );
                return;
            case "ProviderOpenResponse":
                if (typeof f.clientHeartbeat === "number") this.clientHeartbeatS = f.clientHeartbeat;
                if (typeof f.serverHeartbeat === "number") this.serverHeartbeatS = f.serverHeartbeat;
                return;
            case "ProviderOpenCompletedEvent":
                this.#pending.delete(seq);
                if (f.reason !== 0) {
                    this.#fail(`provider open failed: ${String(f.failureDescription ?? f.reason)}`);
                    this.#ep?.close();
                    return;
                }
                this.state = "open";
                this.#arm();
                this.#openAll();
                return;
            case "ProviderClosedEvent":
                this.#closed(`provider closed by the CTIManager (reason ${String(f.reason)})`);
                this.#ep?.close();
                return;
            case "ProviderCloseResponse":
                this.#pending.delete(seq);
                this.#ep?.close();
                this.#closed("closed by the application");
                return;
            case "FailureResponse": {
                const p = this.#pending.get(seq);
                this.#pending.delete(seq);
                this.#fail(`${p?.kind ?? "request"} ${seq} failed: ${String(f.description ?? f.result)}`);
                return;
            }
            case "DeviceOpenResponse":
                this.#settled(seq);
                return;
            case "LineOpenResponse": {
                const p = this.#pending.get(seq);
                if (p?.kind === "line" && typeof f.lineID === "number") {
                    this.#lineDn.set(f.lineID, p.dn);
                    this.#legs.set(p.dn, new Map());
                }
                this.#settled(seq);
                return;
            }
            case "NewCallEvent":
            case "ExistingCallEvent":
            case "CallStateChangedEvent_V2":
                this.#legState(f.lineID, f.callLegID, typeof f.state === "number" ? f.state : 0, false);
                return;
            case "CallClosedEvent":
                this.#legState(f.lineID, f.callLegID, 1, true);
                return;
            default:
                return;
        }
    }

    #openAll(): void {
        for (const d of this.#opts.devices ?? []) {
            this.#waiting++;
            this.#request("DeviceOpenRequest", { kind: "device", name: d.deviceName }, { deviceName: d.deviceName });
            for (const dn of d.lines) {
                this.#waiting++;
                this.#request(
                    "LineOpenRequest",
                    { kind: "line", dn },
                    {
                        deviceName: d.deviceName,
                        lineName: dn,
                        filter: {
                            callStateChanged: true,
                            partyInfoChanged: true,
                            bExistingCallEvent: true,
                            bNewCallEvent: true,
                        },
                    },
                );
            }
        }
        if (this.#waiting === 0) this.#opened();
    }

    #settled(seq: number): void {
        this.#pending.delete(seq);
        if (--this.#waiting === 0) this.#opened();
    }

    #opened(): void {
        this.emit("open");
        this.#ready?.resolve();
        this.#ready = null;
    }

    #legState(lineId: unknown, legId: unknown, state: number, closed: boolean): void {
        const dn = typeof lineId === "number" ? this.#lineDn.get(lineId) : undefined;
        if (dn === undefined || typeof legId !== "number") return;
        const legs = this.#legs.get(dn) ?? new Map<number, number>();
        if (closed || state === 1 || state === 14) legs.delete(legId);
        else legs.set(legId, state);
        this.#legs.set(dn, legs);
        this.emit("lineState", dn, state);
    }

    /** Client heartbeats and the receive timeout (§9), checked every half client interval. */
    #arm(): void {
        const c = Math.max(1, this.clientHeartbeatS || this.#opts.heartbeatS || 30);
        const s = Math.max(1, this.serverHeartbeatS || this.#opts.heartbeatS || 30);
        const windowMs = Math.min(500, Math.max(10, 2 * s * 1.01)) * 1000;
        this.#timer = this.#opts.clock.setTimer((c * 1000) / 2, () => {
            this.#timer = null;
            const ep = this.#ep;
            if (ep === null || !ep.open || this.state !== "open") return;
            const now = this.#opts.clock.now();
            if (now - ep.lastRx > windowMs) {
                ep.close();
                this.#closed("provider out of service (nothing received)");
                return;
            }
            if (now - ep.lastTx >= c * 1000) ep.send("Heartbeat");
            this.#arm();
        });
    }

    #clearTimer(): void {
        this.#opts.clock.clearTimer(this.#timer);
        this.#timer = null;
    }

    #fail(why: string): void {
        if (this.errors.length < 100) this.errors.push(why);
        if (this.state === "opening") this.state = "failed";
        this.#ready?.reject(new SimError("SIM_CTI_OPEN", why));
        this.#ready = null;
    }

    #closed(reason: string): void {
        if (this.state === "closed" || this.state === "failed") return;
        this.#clearTimer();
        if (this.state === "opening") {
            this.#fail(reason);
            return;
        }
        this.state = "closed";
        this.emit("closed", reason);
    }
}

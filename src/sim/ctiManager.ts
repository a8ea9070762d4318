/**
 * Simulated Cisco CTIManager (TCP 2748): the server side of the QBE sessions CTI applications (JTAPI, TSP)
 * open, with the message sequences of QBE-REFERENCE §8: ProviderInit, ProviderOpen (response and completed
 * event with the heartbeat intervals the server decides), device and line open/close, the calls already on
 * a line when it is opened (ExistingCallEvent … ExistingCallCompletedEvent), and then the line's calls as
 * NewCallEvent / CallStateChangedEvent_V2 / CallClosedEvent, taken from the simulated CallManager's legs.
 * Heartbeats (§9): the server sends one when it has sent nothing for `serverHeartbeat` seconds, and closes a
 * provider whose client stayed silent for two client intervals (ProviderClosedEvent HEARTBEAT_MISSED).
 *
 * Frames are encoded with the project's QBE codec (byte-exact with Cisco's client library), over the
 * simulator's network, so the branch's mirror tap carries them to the box like any other traffic.
 */
import { EventEmitter } from "node:events";
import type { QbeFields, QbeMessage } from "../qbe/codec.js";
import type { SimCallManager, SimLegEvent } from "./callManager.js";
import { SimError } from "./errors.js";
import type { SimLink, SimNetwork, SimServer } from "./network.js";
import { QbeEndpoint } from "./qbeEndpoint.js";
import { CallState, type SimClock, type SimTimer } from "./types.js";

/** CTIFAILURE codes the simulator answers with (enums.tsv). */
export const CtiFailure = {
    CTI_FAILURE: 0x8ccc0000,
    UNDEFINED_LINE: 0x8ccc0005,
    INVALID_DEVICE_NAME: 0x8ccc0022,
    DIRECTORY_LOGIN_FAILED: 0x8ccc0060,
} as const;

/** CTI CALLSTATE values (QBE-REFERENCE §7). */
export const CtiCallState = {
    IDLE: 1,
    OFFERING: 2,
    DIALTONE: 4,
    RINGBACK: 6,
    BUSY: 7,
    CONNECTED: 8,
    PROCEEDING: 9,
    ONHOLD: 10,
    TRANSFERONHOLD: 12,
    DISCONNECTED: 14,
    REMOTEINUSE: 16,
} as const;

/** The CTI call state a line reports for an SCCP call state of the phone. */
export function ctiStateOf(sccpState: number): number {
    switch (sccpState) {
        case CallState.OffHook:
            return CtiCallState.DIALTONE;
        case CallState.OnHook:
        case CallState.Idle:
            return CtiCallState.IDLE;
        case CallState.RingOut:
            return CtiCallState.RINGBACK;
        case CallState.RingIn:
        case CallState.CallWaiting:
            return CtiCallState.OFFERING;
        case CallState.Busy:
        case CallState.Congestion:
        case CallState.InvalidNumber:
            return CtiCallState.BUSY;
        case CallState.Hold:
            return CtiCallState.ONHOLD;
        case CallState.CallTransfer:
            return CtiCallState.TRANSFERONHOLD;
        case CallState.Proceed:
            return CtiCallState.PROCEEDING;
        case CallState.CallRemoteMultiline:
            return CtiCallState.REMOTEINUSE;
        default:
            return CtiCallState.CONNECTED;
    }
}

/** Options of the simulated CTIManager. */
export interface SimCtiManagerOptions {
    /** The CallManager whose devices and calls the CTIManager reports. */
    cm: SimCallManager;
    /** Default: the CallManager's. */
    network?: SimNetwork;
    clock?: SimClock;
    /** Listen address. Default 127.0.0.1. */
    host?: string;
    /** Listen port; 0 picks a free one. Default 0. */
    port?: number;
    /** Heartbeat intervals the server decides (s). Default: what the client asks for, else 30. */
    clientHeartbeatS?: number;
    serverHeartbeatS?: number;
    /** Logins whose provider open fails (DIRECTORY_LOGIN_FAILED). */
    rejectLogins?: readonly string[];
    /** callManagerID in the handles. Default 1. */
    callManagerId?: number;
}

/** Events of the CTIManager. */
export interface SimCtiManagerEvents {
    providerOpened: [login: string];
    providerClosed: [login: string, reason: string];
    protocolError: [text: string];
}

interface OpenLine {
    id: number;
    deviceName: string;
    dn: string;
    /** Call leg ids by SCCP call reference. */
    legs: Map<number, number>;
}

interface Provider {
    ep: QbeEndpoint;
    open: boolean;
    login: string;
    clientHb: number;
    serverHb: number;
    devices: Map<number, string>;
    lines: Map<number, OpenLine>;
    timer: SimTimer | null;
}

/** The simulated CTIManager. */
export class SimCtiManager extends EventEmitter<SimCtiManagerEvents> {
    readonly clock: SimClock;
    readonly network: SimNetwork;
    readonly errors: string[] = [];
    readonly stats = { connections: 0, providersOpened: 0, heartbeatsMissed: 0 };
    readonly #cm: SimCallManager;
    readonly #opts: SimCtiManagerOptions;
    readonly #cmId: number;
    readonly #providers = new Set<Provider>();
    #server: SimServer | null = null;
    #nextId = 1;
    #hung = false;
    readonly #onLeg = (e: SimLegEvent): void => this.#leg(e);

    constructor(opts: SimCtiManagerOptions) {
        super();
        this.#opts = opts;
        this.#cm = opts.cm;
        this.clock = opts.clock ?? opts.cm.clock;
        this.network = opts.network ?? opts.cm.network;
        this.#cmId = opts.callManagerId ?? 1;
    }

    /** Listening address once started. */
    get address(): { host: string; port: number } {
        if (this.#server === null) throw new SimError("SIM_NOT_STARTED", "the CTIManager is not listening");
        return { host: this.#server.host, port: this.#server.port };
    }

    /** Providers currently open. */
    get providers(): number {
        let n = 0;
        for (const p of this.#providers) if (p.open) n++;
        return n;
    }

    async start(): Promise<void> {
        if (this.#server !== null) return;
        this.#cm.on("leg", this.#onLeg);
        this.#server = await this.network.listen(this.#opts.host ?? "127.0.0.1", this.#opts.port ?? 0, (link) =>
            this.#accept(link),
        );
    }

    /** Closes every provider (FIN) and stops listening. */
    async stop(): Promise<void> {
        this.#cm.off("leg", this.#onLeg);
        for (const p of [...this.#providers]) this.#drop(p, "CTIManager stopped", true);
        const s = this.#server;
        this.#server = null;
        if (s !== null) await s.close();
    }

    /** Goes silent on every connection without closing (a hung CTIManager); new ones are accepted and frozen. */
    hang(): void {
        this.#hung = true;
        for (const p of this.#providers) {
            this.clock.clearTimer(p.timer);
            p.timer = null;
            p.ep.freeze();
        }
    }

    /** Closes every provider as CTIManager does when it shuts down: ProviderClosedEvent, then FIN. */
    closeProviders(reason = 2 /* UNEXPECTEDSHUTDOWN */): void {
        for (const p of [...this.#providers]) {
            if (p.open) p.ep.send("ProviderClosedEvent", { reason });
            this.#drop(p, `closed (reason ${reason})`, true);
        }
    }

    #accept(link: SimLink): void {
        this.stats.connections++;
        const p: Provider = {
            ep: null as unknown as QbeEndpoint,
            open: false,
            login: "",
            clientHb: 30,
            serverHb: 30,
            devices: new Map(),
            lines: new Map(),
            timer: null,
        };
        p.ep = new QbeEndpoint(link, this.clock, {
            onMessage: (msg) => this.#request(p, msg),
            onClose: (reason) => this.#drop(p, `connection ${reason}`, false),
            onProtocolError: (text) => this.#error(text),
        });
        this.#providers.add(p);
        if (this.#hung) p.ep.freeze();
    }

    #drop(p: Provider, why: string, close: boolean): void {
        if (!this.#providers.delete(p)) return;
        this.clock.clearTimer(p.timer);
        p.timer = null;
        if (close) p.ep.close();
        if (p.open) this.emit("providerClosed", p.login, why);
        p.open = false;
    }

    #error(text: string): void {
        if (this.errors.length < 100) this.errors.push(text);
        this.emit("protocolError", text);
    }

    #request(p: Provider, msg: QbeMessage): void {
        const f = msg.fields;
        const seq = typeof f.sequenceNumber === "number" ? f.sequenceNumber : 0;
        switch (msg.name) {
            case "Heartbeat":
                return;
            case "ProviderInitRequest":
                p.ep.send("ProviderInitResponse", { sequenceNumber: seq, result: 0, providerInfo: "SimCTIManager" });
                return;
            case "ProviderOpenRequest":
                this.#open(p, seq, f);
                return;
            case "ProviderCloseRequest":
                p.ep.send("ProviderCloseResponse", { sequenceNumber: seq, result: 0 });
                this.#drop(p, "closed by the application", true);
                return;
            case "DeviceOpenRequest": {
                const name = str(f.deviceName);
                if (!p.open || this.#cm.linesOf(name) === null) {
                    this.#fail(p, seq, CtiFailure.INVALID_DEVICE_NAME, `no device ${name}`);
                    return;
                }
                const id = this.#nextId++;
                p.devices.set(id, name);
                p.ep.send("DeviceOpenResponse", {
                    sequenceNumber: seq,
                    result: 0,
                    callManagerID: this.#cmId,
                    deviceID: id,
                });
                p.ep.send("DeviceInServiceEvent", { deviceCallManagerID: this.#cmId, deviceID: id });
                return;
            }
            case "DeviceCloseRequest": {
                const id = typeof f.deviceID === "number" ? f.deviceID : -1;
                p.devices.delete(id);
                p.ep.send("DeviceCloseResponse", {
                    sequenceNumber: seq,
                    result: 0,
                    callManagerID: this.#cmId,
                    deviceID: id,
                });
                return;
            }
            case "LineOpenRequest":
                this.#openLine(p, seq, str(f.deviceName), str(f.lineName));
                return;
            case "LineCloseRequest": {
                const id = typeof f.lineID === "number" ? f.lineID : -1;
                p.lines.delete(id);
                p.ep.send("LineCloseResponse", {
                    sequenceNumber: seq,
                    result: 0,
                    lineCallManagerID: this.#cmId,
                    lineID: id,
                });
                return;
            }
            default:
                if (msg.name.endsWith("Request"))
                    this.#fail(p, seq, CtiFailure.CTI_FAILURE, `${msg.name} is not simulated`);
                else this.#error(`unexpected ${msg.name} from a client`);
        }
    }

    #fail(p: Provider, seq: number, result: number, description: string): void {
        p.ep.send("FailureResponse", { sequenceNumber: seq, result, description });
    }

    #open(p: Provider, seq: number, f: QbeFields): void {
        const login = str(f.login);
        const desired = typeof f.desiredServerHeartbeatTime === "number" ? f.desiredServerHeartbeatTime : 0;
        p.login = login;
        p.clientHb = this.#opts.clientHeartbeatS ?? (desired > 0 ? desired : 30);
        p.serverHb = this.#opts.serverHeartbeatS ?? (desired > 0 ? desired : 30);
        const providerId = this.stats.providersOpened + 1;
        const hb = { clientHeartbeat: p.clientHb, serverHeartbeat: p.serverHb };
        p.ep.send("ProviderOpenResponse", {
            sequenceNumber: seq,
            result: 0,
            providerInfoString: "SimCTIManager",
            ...hb,
            providerId,
        });
        if (this.#opts.rejectLogins?.includes(login) === true) {
            p.ep.send("ProviderOpenCompletedEvent", {
                reason: CtiFailure.DIRECTORY_LOGIN_FAILED,
                sequenceNumber: seq,
                failureDescription: "Directory login failed",
            });
            return;
        }
        p.ep.send("ProviderOpenCompletedEvent", {
            reason: 0,
            sequenceNumber: seq,
            providerInfoString: "SimCTIManager",
            ...hb,
            providerId,
            loginUserName: login,
        });
        p.open = true;
        this.stats.providersOpened++;
        this.#arm(p);
        this.emit("providerOpened", login);
    }

    #openLine(p: Provider, seq: number, deviceName: string, dn: string): void {
        const lines = this.#cm.linesOf(deviceName);
        const instance = lines === null ? -1 : lines.indexOf(dn) + 1;
        if (!p.open || instance <= 0) {
            this.#fail(p, seq, CtiFailure.UNDEFINED_LINE, `no line ${dn} on ${deviceName}`);
            return;
        }
        const line: OpenLine = { id: this.#nextId++, deviceName, dn, legs: new Map() };
        p.lines.set(line.id, line);
        const h = { lineCallManagerID: this.#cmId, lineID: line.id };
        p.ep.send("LineOpenResponse", { sequenceNumber: seq, result: 0, ...h });
        p.ep.send("LineInServiceEvent", h);
        // the calls already on the line, then the end of the snapshot
        for (const [li, ref, state] of this.#cm.legsOf(deviceName)) {
            if (li !== instance) continue;
            const leg = this.#nextId++;
            line.legs.set(ref, leg);
            p.ep.send("ExistingCallEvent", {
                ...h,
                lineHandleSpecified: true,
                deviceName,
                callCallManagerID: this.#cmId,
                callLegID: leg,
                globalCallManagerID: this.#cmId,
                callID: ref,
                state: ctiStateOf(state),
            });
        }
        p.ep.send("ExistingCallCompletedEvent", h);
    }

    /** A leg of the CallManager changed: every provider with the line open hears of it. */
    #leg(e: SimLegEvent): void {
        if (this.#hung) return;
        for (const p of this.#providers) {
            if (!p.open) continue;
            for (const line of p.lines.values()) {
                if (line.deviceName !== e.deviceName || line.dn !== e.dn) continue;
                const h = { lineCallManagerID: this.#cmId, lineID: line.id };
                let leg = line.legs.get(e.callRef);
                if (e.ended) {
                    if (leg === undefined) continue;
                    line.legs.delete(e.callRef);
                    const call = { callCallManagerID: this.#cmId, callLegID: leg };
                    p.ep.send("CallStateChangedEvent_V2", { ...h, ...call, state: CtiCallState.IDLE, cause: 16 });
                    p.ep.send("CallClosedEvent", { ...h, ...call, reason: 0 });
                    continue;
                }
                const state = ctiStateOf(e.state);
                if (leg === undefined) {
                    leg = this.#nextId++;
                    line.legs.set(e.callRef, leg);
                    p.ep.send("NewCallEvent", {
                        ...h,
                        lineHandleSpecified: true,
                        deviceName: e.deviceName,
                        callCallManagerID: this.#cmId,
                        callLegID: leg,
                        globalCallManagerID: this.#cmId,
                        callID: e.callRef,
                        callingParty: e.calling,
                        calledParty: e.called,
                        state,
                        origin: e.calling === e.dn ? 4 /* OUTBOUND */ : 1 /* INBOUNDINTERNAL */,
                        reason: 1,
                    });
                    continue;
                }
                const cause = state === CtiCallState.BUSY ? 17 : 0;
                p.ep.send("CallStateChangedEvent_V2", {
                    ...h,
                    callCallManagerID: this.#cmId,
                    callLegID: leg,
                    state,
                    cause,
                    bRemoteInUse: state === CtiCallState.REMOTEINUSE,
                });
            }
        }
    }

    /** Heartbeats: send one when idle for serverHeartbeat; drop a client silent for two clientHeartbeats. */
    #arm(p: Provider): void {
        const step = (Math.min(p.clientHb, p.serverHb) * 1000) / 2;
        p.timer = this.clock.setTimer(step, () => {
            p.timer = null;
            if (!p.open || !this.#providers.has(p)) return;
            const now = this.clock.now();
            if (now - p.ep.lastRx > 2 * p.clientHb * 1000) {
                this.stats.heartbeatsMissed++;
                p.ep.send("ProviderClosedEvent", { reason: 1 /* HEARTBEAT_MISSED */ });
                this.#drop(p, "heartbeat missed", true);
                return;
            }
            if (now - p.ep.lastTx >= p.serverHb * 1000) p.ep.send("Heartbeat");
            this.#arm(p);
        });
    }
}

function str(v: unknown): string {
    return typeof v === "string" ? v : "";
}

/**
 * Simulated CallManager: an SCCP server that registers provisioned phones with the CallManager 4.x
 * registration exchange and switches calls between them with the message sequences a CM 4.x cluster
 * sends (SCCP-REFERENCE section 4 and the CM 4.1 capture): dial tone, digits, ringback or busy, ring in,
 * connect, hold, call waiting, forwarding, no-answer timeout, shared lines. Each phone link speaks its own
 * generation (static CM 4.x, V20 dynamic messages, or a CM 2.x-wide old dialect).
 *
 * Everything is synchronous and timed through the injected clock; output of one step is flushed as one
 * TCP write per phone at the end of the step, as a CallManager coalesces its bursts.
 *
 * This class is a facade over one state object (cm/state.ts) and the rooms that work on it:
 * cm/directory.ts (provisioning) < cm/legs.ts (call references on lines) < cm/calls.ts (switching) <
 * cm/features.ts (what a phone does: digits, softkeys, transfer, forwarding) < cm/registration.ts
 * (links, registration, configuration requests, message routing).
 */
import { EventEmitter } from "node:events";
import type { SccpFields } from "../sccp/index.js";
import { RealClock } from "./clock.js";
import { addDevice, dnRecord, setForward } from "./cm/directory.js";
import { accept, dropConn } from "./cm/registration.js";
import { type CmState, createState, run } from "./cm/state.js";
import type { SimCallManagerEvents, SimCallManagerOptions, SimCallManagerStats, SimDeviceConfig } from "./cm/types.js";
import type { ForwardData } from "./dialect.js";
import { SimError } from "./errors.js";
import { Msg } from "./ids.js";
import { MemoryNetwork, type SimNetwork, type SimServer, TcpNetwork } from "./network.js";
import type { SimClock } from "./types.js";

export type {
    BusySignal,
    SimCallManagerEvents,
    SimCallManagerOptions,
    SimCallManagerStats,
    SimDeviceConfig,
    SimLegEvent,
    SimLineConfig,
    SoftKeyPress,
} from "./cm/types.js";

/** The simulated CallManager. */
export class SimCallManager extends EventEmitter<SimCallManagerEvents> {
    readonly clock: SimClock;
    readonly network: SimNetwork;
    readonly stats: SimCallManagerStats;
    /** Protocol errors with the device they came from (first 100). */
    readonly errors: { deviceName: string; text: string }[];
    readonly #s: CmState;
    #server: SimServer | null = null;

    constructor(options: SimCallManagerOptions = {}) {
        super();
        this.clock = options.clock ?? new RealClock();
        this.network = options.network ?? new TcpNetwork(this.clock);
        this.#s = createState(this.clock, options, this);
        this.stats = this.#s.stats;
        this.errors = this.#s.errors;
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
        const { host, port } = this.#s.opts;
        this.#server = await this.network.listen(host, port, (link) => accept(this.#s, link));
    }

    /** Starts listening at once: memory transport only (synchronous benchmarks). */
    startSync(): void {
        if (this.#server !== null) return;
        if (!(this.network instanceof MemoryNetwork)) {
            throw new SimError("SIM_SYNC_NEEDS_MEMORY", "startSync needs the memory transport");
        }
        const { host, port } = this.#s.opts;
        this.#server = this.network.listenSync(host, port, (link) => accept(this.#s, link));
    }

    /** Closes every phone link (FIN) and stops listening. */
    async stop(): Promise<void> {
        const s = this.#s;
        for (const c of [...s.conns]) {
            dropConn(s, c, "CallManager stopped");
            if (s.hung) c.session.link.destroy();
            else c.session.close();
        }
        for (const l of s.frozenLinks) l.destroy();
        s.frozenLinks = [];
        const server = this.#server;
        this.#server = null;
        if (server !== null) await server.close();
    }

    /**
     * Hangs: every link goes silent without closing (nothing answered, nothing sent), as a stalled
     * CallManager does; phones notice by missing keepalive answers. New connections are still accepted and
     * frozen too. `stop()` cleans up.
     */
    hang(): void {
        const s = this.#s;
        s.hung = true;
        for (const c of s.conns) {
            this.clock.clearTimer(c.watchdog);
            c.watchdog = null;
            c.session.freeze();
        }
    }

    /** Provisions a device (before or after start). */
    addDevice(config: SimDeviceConfig): void {
        addDevice(this.#s, config);
    }

    /** Device names currently registered. */
    registeredDevices(): string[] {
        return [...this.#s.devices.values()].filter((d) => d.conn?.registered === true).map((d) => d.name);
    }

    /** Directory numbers of a provisioned device's lines (line 1 first), or null when it is not provisioned. */
    linesOf(deviceName: string): string[] | null {
        const d = this.#s.devices.get(deviceName);
        return d === undefined ? null : d.apps.map((a) => a.dn.dn);
    }

    /** True when the device is registered. */
    isRegistered(deviceName: string): boolean {
        return this.#s.devices.get(deviceName)?.conn?.registered === true;
    }

    /** Forwarding of a number. */
    forwarding(dn: string): ForwardData {
        return { ...dnRecord(this.#s, dn).forward };
    }

    /** Changes the forwarding of a number and tells every registered appearance (ForwardStatRes). */
    setForward(dn: string, forward: Partial<ForwardData>): void {
        dnRecord(this.#s, dn);
        run(this.#s, () => setForward(this.#s, dn, forward));
    }

    /** Calls in progress. */
    get activeCalls(): number {
        return this.#s.calls.size;
    }

    /** Call state of every leg on a device: [line, callRef, state]. */
    legsOf(deviceName: string): [number, number, number][] {
        const d = this.#s.devices.get(deviceName);
        if (d === undefined) return [];
        return d.apps.flatMap((a) => a.legs.map((l): [number, number, number] => [a.line, l.ref, l.state]));
    }

    /**
     * Sends any message to a registered device (header version of its link unless given): for tests of
     * what phones and observers make of messages the switching logic never sends.
     */
    send(deviceName: string, id: number, fields: SccpFields, hv?: number): void {
        const c = this.#s.devices.get(deviceName)?.conn;
        if (c === undefined || c === null || !c.registered) {
            throw new SimError("SIM_NOT_REGISTERED", `${deviceName} is not registered`, { deviceName });
        }
        run(this.#s, () => c.session.send(id, fields, hv ?? c.session.hv));
    }

    /** Resets a device (Reset message): the phone re-registers. */
    resetDevice(deviceName: string, type: 1 | 2 = 2): void {
        const c = this.#s.devices.get(deviceName)?.conn;
        if (c === undefined || c === null) return;
        run(this.#s, () => c.session.send(Msg.Reset, { resetType: type }, 0));
    }
}

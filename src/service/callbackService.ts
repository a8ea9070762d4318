import { CallBackEngine } from "../callback/engine.js";
import { engineOptionsFromConfig } from "../callback/options.js";
import type { EngineEffect, EngineState } from "../callback/types.js";
import type { CapturedFrame } from "../capture/frame.js";
import type { ClusterModel } from "../cluster/model.js";
import type { ClusterEvent } from "../cluster/types.js";
import type { Config } from "../config/types.js";
import { CallbackdError, describeError } from "../errors.js";
import { getLogger, type Logger } from "../logging/logger.js";
import type { ReassemblyPressure } from "../protocol/pressure.js";
import type { CtiLinkObserver } from "../qbe/link.js";
import type { Role } from "../redundancy/election.js";
import type { FlashFs } from "../store/flashFs.js";
import type { SlotStore } from "../store/slots.js";
import { decodePayload } from "../store/snapshotCodec.js";
import { type SnapshotWriter, WriteBudget } from "../store/snapshotWriter.js";
import { type Clock, steadyWallClock } from "../util/clock.js";
import type { WirePipeline } from "../wire/pipeline.js";
import { ModelClusterView } from "./clusterView.js";
import { Durability, type Replication } from "./durability.js";
import { EngineDriver } from "./engineDriver.js";
import { ServiceIngest } from "./ingest.js";
import { KnowledgeKeeper } from "./knowledgeKeeper.js";
import { PhoneEffects } from "./phoneEffects.js";
import {
    type PhoneHttpFactory,
    type PhoneHttpPort,
    type PushFactory,
    type PushPort,
    realPhoneHttpFactory,
    realPushFactory,
} from "./phonePorts.js";
import type { ServiceCounters } from "./serviceApi.js";
import { StoreAlarms } from "./storeAlarms.js";

export type { Replication } from "./durability.js";
export { guessPublicUrl, splitListen } from "./phonePorts.js";

/**
 * The Call Back service, composed: capture frames → wire → SCCP/QBE → cluster model → engine, and the
 * engine's effects carried out by the adapters (phone pushes, the phone-facing HTTP service, snapshots).
 * Time is the engine's clock in milliseconds: the wall clock when capturing live, the capture's own clock
 * when replaying a file, so a replay makes the same decisions as the live run did.
 *
 * A facade over its rooms: ingest.ts (frames → model), engineDriver.ts (model events → engine, deadlines,
 * effects routed), phoneEffects.ts (screens, notifications, pushes, phone actions), durability.ts
 * (snapshots, replication), knowledgeKeeper.ts (what the box learned about phones).
 */

export interface CallbackServiceOptions {
    config: Config;
    /** The state directory's file system (real files, or the in-memory fake in tests). */
    fs: FlashFs;
    /**
     * "live": engine time is the wall clock and deadlines use timers. "capture": engine time is the time of
     * the last frame; deadlines fire as frames advance it (and from `tick()`).
     */
    timeMode?: "live" | "capture";
    clock?: Clock;
    /** Observes alarm effects (the MQTT plane subscribes here). */
    onAlarm?: (id: string, action: "raise" | "clear", details: string) => void;
    /** Observes every cluster event and engine effect (narration, tests). */
    onEvent?: (e: ClusterEvent | EngineEffect) => void;
    /** "standby" with redundancy: decode and hold replicated state, act on nothing until made active. */
    initialRole?: Role;
    /** Builds the push client for the phones settings (default: the real XSI client, phone/push.ts). */
    push?: PushFactory;
    /** Builds the phone-facing HTTP service (default: the real one on http.listen, phone/http.ts). */
    phoneHttp?: PhoneHttpFactory;
}

export class CallbackService {
    readonly config: Config;
    readonly model: ClusterModel;
    readonly cti: CtiLinkObserver;
    readonly engine: CallBackEngine;
    readonly http: PhoneHttpPort;
    readonly pipeline: WirePipeline;
    /** Drives the capture.reassembly-pressure alarm from the reassembly counters and decoder resyncs. */
    readonly pressure: ReassemblyPressure;
    readonly store: SlotStore;
    readonly writer: SnapshotWriter;
    /** What the box learned about the cluster, on its own slot pair (restored at start, written on change). */
    readonly knowledge: KnowledgeKeeper;
    readonly #ingest: ServiceIngest;
    readonly #driver: EngineDriver;
    readonly #phones: PhoneEffects;
    readonly #durability: Durability;
    readonly #storeAlarms = new StoreAlarms((id, action, details) => this.#alarm(id, action, details));
    readonly #log: Logger;
    readonly #opts: CallbackServiceOptions;
    readonly #clock: Clock;
    readonly #capture: boolean;
    readonly #counters: ServiceCounters = {
        pushOk: 0,
        pushFailed: 0,
        notifications: 0,
        pressesIgnored: 0,
        withheld: 0,
    };
    /** callback.mode observe: decide and report, push nothing. */
    readonly #observe: boolean;

    constructor(opts: CallbackServiceOptions) {
        const { config } = opts;
        this.config = config;
        this.#opts = opts;
        this.#clock = opts.clock ?? steadyWallClock;
        this.#capture = opts.timeMode === "capture";
        this.#observe = config.callback.mode === "observe";
        this.#log = getLogger("callback");
        this.engine = new CallBackEngine(engineOptionsFromConfig(config));
        this.#ingest = new ServiceIngest({
            config,
            capture: this.#capture,
            onEvent: (e) => this.#onClusterEvent(e),
            alarm: (id, action, details) => this.#alarm(id, action, details),
        });
        this.model = this.#ingest.model;
        this.cti = this.#ingest.cti;
        this.pipeline = this.#ingest.pipeline;
        this.pressure = this.#ingest.pressure;
        const view = new ModelClusterView(
            this.model,
            () => (this.#capture ? this.#ingest.captureMs : (this.#clock.wallNow?.() ?? this.#clock.now())),
            config.cti.required,
        );
        this.#driver = new EngineDriver({
            engine: this.engine,
            view,
            now: () => this.now(),
            clock: this.#clock,
            capture: this.#capture,
            role: opts.initialRole ?? "active",
            counters: this.#counters,
            log: this.#log,
            onEvent: opts.onEvent,
            effects: {
                show: (e) => this.#phones.show(e),
                notify: (e) => this.#phones.notify(e),
                revoke: (ref) => this.http.revoke(ref),
                persist: (generation) => this.#durability.persist(generation),
                alarm: (id, action, details) => this.#alarm(id, action, details),
            },
        });
        const driver = this.#driver;
        this.#phones = new PhoneEffects({
            host: {
                input: (i) => driver.input(i),
                get active() {
                    return driver.role === "active";
                },
                get stopped() {
                    return driver.stopped;
                },
                awaitsDurability: (reply) => driver.state.requests.some((r) => r.reply === reply),
                device: (key) => view.device(key),
                identity: (key) => this.model.deviceIdentity(key),
            },
            phones: config.phones,
            observe: this.#observe,
            push: opts.push ?? realPushFactory(config),
            http: opts.phoneHttp ?? realPhoneHttpFactory(config),
            counters: this.#counters,
            log: this.#log,
        });
        this.http = this.#phones.http;
        // one flash write budget for the request snapshots and the knowledge
        const budget = new WriteBudget();
        this.#durability = new Durability({
            fs: opts.fs,
            budget,
            state: () => driver.state as EngineState,
            input: (i) => driver.input(i),
            onHealth: (e) => this.#storeAlarms.onHealth("requests", e),
            alarm: (id, action, details) => this.#alarm(id, action, details),
        });
        this.store = this.#durability.store;
        this.writer = this.#durability.writer;
        this.knowledge = new KnowledgeKeeper({
            model: this.model,
            fs: opts.fs,
            budget,
            writeDelayMs: config.cluster.knowledgeWriteDelayMs,
            now: () => this.now(),
            log: this.#log,
            alarm: (id, action, details) => this.#alarm(id, action, details),
            onHealth: (e) => this.#storeAlarms.onHealth("knowledge", e),
            written: () => {
                if (this.role === "active") this.#durability.replication?.replicateKnowledge?.();
            },
        });
    }

    /** The push client (null without phones.pushUser/pushPassword). */
    get push(): PushPort | null {
        return this.#phones.push;
    }

    /**
     * Takes new push credentials or a new push URL at once (they are live keys): later pushes use them;
     * pushes already in flight finish with the old client, which is then closed.
     */
    configurePush(phones: Config["phones"]): void {
        this.#phones.configurePush(phones);
    }

    /** Engine time, ms. */
    now(): number {
        return this.#capture ? this.#ingest.captureMs : this.#clock.now();
    }

    /** The engine's current state (read-only use: status, MQTT, console). */
    get state(): Readonly<EngineState> {
        return this.#driver.state;
    }

    /** Pushes, notifications, presses from phones without XML services, screens withheld in observe mode. */
    get counters(): Readonly<ServiceCounters> {
        return this.#counters;
    }

    /** callback.mode: "serve" (answers the phones) or "observe" (decides and reports, pushes nothing). */
    get mode(): "serve" | "observe" {
        return this.#observe ? "observe" : "serve";
    }

    /** Pushes sent whose outcome is not known yet (diagnostics; tests pace simulated time with it). */
    get pushesInFlight(): number {
        return this.#phones.pushesInFlight;
    }

    /** "active": acts on phones; "standby": decodes and holds replicated state only. */
    get role(): Role {
        return this.#driver.role;
    }

    /**
     * Changes the role. Active: every request held is resumed as after a restart (guard times start again,
     * a notification whose push was not acknowledged is pushed again). Standby: stops acting; presses
     * waiting for an answer get "Service not available.".
     */
    setRole(role: Role, reason: string): void {
        if (role === this.role) return;
        this.#log.warn({ role, reason }, `call-back service ${role}`);
        this.#driver.setRole(role);
        if (role !== "active") this.#phones.failWaiting();
    }

    /** Replicates through `r` as well as to flash (a request is acknowledged once both hold it). */
    attachReplication(r: Replication | null): void {
        this.#durability.attachReplication(r);
    }

    /** The request state as a snapshot payload (protobuf format 2), for replication. */
    replicaPayload(): Uint8Array {
        return this.#durability.encoded();
    }

    /** Standby: takes the active box's request state (validated first) and keeps it on flash too. */
    applyReplica(format: number, payload: Uint8Array): void {
        if (this.role === "active") {
            throw new ServiceRoleError("SERVICE_ACTIVE", "an active box does not take replicated state");
        }
        this.#driver.replace(decodePayload(format, payload).engine);
        this.writer.persist().catch(() => undefined); // failures raise flash.not-writable through onHealth
    }

    /** The knowledge as the redundancy link publishes it (a knowledge slot's payload). */
    knowledgePayload(): Uint8Array {
        return this.knowledge.payload();
    }

    /**
     * Standby: takes the phones the active box knows and this one does not (installed or restarted later);
     * what this box learned itself is kept. Throws a typed error if the payload is invalid.
     */
    applyKnowledge(payload: Uint8Array): void {
        if (this.role === "active") {
            throw new ServiceRoleError("SERVICE_ACTIVE", "an active box does not take replicated knowledge");
        }
        this.knowledge.applyReplica(payload);
    }

    /** Nothing half done: no press waiting for its request to be durable, no push in flight. */
    atSafePoint(): boolean {
        return this.pushesInFlight === 0 && !this.state.requests.some((r) => r.phase === "pending");
    }

    /** Restores the state from flash, then starts the phone-facing HTTP service. */
    async start(): Promise<{ restored: number; devices: number; slots: string[] }> {
        const { content, slots } = await this.#durability.load();
        if (content !== null) this.#driver.replace(content.engine);
        const restored = content === null ? 0 : content.engine.requests.length;
        // what the box learned about phones serves at once (they re-register only every few weeks), and
        // before the requests resume (their callers and callees are among those phones)
        const known = await this.knowledge.load();
        // The phone-facing service first: resuming may push a notification whose screen phones fetch from it.
        await this.http.start();
        if (content !== null) this.#driver.input({ type: "Restored" });
        const devices = known.devices;
        this.#log.info({ restored, devices, slots, http: this.http.baseUrl }, "call-back service started");
        if (devices === 0) {
            this.#log.warn(
                "no knowledge of phones was restored: a phone is learned at its next registration (or partly from its calls)",
            );
        }
        return { restored, devices, slots: [...slots, ...known.slots] };
    }

    /** Orderly stop: final snapshot, HTTP service down, pushes closed. */
    async stop(): Promise<void> {
        if (this.#driver.stopped) return;
        this.#driver.stop();
        await this.#durability.stop((err) => {
            this.#log.error({ error: describeError(err) }, "final snapshot failed");
        });
        await this.knowledge.stop();
        await this.#phones.stop();
    }

    /** Feeds one captured frame (a FrameSink). */
    readonly onFrame = (frame: CapturedFrame): void => {
        this.#ingest.onFrame(frame);
        this.knowledge.changed();
        if (this.#capture) this.#runDue();
    };

    /** Applies timeouts when no frame arrives (live), or at the end of a capture (capture time). */
    tick(): void {
        this.#ingest.tick(this.now());
        this.knowledge.check(this.now());
        this.#driver.input({ type: "Tick" });
    }

    /** Cancels a request (MQTT, console); resolves with whether it existed. */
    cancel(id: string, reason?: string): boolean {
        const before = this.state.requests.some((r) => r.id === id);
        this.#driver.input({ type: "AdminCancel", id, ...(reason !== undefined ? { reason } : {}) });
        return before;
    }

    /**
     * Capture time: resolves once the writes of durable changes asked so far are done (null when none is).
     * A replay waits for it before the next frame (see Durability.durableWritesDone).
     */
    durableWritesDone(): Promise<void> | null {
        return this.#durability.durableWritesDone();
    }

    #runDue(): void {
        const now = this.now();
        if (this.#ingest.checkDue(now)) this.knowledge.check(now);
        this.#driver.runDue(now);
    }

    #onClusterEvent(e: ClusterEvent): void {
        this.#opts.onEvent?.(e);
        if (e.type === "SoftKeyPressed" && e.source === "softkey" && e.label === null) {
            this.knowledge.pressNotUnderstood(e);
        }
        this.#driver.input(e);
    }

    #alarm(id: string, action: "raise" | "clear", details: string): void {
        if (action === "raise") this.#log.warn({ alarm: id, details }, "alarm raised");
        else this.#log.info({ alarm: id, details }, "alarm cleared");
        this.#opts.onAlarm?.(id, action, details);
    }
}

/** An operation the box's current role does not allow. */
export class ServiceRoleError extends CallbackdError {}

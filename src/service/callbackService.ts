import { networkInterfaces } from "node:os";
import { CallBackEngine } from "../callback/engine.js";
import { engineOptionsFromConfig } from "../callback/options.js";
import { initialState } from "../callback/state.js";
import type { EngineEffect, EngineInput, EngineState, ShowScreenEffect } from "../callback/types.js";
import type { CapturedFrame } from "../capture/frame.js";
import { ClusterModel } from "../cluster/model.js";
import type { ClusterEvent } from "../cluster/types.js";
import { qbePorts } from "../config/load.js";
import type { Config } from "../config/types.js";
import { CallbackdError, describeError } from "../errors.js";
import { ingestPipeline, protocolRoutes } from "../ingest/pipeline.js";
import { getLogger, type Logger } from "../logging/logger.js";
import { loadDictionariesSync } from "../phone/dictionary.js";
import { type BoxAction, type NextScreen, PhoneHttpService, type Ticket } from "../phone/http.js";
import type { PhoneTime } from "../phone/phoneTime.js";
import { PushClient, type PushOutcome } from "../phone/push.js";
import { buildExecute, type ExecuteItem, playUri } from "../phone/xsi.js";
import { PRESSURE_ALARM, ReassemblyPressure } from "../protocol/pressure.js";
import { CtiLinkObserver } from "../qbe/link.js";
import type { Role } from "../redundancy/election.js";
import type { FlashFs } from "../store/flashFs.js";
import { SlotStore } from "../store/slots.js";
import { decodePayload, encodeSnapshot, FORMAT_PROTOBUF } from "../store/snapshotCodec.js";
import { SnapshotWriter, type StoreHealthEvent, WriteBudget } from "../store/snapshotWriter.js";
import { type Clock, steadyWallClock } from "../util/clock.js";
import type { WirePipeline } from "../wire/pipeline.js";
import { ModelClusterView } from "./clusterView.js";
import { KnowledgeKeeper } from "./knowledgeKeeper.js";
import type { ServiceCounters } from "./serviceApi.js";

/**
 * The Call Back service, composed: capture frames → wire → SCCP/QBE → cluster model → engine, and the
 * engine's effects carried out by the adapters (phone pushes, the phone-facing HTTP service, snapshots).
 * Time is the engine's clock in milliseconds: the wall clock when capturing live, the capture's own clock
 * when replaying a file, so a replay makes the same decisions as the live run did.
 */

/** How often (capture time, ms) the cluster model's deadlines are checked when replaying. */
const MODEL_CHECK_MS = 1000;

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
}

/** Where state is replicated besides flash (the redundancy link): a request is durable once both hold it. */
export interface Replication {
    replicate(): Promise<void>;
    /** The knowledge changed on flash: hand it to the standbys too (nothing waits for it). */
    replicateKnowledge?(): void;
}

export class CallbackService {
    readonly config: Config;
    readonly model: ClusterModel;
    readonly cti: CtiLinkObserver;
    readonly engine: CallBackEngine;
    readonly http: PhoneHttpService;
    #push: PushClient | null;
    /** Push clients replaced by a configuration change, closed once their pushes in flight are done. */
    readonly #retired = new Set<PushClient>();
    readonly pipeline: WirePipeline;
    /** Drives the capture.reassembly-pressure alarm from the reassembly counters and decoder resyncs. */
    readonly pressure: ReassemblyPressure;
    readonly store: SlotStore;
    readonly writer: SnapshotWriter;
    /** What the box learned about the cluster, on its own slot pair (restored at start, written on change). */
    readonly knowledge: KnowledgeKeeper;
    readonly #view: ModelClusterView;
    readonly #log: Logger;
    readonly #opts: CallbackServiceOptions;
    readonly #clock: Clock;
    readonly #capture: boolean;
    #state: EngineState = initialState();
    /** Carried through snapshots for the MQTT plane (restored, written back unchanged). */
    #session = 0;
    #outboxAckedEseq = 0;
    /** Engine time of the last frame (capture mode). */
    #captureMs = 0;
    #deadline: number | null = null;
    #timer: unknown = null;
    /** Capture time (ms) at which the model's own deadlines are looked at next. */
    #modelCheckMs = 0;
    readonly #replies = new Map<string, (screen: NextScreen) => void>();
    #replySeq = 0;
    readonly #counters = { pushOk: 0, pushFailed: 0, notifications: 0, pressesIgnored: 0, withheld: 0 };
    /** callback.mode observe: decide and report, push nothing. */
    readonly #observe: boolean;
    #stopped = false;
    #role: Role;
    #replication: Replication | null = null;
    #pushesInFlight = 0;
    /** The last encoded snapshot and what it was made of (engine states are immutable values). */
    #encodedCache: { state: EngineState; session: number; eseq: number; bytes: Uint8Array } | null = null;
    /** A write to start after this event-loop turn, covering changes up to #persistUpTo. */
    #persistSoon: NodeJS.Immediate | null = null;
    /** The durable write (and replication) in progress, until its result has gone into the engine. */
    #persisting: Promise<void> | null = null;
    #persistUpTo = 0;
    /** Whether a write failure must fail activations (not when the store was already unhealthy). */
    #persistReport = false;

    constructor(opts: CallbackServiceOptions) {
        const { config } = opts;
        this.config = config;
        this.#opts = opts;
        this.#clock = opts.clock ?? steadyWallClock;
        this.#capture = opts.timeMode === "capture";
        this.#role = opts.initialRole ?? "active";
        this.#observe = config.callback.mode === "observe";
        this.#log = getLogger("callback");
        this.engine = new CallBackEngine(engineOptionsFromConfig(config));
        this.model = new ClusterModel({
            onEvent: (e) => this.#onClusterEvent(e),
            staticDirectory: config.directory,
            knowledgeMaxAgeDays: config.cluster.knowledgeMaxAgeDays,
        });
        this.cti = new CtiLinkObserver((e) => this.model.onCtiEvent(e), {
            heartbeatIntervalS: config.cti.heartbeatIntervalS,
            providerOpenTimeoutMs: config.cti.providerOpenTimeoutMs,
        });
        const ports = [...config.capture.sccpPorts, ...qbePorts(config)];
        this.pipeline = ingestPipeline({
            routes: protocolRoutes(config.capture.sccpPorts, qbePorts(config), {
                // the model is the only reader: no record object per message
                sccp: { observer: this.model, records: false },
                qbe: { observer: this.cti },
            }),
            emit: (r) => this.pressure.onRecord(r),
            reassembly: { ...config.reassembly, serverPorts: ports },
        });
        this.pressure = new ReassemblyPressure(
            () => this.pipeline.reassembler.stats,
            (action, details) => this.#alarm(PRESSURE_ALARM, action, details),
        );
        this.#view = new ModelClusterView(
            this.model,
            () => (this.#capture ? this.#captureMs : (this.#clock.wallNow?.() ?? this.#clock.now())),
            config.cti.required,
        );

        const [host, port] = splitListen(config.http.listen);
        this.http = new PhoneHttpService({
            host,
            port,
            publicUrl: config.http.publicUrl ?? guessPublicUrl(config.http.listen),
            locales: loadDictionariesSync(),
            defaultLocale: config.locale.default,
            onAction: (ticket, action) => this.#onPhoneAction(ticket, action),
            onRequest: (i) => {
                if (i.status >= 400) this.#log.warn(i, "phone request refused");
            },
        });
        this.#push = pushClientFor(config.phones, config.service.synchronousRequestTimeoutMs);
        this.#pushPhones = config.phones;
        this.store = new SlotStore(opts.fs);
        // one flash write budget for the request snapshots and the knowledge
        const budget = new WriteBudget();
        this.writer = new SnapshotWriter(
            this.store,
            {
                snapshot: () => ({ formatVersion: FORMAT_PROTOBUF, payload: this.#encoded() }),
            },
            { onHealth: (e) => this.#onStoreHealth(e), budget },
        );
        this.knowledge = new KnowledgeKeeper({
            model: this.model,
            fs: opts.fs,
            budget,
            writeDelayMs: config.cluster.knowledgeWriteDelayMs,
            now: () => this.now(),
            log: this.#log,
            alarm: (id, action, details) => this.#alarm(id, action, details),
            onHealth: (e) => this.#onStoreHealth(e),
            written: () => {
                if (this.#role === "active") this.#replication?.replicateKnowledge?.();
            },
        });
    }

    /** The push client (null without phones.pushUser/pushPassword). */
    get push(): PushClient | null {
        return this.#push;
    }

    #pushPhones: Config["phones"];

    /**
     * Takes new push credentials or a new push URL at once (they are live keys): later pushes use them;
     * pushes already in flight finish with the old client, which is then closed.
     */
    configurePush(phones: Config["phones"]): void {
        const old = this.#pushPhones;
        if (
            old.pushUser === phones.pushUser &&
            old.pushPassword === phones.pushPassword &&
            old.pushUrl === phones.pushUrl
        )
            return;
        const next = pushClientFor(phones, this.config.service.synchronousRequestTimeoutMs);
        const previous = this.#push;
        this.#push = next;
        this.#pushPhones = phones;
        if (previous !== null) {
            if (this.#inFlight.has(previous)) this.#retired.add(previous);
            else previous.close();
        }
        this.#log.info(
            { pushUser: phones.pushUser, pushUrl: phones.pushUrl, enabled: next !== null },
            "push settings changed",
        );
    }

    /** Pushes in flight per client (to close a replaced client once its last push is done). */
    readonly #inFlight = new Map<PushClient, number>();

    /** Engine time, ms. */
    now(): number {
        return this.#capture ? this.#captureMs : this.#clock.now();
    }

    /** The engine's current state (read-only use: status, MQTT, console). */
    get state(): Readonly<EngineState> {
        return this.#state;
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
        return this.#pushesInFlight;
    }

    /** "active": acts on phones; "standby": decodes and holds replicated state only. */
    get role(): Role {
        return this.#role;
    }

    /**
     * Changes the role. Active: every request held is resumed as after a restart (guard times start again,
     * a notification whose push was not acknowledged is pushed again). Standby: stops acting; presses
     * waiting for an answer get "Service not available.".
     */
    setRole(role: Role, reason: string): void {
        if (role === this.#role) return;
        this.#role = role;
        this.#log.warn({ role, reason }, `call-back service ${role}`);
        if (role === "active") {
            this.#input({ type: "Restored" });
            return;
        }
        if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
        this.#timer = null;
        for (const resolve of this.#replies.values()) resolve({ kind: "serviceUnavailable" });
        this.#replies.clear();
    }

    /** Replicates through `r` as well as to flash (a request is acknowledged once both hold it). */
    attachReplication(r: Replication | null): void {
        this.#replication = r;
    }

    /** The request state as a snapshot payload (protobuf format 2), for replication. */
    replicaPayload(): Uint8Array {
        return this.#encoded();
    }

    /** The snapshot of the current state, encoded once for both the flash write and the replication. */
    #encoded(): Uint8Array {
        const c = this.#encodedCache;
        if (c !== null && c.state === this.#state && c.session === this.#session && c.eseq === this.#outboxAckedEseq) {
            return c.bytes;
        }
        const bytes = encodeSnapshot({
            engine: this.#state,
            session: this.#session,
            outboxAckedEseq: this.#outboxAckedEseq,
        });
        this.#encodedCache = { state: this.#state, session: this.#session, eseq: this.#outboxAckedEseq, bytes };
        return bytes;
    }

    /** Standby: takes the active box's request state (validated first) and keeps it on flash too. */
    applyReplica(format: number, payload: Uint8Array): void {
        if (this.#role === "active") {
            throw new ServiceRoleError("SERVICE_ACTIVE", "an active box does not take replicated state");
        }
        this.#state = decodePayload(format, payload).engine;
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
        if (this.#role === "active") {
            throw new ServiceRoleError("SERVICE_ACTIVE", "an active box does not take replicated knowledge");
        }
        this.knowledge.applyReplica(payload);
    }

    /** Nothing half done: no press waiting for its request to be durable, no push in flight. */
    atSafePoint(): boolean {
        return this.#pushesInFlight === 0 && !this.#state.requests.some((r) => r.phase === "pending");
    }

    /** Restores the state from flash, then starts the phone-facing HTTP service. */
    async start(): Promise<{ restored: number; devices: number; slots: string[] }> {
        const loaded = await this.store.load();
        const slots = loaded.slots.map((s) => `${s.name}: ${s.problem ?? `generation ${s.generation}`}`);
        for (const s of loaded.slots) {
            if (s.problem !== null && s.problem !== "missing") {
                this.#alarm("flash.corrupt-slot", "raise", `${s.name}: ${s.problem}`);
            }
        }
        let restored = 0;
        let fromFlash = false;
        // The newest snapshot first; when it cannot be decoded (e.g. written by a newer release after a
        // downgrade) the older slot, so the box starts with the most recent state it can read.
        for (const record of [loaded.record, loaded.older]) {
            if (record === null) continue;
            try {
                // any released format (1: JSON, 2: protobuf); the next write upgrades it to the current one
                const content = decodePayload(record.formatVersion, record.payload);
                this.#state = content.engine;
                this.#session = content.session;
                this.#outboxAckedEseq = content.outboxAckedEseq;
                restored = this.#state.requests.length;
                fromFlash = true;
                break;
            } catch (err) {
                this.#alarm(
                    "flash.corrupt-slot",
                    "raise",
                    `snapshot generation ${record.generation} unreadable: ${describeError(err).message}`,
                );
            }
        }
        // what the box learned about phones serves at once (they re-register only every few weeks), and
        // before the requests resume (their callers and callees are among those phones)
        const known = await this.knowledge.load();
        // The phone-facing service first: resuming may push a notification whose screen phones fetch from it.
        await this.http.start();
        if (fromFlash) this.#input({ type: "Restored" });
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
        if (this.#stopped) return;
        this.#stopped = true;
        if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
        this.#timer = null;
        if (this.#persistSoon !== null) this.#persistNow();
        await this.writer.flush().catch((err: unknown) => {
            this.#log.error({ error: describeError(err) }, "final snapshot failed");
        });
        this.writer.close();
        await this.knowledge.stop();
        await this.http.stop();
        this.#push?.close();
        for (const c of this.#retired) c.close();
        this.#retired.clear();
    }

    /** Feeds one captured frame (a FrameSink). */
    readonly onFrame = (frame: CapturedFrame): void => {
        if (this.#capture) {
            const ms = frame.ts * 1000;
            if (ms > this.#captureMs) this.#captureMs = ms;
        }
        this.pipeline.onFrame(frame);
        this.knowledge.changed();
        if (this.#capture) this.#runDue();
    };

    /** Applies timeouts when no frame arrives (live), or at the end of a capture (capture time). */
    tick(): void {
        const nowS = this.now() / 1000;
        this.pipeline.tick(nowS);
        this.cti.tick(this.now());
        this.model.tick(nowS);
        this.pressure.check(this.now());
        this.knowledge.check(this.now());
        this.#input({ type: "Tick" });
    }

    /** Cancels a request (MQTT, console); resolves with whether it existed. */
    cancel(id: string, reason?: string): boolean {
        const before = this.#state.requests.some((r) => r.id === id);
        this.#input({ type: "AdminCancel", id, ...(reason !== undefined ? { reason } : {}) });
        return before;
    }

    #runDue(): void {
        const now = this.now();
        if (now >= this.#modelCheckMs) {
            // The model's deadlines (keepalive timeouts: tens of seconds) are looked at once a second of capture
            // time: nextDeadline() walks every device, too slow to run on every event of a large cluster.
            this.#modelCheckMs = now + MODEL_CHECK_MS;
            this.pressure.check(now);
            const due = this.model.nextDeadline();
            const nowS = now / 1000;
            if ((due !== null && nowS >= due) || nowS >= this.model.nextKnowledgeCheck) this.model.tick(nowS);
            this.knowledge.check(now);
        }
        if (this.#deadline !== null && now >= this.#deadline) this.#input({ type: "Tick" });
    }

    #onClusterEvent(e: ClusterEvent): void {
        this.#opts.onEvent?.(e);
        if (e.type === "SoftKeyPressed" && e.source === "softkey" && e.label === null) {
            this.knowledge.pressNotUnderstood(e);
        }
        this.#input(e);
    }

    /** Runs one input through the engine and carries out its effects (the active box only). */
    #input(input: EngineInput): void {
        if (this.#role !== "active") return;
        const { state, effects } = this.engine.handle(this.#state, input, this.now(), this.#view);
        this.#state = state;
        for (const effect of effects) this.#apply(effect);
        this.#schedule();
    }

    #schedule(): void {
        this.#deadline = this.engine.nextDeadline(this.#state);
        if (this.#capture || this.#stopped) return;
        if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
        this.#timer = null;
        if (this.#deadline === null) return;
        const wait = Math.max(0, this.#deadline - this.now());
        this.#timer = this.#clock.setTimeout(() => {
            this.#timer = null;
            this.#input({ type: "Tick" });
        }, wait);
    }

    #apply(e: EngineEffect): void {
        this.#opts.onEvent?.(e);
        switch (e.type) {
            case "ShowScreen":
                if (e.why !== undefined) {
                    this.#log.info({ device: e.device, screen: e.kind, dn: e.params.dn, why: e.why }, "press refused");
                }
                if (e.reply !== undefined) this.#answer(e);
                else if (this.#withhold(e.device, e.kind) === null) this.#pushScreen(e);
                break;
            case "Notify":
                this.#notify(e);
                break;
            case "PressIgnored":
                this.#counters.pressesIgnored++;
                this.#log.info(
                    { device: e.device, model: e.model, dn: e.calledDn, why: e.why },
                    "CallBack press ignored",
                );
                break;
            case "Persist": {
                const generation = e.generation;
                // A failing state directory cannot promise durability: new activations fail at once (the
                // write is still queued, so the writer keeps retrying and notices when flash works again).
                const healthy = this.writer.healthy;
                if (!healthy) {
                    queueMicrotask(() =>
                        this.#input({ type: "PersistFailed", upTo: generation, error: "STORE_UNHEALTHY" }),
                    );
                }
                // The write encodes a snapshot on the event loop: it starts after this turn, so the pushes
                // this turn decided leave the box first (and every change of the turn shares one write).
                this.#persistUpTo = Math.max(this.#persistUpTo, generation);
                if (healthy) this.#persistReport = true;
                this.#persistSoon ??= setImmediate(() => this.#persistNow());
                break;
            }
            case "RevokeTickets":
                this.http.revoke(e.ref);
                break;
            case "Alarm":
                this.#alarm(e.id, e.action, e.details);
                break;
            case "RequestChanged":
                this.#log.info(
                    { id: e.id, change: e.change, caller: e.request.caller.name, dn: e.request.calledDn },
                    `call-back ${e.change}`,
                );
                break;
            case "RequestEnded":
                this.#log.info(
                    { id: e.id, reason: e.reason, detail: e.detail, dn: e.request.calledDn },
                    "call-back ended",
                );
                break;
            case "AdminResult":
                break;
        }
    }

    /** Starts the write (and the replication) covering every change up to the latest Persist. */
    #persistNow(): void {
        if (this.#persistSoon !== null) clearImmediate(this.#persistSoon);
        this.#persistSoon = null;
        const generation = this.#persistUpTo;
        const report = this.#persistReport;
        this.#persistReport = false;
        const replicated = this.#replication?.replicate() ?? Promise.resolve();
        const done = Promise.all([this.writer.persist(), replicated]).then(
            () => this.#input({ type: "PersistDone", upTo: generation }),
            (err: unknown) => {
                // an unhealthy store already failed these activations at once
                if (report) this.#input({ type: "PersistFailed", upTo: generation, error: describeError(err).code });
            },
        );
        const tracked: Promise<void> = done.finally(() => {
            if (this.#persisting === tracked) this.#persisting = null;
        });
        this.#persisting = tracked;
    }

    /**
     * Capture time: resolves once the writes of durable changes asked so far are done (null when none is).
     * A replay waits for it before the next frame: live, a write takes milliseconds of the wire's time, while
     * a replay moves capture time on by seconds per millisecond and would fail the activation at its timeout.
     */
    durableWritesDone(): Promise<void> | null {
        if (this.#persistSoon === null && this.#persisting === null) return null;
        return new Promise((resolve) => setImmediate(resolve)).then(() => this.#persisting ?? undefined);
    }

    #alarm(id: string, action: "raise" | "clear", details: string): void {
        if (action === "raise") this.#log.warn({ alarm: id, details }, "alarm raised");
        else this.#log.info({ alarm: id, details }, "alarm cleared");
        this.#opts.onAlarm?.(id, action, details);
    }

    #onStoreHealth(e: StoreHealthEvent): void {
        if (e.type === "write-failed") this.#alarm("flash.not-writable", "raise", e.error.message);
        else if (e.type === "recovered") {
            // the requests and the knowledge have a writer each: the alarm clears once both write again
            if (this.writer.healthy && this.knowledge.writer.healthy) {
                this.#alarm("flash.not-writable", "clear", "snapshots are written again");
            }
        } else if (e.type === "write-rate-exceeded")
            this.#alarm(
                "flash.write-rate",
                "raise",
                `${e.writesLastHour} writes in the last hour (ceiling ${e.ceiling})`,
            );
        else this.#alarm("flash.write-rate", "clear", `${e.writesLastHour} writes in the last hour`);
    }

    /** A box softkey pressed on a phone: the engine decides, and answers with the next screen. */
    #onPhoneAction(ticket: Ticket, action: BoxAction): Promise<NextScreen> {
        if (this.#role !== "active") return Promise.resolve({ kind: "serviceUnavailable" });
        const reply = `r${++this.#replySeq}`;
        return new Promise<NextScreen>((resolve) => {
            this.#replies.set(reply, resolve);
            this.#input({ type: "PhoneAction", ref: ticket.ref ?? "", action, device: ticket.device, reply });
            // A request made by this action (OK on "already active") answers once durable ("activated", or
            // "Service Failure" at the persist timeout). Otherwise an engine that did not answer (it always
            // should) must not leave the phone hanging.
            if (!this.#replies.has(reply) || this.#state.requests.some((r) => r.reply === reply)) return;
            this.#replies.delete(reply);
            resolve({ kind: "requestInvalid" });
        });
    }

    #answer(e: ShowScreenEffect): void {
        const resolve = this.#replies.get(e.reply ?? "");
        if (resolve === undefined) return;
        this.#replies.delete(e.reply ?? "");
        resolve({
            kind: e.kind,
            params: e.params,
            ...(e.phoneTime !== undefined ? { phoneTime: e.phoneTime } : {}),
            actions: e.actions,
            ...(e.ref !== null ? { ref: e.ref } : {}),
        });
    }

    #notify(e: Extract<EngineEffect, { type: "Notify" }>): void {
        this.#counters.notifications++;
        const withheld = this.#withhold(e.device, "available");
        if (withheld === null) {
            this.#pushNotify(e.device, e.ip, e.dn, e.ref, e.phoneTime);
            return;
        }
        // observe: another serves the phone, the request goes on as notified; no XSI: it cannot be told
        const ok = withheld === "observe";
        const code = ok ? "PUSH_WITHHELD" : "PUSH_NOT_SUPPORTED";
        queueMicrotask(() => this.#input({ type: "PushResult", ref: e.ref, notify: true, ok, code }));
    }

    /**
     * Whether a push is withheld: always in observe mode (traced, counted), and to a phone that takes no XSI
     * pushes (the engine never addresses one; a request restored from an older release might).
     */
    #withhold(device: string, kind: string): "observe" | "no-xsi" | null {
        if (this.#observe) {
            this.#counters.withheld++;
            this.#log.info({ device, screen: kind }, "observe mode: screen not pushed");
            return "observe";
        }
        if (this.#view.device(device)?.xsiPush !== false) return null;
        this.#counters.withheld++;
        this.#log.warn({ device, screen: kind }, "phone takes no XSI pushes: screen not pushed");
        return "no-xsi";
    }

    #pushScreen(e: ShowScreenEffect): void {
        if (e.ip === null) {
            this.#log.warn({ device: e.device, kind: e.kind }, "no address to push the screen to");
            return;
        }
        const device = this.model.deviceIdentity(e.device);
        const { url } = this.http.issue({
            device: e.device,
            phoneIp: e.ip,
            kind: e.kind,
            params: e.params,
            ...(e.phoneTime !== undefined ? { phoneTime: e.phoneTime } : {}),
            actions: e.actions,
            ...(e.ref !== null ? { ref: e.ref } : {}),
            ...(device?.model ? { model: device.model } : {}),
        });
        this.#send(e.device, device?.name ?? nameOfKey(e.device), e.ip, [{ url, priority: 0 }], e.ref, false);
    }

    #pushNotify(deviceKey: string, ip: string | null, dn: string, ref: string, phoneTime: PhoneTime): void {
        if (ip === null) {
            this.#input({
                type: "PushResult",
                ref,
                notify: true,
                ok: false,
                code: "PUSH_BAD_TARGET",
                device: deviceKey,
            });
            return;
        }
        const device = this.model.deviceIdentity(deviceKey);
        const { url } = this.http.issue({
            device: deviceKey,
            phoneIp: ip,
            kind: "available",
            params: { dn },
            phoneTime,
            ref,
            ...(device?.model ? { model: device.model } : {}),
        });
        // The twinkle first, then the screen with Dial and Exit.
        this.#send(
            deviceKey,
            device?.name ?? nameOfKey(deviceKey),
            ip,
            [{ url: playUri(this.config.phones.audioFileName) }, { url, priority: 0 }],
            ref,
            true,
        );
    }

    #send(
        deviceKey: string,
        name: string | null,
        ip: string,
        items: ExecuteItem[],
        ref: string | null,
        notify: boolean,
    ): void {
        this.#pushesInFlight++;
        const done = (outcome: { ok: boolean; code: PushOutcome["code"] | "PUSH_NOT_CONFIGURED" }): void => {
            this.#pushesInFlight--;
            if (outcome.ok) this.#counters.pushOk++;
            else this.#counters.pushFailed++;
            if (this.#stopped) return;
            this.#input({ type: "PushResult", ref, notify, ok: outcome.ok, code: outcome.code, device: name ?? ip });
        };
        const client = this.#push;
        if (client === null) {
            this.#log.warn({ device: deviceKey }, "phones.pushUser/pushPassword not configured: cannot push");
            queueMicrotask(() => done({ ok: false, code: "PUSH_NOT_CONFIGURED" }));
            return;
        }
        let doc: ReturnType<typeof buildExecute>;
        try {
            doc = buildExecute(items);
        } catch (err) {
            this.#log.error({ error: describeError(err) }, "push object could not be built");
            queueMicrotask(() => done({ ok: false, code: "PUSH_TOO_LARGE" }));
            return;
        }
        this.#inFlight.set(client, (this.#inFlight.get(client) ?? 0) + 1);
        const settled = (): void => {
            const left = (this.#inFlight.get(client) ?? 1) - 1;
            if (left > 0) this.#inFlight.set(client, left);
            else {
                this.#inFlight.delete(client);
                if (this.#retired.delete(client)) client.close();
            }
        };
        client
            .push(
                { ip, ...(name ? { device: name } : {}), ...(name?.startsWith("SEP") ? { mac: name.slice(3) } : {}) },
                doc,
            )
            .then(
                (outcome) => {
                    settled();
                    done(outcome);
                },
                (err: unknown) => {
                    settled();
                    this.#log.error({ error: describeError(err) }, "push failed unexpectedly");
                    done({ ok: false, code: "PUSH_UNREACHABLE" });
                },
            );
    }
}

/**
 * A device key is its name ("SEP…") or "@ip" when the name is unknown. A request restored from flash may be
 * pushed before the phone has been seen again: its key still names it (for `{device}` and `{mac}` in
 * phones.pushUrl).
 */
function nameOfKey(key: string): string | null {
    return key.startsWith("@") ? null : key;
}

/** The push client for the phones section, or null without a push user and password. */
function pushClientFor(phones: Config["phones"], timeoutMs: number): PushClient | null {
    const { pushUser, pushPassword, pushUrl } = phones;
    return pushUser !== null && pushPassword !== null
        ? new PushClient({ user: pushUser, password: pushPassword, urlTemplate: pushUrl, timeoutMs })
        : null;
}

/** An operation the box's current role does not allow. */
export class ServiceRoleError extends CallbackdError {}

/** "0.0.0.0:8080" / "[::]:8080" → host and port. */
export function splitListen(listen: string): [string, number] {
    const i = listen.lastIndexOf(":");
    const host = listen.slice(0, i);
    return [host.startsWith("[") ? host.slice(1, -1) : host, Number(listen.slice(i + 1))];
}

/**
 * A URL phones can reach when http.publicUrl is not set. Listening on one address: undefined (the service
 * uses the address it is bound to, port included). On all addresses: the first non-internal IPv4.
 */
export function guessPublicUrl(listen: string): string | undefined {
    const [host, port] = splitListen(listen);
    if (host !== "0.0.0.0" && host !== "::") return undefined;
    for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return `http://${a.address}:${port}`;
    }
    return undefined;
}

/**
 * The MQTT management plane of one box: liveness (retained birth/death with a persisted session number,
 * the Will as death), the alarm event stream from the flash outbox plus the retained active table,
 * telemetry, commands with request/response, and the desired/reported configuration. See docs/MQTT-API.md.
 */
import { randomUUID } from "node:crypto";
import type { ConfigChange } from "../config/load.js";
import { getLogger, type Logger } from "../logging/logger.js";
import type { LinkOptions, LinkWill, MqttLink, PublishOptions, ReceivedPacket } from "../mqtt/link.js";
import { connectMqtt } from "../mqtt/mqttJs.js";
import { type Clock, systemClock } from "../util/clock.js";
import { withTimeout } from "../util/timeout.js";
import { type AlarmEventData, AlarmManager } from "./alarmManager.js";
import { type BrokerOptions, brokerClientOptions, sanitizeBrokerUrl } from "./brokerClient.js";
import { encodeAlarmEvent, type TelemetrySample, telemetrySample } from "./codec.js";
import { type CommandOutcome, CommandProcessor, type ServiceApi } from "./commands.js";
import { ConfigControl, type ReportedConfig } from "./configControl.js";
import { builtInHandlers } from "./handlers.js";
import { AlarmOutbox } from "./outbox.js";
import {
    alarmEventMessage,
    JSON_PROPS,
    metaPayload,
    type PayloadEncoding,
    telemetryMessage,
    type WireMessage,
    willMessage,
} from "./payloads.js";
import type { MgmtStats, MqttManagementOptions, StatusPayload } from "./planeTypes.js";
import { MgmtStateStore } from "./state.js";
import { classifyTopic, isAcceptableResponseTopic, type NodeTopics, nodeTopics } from "./topics.js";

const STOP_PUBLISH_TIMEOUT_MS = 2000;

/** The management plane. `start()` once, `stop()` at shutdown. */
export class MqttManagement {
    /** Raise and clear alarms here (ids from the catalogue). */
    readonly alarms: AlarmManager;
    /** The configuration as accepted through MQTT. */
    readonly config: ConfigControl;
    readonly topics: NodeTopics;
    readonly stats: MgmtStats = {
        connects: 0,
        eventsSent: 0,
        telemetrySent: 0,
        telemetrySkipped: 0,
        responsesSent: 0,
        ignoredMessages: 0,
    };
    readonly #opts: MqttManagementOptions;
    readonly #log: Logger;
    readonly #clock: Clock;
    readonly #state: MgmtStateStore;
    readonly #outbox: AlarmOutbox;
    readonly #commands: CommandProcessor;
    readonly #v5: boolean;
    readonly #encoding: PayloadEncoding;
    readonly #bootId = randomUUID();
    readonly #brokerUrl: string;
    #service: ServiceApi | undefined;
    #client: MqttLink | null = null;
    #session = 0;
    #sessionUsed = false;
    #connectTs = 0;
    #startedAt = 0;
    #sentSeq = 0;
    #inflight = new Set<number>();
    #telemetryTimer: unknown = null;
    #telemetrySeq = 0;
    #tableTimer: unknown = null;
    #tableDirty = true;
    #stopping = false;
    #started = false;
    #connectWaiters: Array<() => void> = [];
    /** The birth sequence of the current connection is out (subscriptions, status, meta, reported config). */
    #born = false;

    constructor(options: MqttManagementOptions) {
        this.#opts = options;
        this.topics = nodeTopics(options.site, options.node);
        this.#log = options.logger ?? getLogger("mgmt");
        this.#clock = options.clock ?? systemClock;
        this.#v5 = (options.broker.protocolVersion ?? 5) === 5;
        this.#encoding = options.encoding ?? "json";
        // credentials (from the options or the URL) go into the connection options (brokerClient.ts) only
        this.#brokerUrl = sanitizeBrokerUrl(options.broker.url).url;
        this.#service = options.service;
        this.#state = new MgmtStateStore(options.flash, { timers: this.#clock });
        this.#outbox = new AlarmOutbox(options.flash, {
            timers: this.#clock,
            ...options.outbox,
            onDurable: () => this.#pump(),
            onDrop: (n) =>
                this.alarms.raise("mqtt.outbox-overflow", {
                    text: `The alarm outbox was full: ${n} undelivered event(s) dropped (${this.#outbox.stats.dropped} in all).`,
                }),
            onHealth: (err) => {
                if (err === null) this.alarms.clear("flash.not-writable", { resource: "mgmt-outbox" });
                else {
                    this.#log.error({ err: err.message }, "alarm outbox cannot be written");
                    this.alarms.raise("flash.not-writable", { resource: "mgmt-outbox", cause: "outbox-write" });
                    // Memory-only records may go out now rather than wait for a flash that does not work.
                    this.#pump();
                }
            },
        });
        this.alarms = new AlarmManager({
            clock: this.#clock,
            emit: (e) => this.#onAlarmEvent(e),
            onTableChange: () => this.#scheduleTable(),
            ...(options.alarms?.policies === undefined ? {} : { policies: options.alarms.policies }),
            ...(options.alarms?.flap === undefined ? {} : { flap: options.alarms.flap }),
        });
        this.config =
            "control" in options.config
                ? options.config.control
                : new ConfigControl({
                      boot: options.config.boot,
                      apply: options.config.apply,
                      readOnly: () => options.readOnly === true,
                      now: () => this.#clock.now(),
                  });
        this.config.onDesiredResult = (r) => {
            if (r === null) this.alarms.clear("config.rejected");
            else {
                const first = r.errors[0];
                this.alarms.raise("config.rejected", {
                    cause: r.code ?? "bad_request",
                    text: `Desired configuration version ${r.version} was rejected${first === undefined ? "" : `: ${first.key}: ${first.reason}`}`,
                });
            }
        };
        const handlerDeps = {
            status: async () => this.status(),
            config: this.config,
            service: () => this.#service,
            resync: async () => this.resync(),
            ...(options.restart === undefined ? {} : { restart: options.restart }),
        };
        this.#commands = new CommandProcessor({
            handlers: builtInHandlers(handlerDeps),
            readOnly: () => options.readOnly === true,
            now: () => this.#clock.now(),
            onInternalError: (command, err) =>
                this.#log.error({ command, err: err instanceof Error ? err.message : String(err) }, "command failed"),
        });
    }

    /** Attaches (or replaces) the Call Back service behind the service commands. */
    attachService(service: ServiceApi): void {
        this.#service = service;
    }

    /** True while connected to the broker. */
    get connected(): boolean {
        return this.#client?.connected === true;
    }

    /** Current session number (bumped for every connection). */
    get session(): number {
        return this.#session;
    }

    /** Highest alarm event sequence number given out. */
    get lastEventSeq(): number {
        return this.#outbox.lastSeq;
    }

    /** Highest alarm event sequence number acknowledged by the broker (with all before it). */
    get ackedEventSeq(): number {
        return this.#outbox.ackedSeq;
    }

    /** Loads the persisted numbers and the outbox, then starts connecting (does not wait for the broker). */
    async start(): Promise<void> {
        if (this.#started) return;
        this.#started = true;
        this.#startedAt = this.#clock.now();
        const persisted = await this.#state.load();
        const report = await this.#outbox.open(persisted.ackedSeq, persisted.lastSeq);
        this.#sentSeq = this.#outbox.ackedSeq;
        if (report.truncatedBytes > 0) {
            this.#log.warn({ truncatedBytes: report.truncatedBytes }, "alarm outbox: torn tail cut off");
        }
        this.#session = persisted.session + 1;
        // Durable before the first CONNECT: a death after a power cut must never reuse a session number.
        await this.#state.update({ session: this.#session });
        this.#log.info(
            { broker: this.#brokerUrl, base: this.topics.base, session: this.#session, pendingEvents: report.pending },
            "management plane starting",
        );
        this.#connect();
        this.#scheduleTelemetry();
    }

    /**
     * Resolves once connected with the birth sequence out (at once if so already), or rejects after
     * `timeoutMs`. A bare CONNACK is not enough: until the birth, commands are not subscribed and
     * `mqtt.broker-lost` is still raised.
     */
    waitConnected(timeoutMs = 10_000): Promise<void> {
        if (this.connected && this.#born) return Promise.resolve();
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("not connected to the MQTT broker in time")), timeoutMs);
            this.#connectWaiters.push(() => {
                clearTimeout(timer);
                resolve();
            });
        });
    }

    /** Resolves when every alarm event given out so far is acknowledged by the broker (or after `timeoutMs`). */
    async drained(timeoutMs = 10_000): Promise<boolean> {
        const end = Date.now() + timeoutMs;
        while (this.#outbox.ackedSeq < this.#outbox.lastSeq) {
            if (Date.now() > end) return false;
            await new Promise((r) => setTimeout(r, 10));
        }
        return true;
    }

    /** The `status` command's data. */
    status(): Record<string, unknown> {
        const active = this.alarms.active();
        const bySeverity: Record<string, number> = {};
        for (const a of active) bySeverity[a.severity] = (bySeverity[a.severity] ?? 0) + 1;
        const cfg = this.config.describe();
        return {
            site: this.#opts.site,
            node: this.#opts.node,
            version: this.#opts.version,
            boot: this.#bootId,
            session: this.#session,
            connected: this.connected,
            protocolVersion: this.#v5 ? 5 : 4,
            readOnly: this.#opts.readOnly === true,
            startedAt: this.#startedAt,
            uptimeMs: this.#clock.now() - this.#startedAt,
            alarms: { active: active.length, bySeverity },
            events: {
                lastSeq: this.#outbox.lastSeq,
                ackedSeq: this.#outbox.ackedSeq,
                ...this.#outbox.stats,
            },
            config: { appliedVersion: cfg.version, hash: cfg.hash, pending: cfg.pending },
            commands: { ...this.#commands.stats },
            mqtt: { ...this.stats },
        };
    }

    /** Republishes birth, meta, the active table and the reported configuration (what a consumer rebuilds from). */
    async resync(): Promise<{ republished: string[] }> {
        const t = this.topics;
        await Promise.all([
            this.#publishJson(t.status, this.#birth(), true),
            this.#publishJson(t.meta, this.#meta(), true),
            this.#publishTable(),
            this.#publishJson(t.configReported, this.config.reported, true),
        ]);
        return { republished: [t.status, t.meta, t.alarmsActive, t.configReported] };
    }

    /** Clean shutdown: a retained `online:false` (the Will is not sent on a normal disconnect), then flushes. */
    async stop(): Promise<void> {
        if (this.#stopping) return;
        this.#stopping = true;
        for (const timer of [this.#telemetryTimer, this.#tableTimer])
            if (timer !== null) this.#clock.clearTimeout(timer);
        this.#telemetryTimer = null;
        this.#tableTimer = null;
        this.alarms.close();
        const client = this.#client;
        if (client !== null) {
            if (client.connected) {
                const death: StatusPayload = {
                    online: false,
                    session: this.#session,
                    ts: this.#clock.now(),
                    clean: true,
                };
                await withTimeout(this.#publishJson(this.topics.status, death, true), STOP_PUBLISH_TIMEOUT_MS).catch(
                    () => undefined,
                );
            }
            await withTimeout(client.endAsync(!client.connected), STOP_PUBLISH_TIMEOUT_MS).catch(() =>
                client.endAsync(true).catch(() => undefined),
            );
        }
        await this.#outbox.flush();
        this.#outbox.close();
        await this.#state
            .update({ ackedSeq: this.#outbox.ackedSeq, lastSeq: this.#outbox.lastSeq })
            .catch(() => undefined);
        this.#state.close();
        this.#log.info({ session: this.#session }, "management plane stopped");
    }

    #connect(): void {
        const options: LinkOptions = {
            ...brokerClientOptions(this.#opts.broker, {
                clientId: `callbackd-${this.#opts.site}-${this.#opts.node}`,
                keepaliveS: 30,
                reconnectMs: 2000,
            }),
            protocolVersion: this.#v5 ? 5 : 4,
            will: this.#will(),
        };
        if (this.#v5) options.properties = { sessionExpiryInterval: 0 };
        const client = (this.#opts.connector ?? connectMqtt)(this.#opts.broker.url, options);
        this.#client = client;
        client.on("connect", () => void this.#onConnect());
        client.on("reconnect", () => {
            if (this.#sessionUsed) {
                this.#sessionUsed = false;
                this.#session++;
                this.#state
                    .update({ session: this.#session })
                    .catch((err: Error) => this.#log.warn({ err: err.message }, "session number not persisted"));
            }
            // connect() reads the Will from the options: it must carry the session this connection will use.
            client.setWill(this.#will());
        });
        client.on("close", () => this.#onClose());
        client.on("error", (err) => this.#log.warn({ err: err.message, broker: this.#brokerUrl }, "MQTT error"));
        client.on("message", (topic, payload, packet) => {
            this.#onMessage(topic, payload, packet).catch((err: unknown) =>
                this.#log.error(
                    { err: err instanceof Error ? err.message : String(err), topic },
                    "message handling failed",
                ),
            );
        });
    }

    #will(): LinkWill {
        this.#connectTs = this.#clock.now();
        // The broker publishes the Will later, at a time nobody here knows: no `ts` that would lie about it.
        const death: StatusPayload = {
            online: false,
            session: this.#session,
            connectedAt: this.#connectTs,
            clean: false,
        };
        return willMessage(this.topics.status, death, this.#v5, this.#opts.broker.willDelayS ?? 0);
    }

    #birth(): StatusPayload {
        return {
            online: true,
            session: this.#session,
            ts: this.#clock.now(),
            boot: this.#bootId,
            version: this.#opts.version,
            readOnly: this.#opts.readOnly === true,
        };
    }

    #meta(): Record<string, unknown> {
        const o = this.#opts;
        return metaPayload({
            version: o.version,
            site: o.site,
            node: o.node,
            protocolVersion: this.#v5 ? 5 : 4,
            readOnly: o.readOnly === true,
            commands: this.#commands.commands,
            encoding: this.#encoding,
        });
    }

    async #onConnect(): Promise<void> {
        const client = this.#client;
        if (client === null) return;
        this.#born = false;
        this.#sessionUsed = true;
        this.#telemetrySeq = 0;
        this.stats.connects++;
        const t = this.topics;
        try {
            // Subscribe before the birth (as Sparkplug requires): a consumer that sees the birth can command.
            // rap (MQTT 5): a command published with retain keeps the flag, so it is refused even live.
            const cmdSub = this.#v5 ? { qos: 1 as const, rap: true } : { qos: 1 as const };
            await client.subscribeAsync({ [t.cmd]: cmdSub, [t.cmdFilter]: cmdSub, [t.configDesired]: { qos: 1 } });
            await this.#publishJson(t.status, this.#birth(), true);
            await this.#publishJson(t.meta, this.#meta(), true);
            await this.#publishJson(t.configReported, this.config.reported, true);
        } catch (err) {
            this.#log.warn({ err: (err as Error).message }, "birth sequence interrupted");
            return;
        }
        this.#log.info({ session: this.#session, broker: this.#brokerUrl }, "connected to the MQTT broker");
        this.alarms.clear("mqtt.broker-lost");
        this.#born = true;
        this.#tableDirty = true;
        this.#scheduleTable();
        this.#pump();
        const waiters = this.#connectWaiters;
        this.#connectWaiters = [];
        for (const w of waiters) w();
    }

    #onClose(): void {
        this.#born = false;
        if (this.#stopping) return;
        // Events sent but not acknowledged stay in the client's store and are resent by it on reconnect,
        // ahead of anything newer, so the stream keeps its order.
        this.alarms.raise("mqtt.broker-lost", {
            resource: "",
            text: `The MQTT broker ${this.#brokerUrl} is unreachable.`,
        });
    }

    async #onMessage(topic: string, payload: Buffer, packet: ReceivedPacket): Promise<void> {
        const kind = classifyTopic(this.topics, topic);
        if (kind === null) {
            this.stats.ignoredMessages++;
            return;
        }
        if (kind.kind === "desired") {
            await this.#onDesired(payload);
            return;
        }
        if (packet.retain) {
            // Never act on a retained command: it would run again at every reconnect.
            this.stats.ignoredMessages++;
            this.#log.warn({ topic }, "retained command ignored");
            return;
        }
        const outcome: CommandOutcome = await this.#commands.handle(kind.name, payload);
        const r = outcome.response;
        this.#log.info(
            { command: r.command, id: r.id, status: r.status, code: r.error?.code, replayed: outcome.replayed },
            "command",
        );
        const props = packet.properties;
        let target = this.topics.response(r.command);
        const opts: PublishOptions = { qos: 1, retain: false };
        if (this.#v5) {
            const userProperties: Record<string, string> = { status: r.status };
            if (r.error !== undefined) userProperties.code = r.error.code;
            opts.properties = { ...JSON_PROPS, userProperties };
            if (props?.responseTopic !== undefined) {
                if (isAcceptableResponseTopic(this.topics, props.responseTopic)) target = props.responseTopic;
                else
                    this.#log.warn({ responseTopic: props.responseTopic }, "response topic refused; answering on res/");
            }
            if (props?.correlationData !== undefined) opts.properties.correlationData = props.correlationData;
        }
        try {
            await this.#client?.publishAsync(target, JSON.stringify(r), opts);
            this.stats.responsesSent++;
        } catch (err) {
            this.#log.warn({ err: (err as Error).message }, "response not sent");
        }
        if (outcome.after !== undefined) {
            try {
                await outcome.after();
            } catch (err) {
                this.#log.error({ err: (err as Error).message, command: r.command }, "command follow-up failed");
            }
        }
    }

    async #onDesired(payload: Buffer): Promise<void> {
        let doc: unknown = null;
        if (payload.length > 0) {
            try {
                doc = JSON.parse(payload.toString("utf8"));
            } catch {
                doc = "not JSON";
            }
        }
        const report: ReportedConfig | null = await this.config.applyDesired(doc);
        if (report === null) return;
        this.#log.info(
            { version: report.version, status: report.status, errors: report.errors.length, changes: report.changes },
            "desired configuration",
        );
        await this.#publishJson(this.topics.configReported, report, true).catch(() => undefined);
    }

    #onAlarmEvent(e: AlarmEventData): void {
        const level =
            e.state === "cleared" ? "info" : e.severity === "critical" || e.severity === "major" ? "error" : "warn";
        this.#log[level]({ alarm: e.key, state: e.state, severity: e.severity, flapping: e.flapping }, e.text);
        this.#outbox.append((seq) => encodeAlarmEvent(e, seq, this.#session));
        if (!this.#outbox.healthy) this.#pump();
    }

    /** Sends durable, unsent events in order, at most `inflightWindow` unacknowledged at once. */
    #pump(): void {
        const client = this.#client;
        if (client === null || !client.connected || this.#stopping) return;
        const window = this.#opts.inflightWindow ?? 32;
        for (const rec of this.#outbox.pending()) {
            if (this.#inflight.size >= window) break;
            if (rec.seq <= this.#sentSeq) continue;
            if (!rec.durable && this.#outbox.healthy) break;
            this.#sentSeq = rec.seq;
            this.#inflight.add(rec.seq);
            const msg = alarmEventMessage(rec.payload, this.#encoding);
            client.publishAsync(this.topics.alarmsEvents, msg.payload, this.#publishOptions(1, msg)).then(
                () => {
                    this.#inflight.delete(rec.seq);
                    this.stats.eventsSent++;
                    this.#outbox.ack(rec.seq);
                    this.#state
                        .update({ ackedSeq: this.#outbox.ackedSeq, lastSeq: this.#outbox.lastSeq })
                        .catch(() => undefined);
                    if (this.#outbox.pending().length === 0) this.alarms.clear("mqtt.outbox-overflow");
                    this.#pump();
                },
                () => {
                    // Not acknowledged (client ended): send it again on the next connection.
                    this.#inflight.delete(rec.seq);
                    this.#sentSeq = Math.min(this.#sentSeq, rec.seq - 1);
                },
            );
        }
    }

    #scheduleTable(): void {
        this.#tableDirty = true;
        if (this.#tableTimer !== null || this.#stopping) return;
        // A burst of transitions becomes one table publication.
        this.#tableTimer = this.#clock.setTimeout(() => {
            this.#tableTimer = null;
            if (this.connected && this.#tableDirty) void this.#publishTable().catch(() => undefined);
        }, 50);
    }

    async #publishTable(): Promise<void> {
        this.#tableDirty = false;
        const alarms = this.alarms.active();
        const table = {
            ts: this.#clock.now(),
            session: this.#session,
            seq: this.#outbox.lastSeq,
            count: alarms.length,
            alarms,
        };
        await this.#publishJson(this.topics.alarmsActive, table, true);
    }

    #scheduleTelemetry(): void {
        const period = this.#opts.telemetry?.intervalMs ?? 60_000;
        if (period <= 0 || this.#stopping) return;
        this.#telemetryTimer = this.#clock.setTimeout(() => {
            this.#telemetryTimer = null;
            void this.#sendTelemetry().finally(() => this.#scheduleTelemetry());
        }, period);
    }

    async #sendTelemetry(): Promise<void> {
        const client = this.#client;
        if (client === null || !client.connected) {
            // QoS 0 and never queued: counters are cumulative, the next sample carries the totals.
            this.stats.telemetrySkipped++;
            return;
        }
        let sample: TelemetrySample = {};
        try {
            sample = (await this.#opts.telemetry?.provider?.()) ?? {};
        } catch (err) {
            this.#log.warn({ err: (err as Error).message }, "telemetry provider failed");
        }
        const mem = process.memoryUsage();
        const msg = telemetryMessage(
            telemetrySample({
                ...sample,
                ts: this.#clock.now(),
                session: this.#session,
                seq: ++this.#telemetrySeq,
                uptimeMs: this.#clock.now() - this.#startedAt,
                memoryRssBytes: mem.rss,
                memoryHeapUsedBytes: mem.heapUsed,
                activeAlarms: this.alarms.active().length,
                outboxPending: this.#outbox.pending().length,
                extra: { ...sample.extra },
            }),
            this.#encoding,
        );
        // QoS 0 offline is refused, never queued (the check above makes that rare)
        client.publishAsync(this.topics.telemetry, msg.payload, this.#publishOptions(0, msg)).catch(() => undefined);
        this.stats.telemetrySent++;
    }

    /** QoS and, with MQTT 5, the content type of a stream message (never retained). */
    #publishOptions(qos: 0 | 1, msg: WireMessage): PublishOptions {
        const opts: PublishOptions = { qos, retain: false };
        if (this.#v5) {
            opts.properties = { contentType: msg.contentType, ...(msg.utf8 ? { payloadFormatIndicator: true } : {}) };
        }
        return opts;
    }

    async #publishJson(topic: string, data: unknown, retain: boolean): Promise<void> {
        const client = this.#client;
        if (client === null || !client.connected) return;
        const opts: PublishOptions = { qos: 1, retain };
        if (this.#v5) opts.properties = { ...JSON_PROPS };
        await client.publishAsync(topic, JSON.stringify(data), opts);
    }
}

export type { BrokerOptions, ConfigChange, MgmtStats, MqttManagementOptions, StatusPayload };
export { sanitizeBrokerUrl };

/**
 * Redundancy over MQTT: each box announces itself on a retained topic of its site (its Will marks it
 * gone), tracks the others' announcements, runs the election (election.ts) and changes its service's role;
 * the active box replicates its request state on a retained topic that standbys apply. It holds its own
 * broker connection (the management plane's carries a different Will), with a short keepalive.
 *
 *   callbackd/v1/<site>/redundancy/members/<node>   JSON announcement or departure, retained, QoS 1
 *   callbackd/v1/<site>/redundancy/state            header + snapshot payload, retained, QoS 1
 *   callbackd/v1/<site>/redundancy/knowledge        the active box's cluster knowledge, retained, QoS 1
 *                                                   (a knowledge slot's payload; standbys take the phones
 *                                                   they do not know themselves)
 */
import { randomUUID } from "node:crypto";
import { describeError } from "../errors.js";
import { getLogger, type Logger } from "../logging/logger.js";
import { brokerClientOptions } from "../mgmt/brokerClient.js";
import type { BrokerOptions } from "../mgmt/mqttManagement.js";
import type { LinkOptions, MqttConnector, MqttLink } from "../mqtt/link.js";
import { connectMqtt } from "../mqtt/mqttJs.js";
import { type Clock, monotonicClock } from "../util/clock.js";
import { withTimeout } from "../util/timeout.js";
import { compareProgress, decide, type ElectionDecision, type Member, type Role } from "./election.js";
import {
    type Announcement,
    type Departure,
    decodeState,
    encodeAnnouncement,
    encodeState,
    parseAnnouncement,
} from "./messages.js";

/** How long a Will waits before it is believed (a broker shutting down sends every Will, then closes). */
const WILL_GRACE_MS = 250;

/** What the redundancy manager needs of the Call Back service. */
export interface RedundantService {
    readonly role: Role;
    /** Becomes active (resumes every request it holds) or standby (stops acting on phones). */
    setRole(role: Role, reason: string): void;
    /** The request state as a snapshot payload (format 2). */
    replicaPayload(): Uint8Array;
    /** Standby: replaces the request state with a replicated one; throws a typed error if it is invalid. */
    applyReplica(format: number, payload: Uint8Array): void;
    /** Nothing half done: no activation waiting for durability, no push in flight. */
    atSafePoint(): boolean;
    /** The cluster knowledge as a knowledge slot's payload (absent: not replicated). */
    knowledgePayload?(): Uint8Array;
    /** Standby: takes the phones it does not know from the active box's knowledge; throws if invalid. */
    applyKnowledge?(payload: Uint8Array): void;
}

export interface RedundancyOptions {
    site: string;
    node: string;
    /** This box's address in the ordering. */
    address: string;
    priority: number;
    heartbeatMs: number;
    staleAfterMs: number;
    settleMs: number;
    /** This box's phone-facing URL (announced, so a standby can name the active). */
    url: string | null;
    broker: BrokerOptions;
    service: RedundantService;
    /** Role changes and split brain, for alarms (`redundancy.role-change`, `redundancy.split-brain`). */
    onAlarm?: (id: string, action: "raise" | "clear", details: string) => void;
    /**
     * Timers and freshness (`now`), and the wall clock of the timestamps sent (`wallNow`). Default: the
     * monotonic clock, so an NTP step makes no peer stale (or fresh forever).
     */
    clock?: Clock;
    logger?: Logger;
    /** Opens the broker connection (default: mqtt.js; tests pass a FakeBroker's). */
    connector?: MqttConnector;
}

/** A peer as last heard. */
interface Peer {
    member: Announcement;
    /** Monotonic time of the last announcement (freshness never trusts the sender's clock, nor a stepped one). */
    heardAt: number;
}

/** What `status()` reports (console, MQTT status, tests). */
export interface RedundancyStatus {
    node: string;
    role: Role;
    connected: boolean;
    term: number;
    seq: number;
    /** The active box as this box sees it (itself, a peer, or null). */
    active: string | null;
    splitBrain: boolean;
    lastChange: { at: number; role: Role; reason: string } | null;
    members: Array<Pick<Announcement, "node" | "address" | "priority" | "role" | "term" | "seq"> & { ageMs: number }>;
    stats: {
        promotions: number;
        demotions: number;
        statesPublished: number;
        statesApplied: number;
        knowledgePublished: number;
        knowledgeApplied: number;
        refused: number;
    };
}

/** The redundancy link of one box. `start()` once, `stop()` at shutdown. */
export class RedundancyManager {
    readonly #o: RedundancyOptions;
    readonly #log: Logger;
    readonly #boot = randomUUID();
    readonly #base: string;
    readonly #peers = new Map<string, Peer>();
    #client: MqttLink | null = null;
    #connected = false;
    /** Counts connections, so a timer knows whether the link it started on is still the current one. */
    #links = 0;
    #settled = false;
    readonly #clock: Clock;
    #settleTimer: unknown = null;
    #heartbeat: unknown = null;
    #term = 0;
    #seq = 0;
    #handoverTo: string | null = null;
    #splitBrain = false;
    #waitingSince: number | null = null;
    #transition: Promise<void> | null = null;
    #lastChange: RedundancyStatus["lastChange"] = null;
    /** Coalesced state publishing: one in flight, at most one more queued for everyone who asked since. */
    #publishing: Promise<void> | null = null;
    #queued: Promise<void> | null = null;
    #stopped = false;
    readonly #stats = {
        promotions: 0,
        demotions: 0,
        statesPublished: 0,
        statesApplied: 0,
        knowledgePublished: 0,
        knowledgeApplied: 0,
        refused: 0,
    };

    constructor(options: RedundancyOptions) {
        this.#o = options;
        this.#log = options.logger ?? getLogger("redundancy");
        this.#clock = options.clock ?? monotonicClock;
        this.#base = `callbackd/v1/${options.site}/redundancy/`;
    }

    /** Connects and starts announcing; the box is a standby until the election says otherwise. */
    start(): void {
        const o = this.#o;
        const options: LinkOptions = {
            ...brokerClientOptions(o.broker, {
                clientId: `callbackd-${o.site}-${o.node}-redundancy`,
                // the broker notices a hung box within 1.5 keepalives; a killed one at once (socket closed)
                keepaliveS: Math.max(1, Math.ceil(o.staleAfterMs / 1000)),
                reconnectMs: Math.min(1000, o.heartbeatMs),
            }),
            will: {
                topic: this.#memberTopic(o.node),
                payload: encodeAnnouncement(this.#departure(false)),
                qos: 1,
                retain: true,
            },
            // small messages whose latency matters (a state waits for its acknowledgement): no Nagle delay
            noDelay: true,
        };
        const client = (o.connector ?? connectMqtt)(o.broker.url, options);
        this.#client = client;
        client.on("connect", () => this.#onConnect());
        client.on("close", () => this.#onClose());
        client.on("error", (err) => this.#log.warn({ err: err.message }, "redundancy link error"));
        client.on("message", (topic, payload) => this.#onMessage(topic, payload));
        this.#beat();
    }

    /** Schedules the next heartbeat (every heartbeatMs until stopped). */
    #beat(): void {
        this.#heartbeat = this.#clock.setTimeout(() => {
            if (this.#stopped) return;
            this.#beat();
            this.#onHeartbeat();
        }, this.#o.heartbeatMs);
    }

    /** Wall time for the timestamps sent and shown. */
    #wallNow(): number {
        return this.#clock.wallNow?.() ?? this.#clock.now();
    }

    /** Says goodbye (a clean departure, so the next box takes over at once) and disconnects. */
    async stop(): Promise<void> {
        if (this.#stopped) return;
        this.#stopped = true;
        if (this.#heartbeat !== null) this.#clock.clearTimeout(this.#heartbeat);
        if (this.#settleTimer !== null) this.#clock.clearTimeout(this.#settleTimer);
        const client = this.#client;
        if (client === null) return;
        if (this.#connected) {
            try {
                if (this.#o.service.role === "active") await this.replicate();
                await withTimeout(
                    client.publishAsync(this.#memberTopic(this.#o.node), encodeAnnouncement(this.#departure(true)), {
                        qos: 1,
                        retain: true,
                    }),
                    2000,
                );
            } catch (err) {
                this.#log.warn({ error: describeError(err) }, "departure not published");
            }
        }
        // forced when the link is down: a graceful end would wait for a connection that may never come back
        await withTimeout(client.endAsync(!this.#connected), 2000).catch(() =>
            client.endAsync(true).catch(() => undefined),
        );
    }

    /**
     * Publishes the current request state (active only). Resolves once the broker holds it (QoS 1
     * acknowledged) — the service counts a request durable only then — or at once when not connected
     * (the state is republished on reconnection).
     */
    replicate(): Promise<void> {
        if (!this.#connected || this.#o.service.role !== "active" || this.#stopped) return Promise.resolve();
        if (this.#publishing === null) {
            this.#publishing = this.#publishState().finally(() => {
                this.#publishing = null;
            });
            return this.#publishing;
        }
        if (this.#queued === null) {
            this.#queued = this.#publishing.then(
                () => {
                    this.#queued = null;
                    return this.replicate();
                },
                () => {
                    this.#queued = null;
                    return this.replicate();
                },
            );
        }
        return this.#queued;
    }

    /** The broker connection (diagnostics and tests). */
    get connection(): MqttLink | null {
        return this.#client;
    }

    /** Role, term, sequence and the other boxes as this box sees them. */
    status(): RedundancyStatus {
        const now = this.#clock.now();
        const role = this.#o.service.role;
        const members = [...this.#peers.values()].map((p) => ({
            node: p.member.node,
            address: p.member.address,
            priority: p.member.priority,
            role: p.member.role,
            term: p.member.term,
            seq: p.member.seq,
            ageMs: now - p.heardAt,
        }));
        const active = role === "active" ? this.#o.node : (members.find((m) => m.role === "active")?.node ?? null);
        return {
            node: this.#o.node,
            role,
            connected: this.#connected,
            term: this.#term,
            seq: this.#seq,
            active,
            splitBrain: this.#splitBrain,
            lastChange: this.#lastChange,
            members,
            stats: { ...this.#stats },
        };
    }

    // =====================================================================================================

    #memberTopic(node: string): string {
        return `${this.#base}members/${node}`;
    }

    #self(): Member {
        return {
            node: this.#o.node,
            address: this.#o.address,
            priority: this.#o.priority,
            role: this.#o.service.role,
            term: this.#term,
            seq: this.#seq,
            handoverTo: this.#handoverTo,
        };
    }

    #announcement(): Announcement {
        return { ...this.#self(), online: true, boot: this.#boot, ts: this.#wallNow(), url: this.#o.url };
    }

    #departure(clean: boolean): Departure {
        return { node: this.#o.node, online: false, boot: this.#boot, ts: this.#wallNow(), clean };
    }

    #announce(): void {
        if (!this.#connected || this.#client === null) return;
        this.#client
            .publishAsync(this.#memberTopic(this.#o.node), encodeAnnouncement(this.#announcement()), {
                qos: 1,
                retain: true,
            })
            .catch((err: unknown) => this.#log.debug({ error: describeError(err) }, "announcement not published"));
    }

    #onConnect(): void {
        const client = this.#client;
        if (client === null) return;
        this.#connected = true;
        this.#links++;
        this.#settled = false;
        // Peers get a fresh grace period: while the link was down nothing could be heard from them.
        const now = this.#clock.now();
        for (const p of this.#peers.values()) p.heardAt = now;
        const b = this.#base;
        client
            .subscribeAsync({ [`${b}members/+`]: { qos: 1 }, [`${b}state`]: { qos: 1 }, [`${b}knowledge`]: { qos: 1 } })
            .catch((err: unknown) => this.#log.warn({ error: describeError(err) }, "redundancy subscription failed"));
        this.#announce();
        if (this.#o.service.role === "active") {
            void this.replicate();
            this.replicateKnowledge();
        }
        if (this.#settleTimer !== null) this.#clock.clearTimeout(this.#settleTimer);
        this.#settleTimer = this.#clock.setTimeout(() => {
            this.#settleTimer = null;
            this.#settled = true;
            this.#evaluate();
        }, this.#o.settleMs);
        this.#log.info({ node: this.#o.node, role: this.#o.service.role }, "redundancy link up");
    }

    #onClose(): void {
        if (!this.#connected) return;
        this.#connected = false;
        this.#settled = false;
        this.#log.warn({ role: this.#o.service.role }, "redundancy link down: keeping the role, never promoting");
    }

    #onHeartbeat(): void {
        const now = this.#clock.now();
        for (const [node, p] of this.#peers) {
            if (this.#connected && now - p.heardAt > this.#o.staleAfterMs) {
                this.#peers.delete(node);
                this.#log.warn({ peer: node, role: p.member.role }, "peer stale: counted as gone");
            }
        }
        this.#announce();
        this.#evaluate();
    }

    #onMessage(topic: string, payload: Buffer): void {
        if (this.#stopped) return;
        try {
            if (topic === `${this.#base}state`) this.#onState(payload);
            else if (topic === `${this.#base}knowledge`) this.#onKnowledge(payload);
            else if (topic.startsWith(`${this.#base}members/`)) this.#onMember(topic, payload);
        } catch (err) {
            this.#stats.refused++;
            this.#log.warn({ topic, error: describeError(err) }, "redundancy message refused");
        }
    }

    #onMember(topic: string, payload: Buffer): void {
        const node = topic.slice(this.#base.length + "members/".length);
        if (node === this.#o.node) return;
        if (payload.length === 0) {
            this.#peers.delete(node);
            this.#evaluate();
            return;
        }
        const m = parseAnnouncement(payload);
        if (m.node !== node) throw new Error(`announcement of ${m.node} on the topic of ${node}`);
        if (!m.online && m.clean) {
            if (this.#peers.delete(node)) this.#log.info({ peer: node }, "peer left");
        } else if (!m.online) {
            // A Will: the peer died, or the broker is shutting down (Mosquitto sends the Wills of every client
            // then). Believed only if this box's own link survives a short grace period.
            const link = this.#links;
            this.#clock.setTimeout(() => {
                if (this.#stopped || !this.#connected || this.#links !== link) return;
                if (this.#peers.delete(node)) this.#log.warn({ peer: node }, "peer lost (its Will)");
                this.#evaluate();
            }, WILL_GRACE_MS);
            return;
        } else {
            this.#peers.set(node, { member: m, heardAt: this.#clock.now() });
        }
        this.#evaluate();
    }

    #onState(payload: Buffer): void {
        if (payload.length === 0) return;
        const { header, payload: body } = decodeState(payload);
        if (header.node === this.#o.node) return;
        if (compareProgress(header, { term: this.#term, seq: this.#seq }) <= 0) return;
        if (this.#o.service.role !== "standby") {
            // another box publishes newer state: the announcements settle who stays active
            this.#log.warn({ from: header.node, term: header.term }, "state from another active box");
            return;
        }
        this.#o.service.applyReplica(header.format, body);
        this.#term = header.term;
        this.#seq = header.seq;
        this.#stats.statesApplied++;
        this.#announce();
        this.#evaluate();
    }

    /**
     * Publishes the cluster knowledge (active only, after each knowledge write): nothing waits for it, and a
     * standby also learns from the wire itself; this serves one installed or restarted after the phones
     * registered.
     */
    replicateKnowledge(): void {
        const client = this.#client;
        const payload = this.#o.service.knowledgePayload?.();
        // an empty retained message would delete the retained knowledge: nothing to say, nothing sent
        if (client === null || payload === undefined || payload.length === 0) return;
        if (!this.#connected || this.#o.service.role !== "active" || this.#stopped) return;
        client.publishAsync(`${this.#base}knowledge`, Buffer.from(payload), { qos: 1, retain: true }).then(
            () => this.#stats.knowledgePublished++,
            (err: unknown) => this.#log.warn({ error: describeError(err) }, "knowledge not replicated"),
        );
    }

    #onKnowledge(payload: Buffer): void {
        if (this.#o.service.role === "active" || payload.length === 0) return;
        this.#o.service.applyKnowledge?.(payload);
        this.#stats.knowledgeApplied++;
    }

    async #publishState(): Promise<void> {
        const client = this.#client;
        if (client === null) return;
        const seq = this.#seq + 1;
        const message = encodeState(
            { node: this.#o.node, term: this.#term, seq, ts: this.#wallNow(), format: 2 },
            this.#o.service.replicaPayload(),
        );
        try {
            await client.publishAsync(`${this.#base}state`, message, { qos: 1, retain: true });
        } catch (err) {
            // flash still holds it; the state is published again on reconnection
            this.#log.warn({ error: describeError(err) }, "state not replicated");
            return;
        }
        this.#seq = Math.max(this.#seq, seq);
        this.#stats.statesPublished++;
    }

    #fresh(): Member[] {
        const now = this.#clock.now();
        const out: Member[] = [];
        for (const p of this.#peers.values()) if (now - p.heardAt <= this.#o.staleAfterMs) out.push(p.member);
        return out;
    }

    #evaluate(): void {
        if (this.#stopped || this.#transition !== null) return;
        const self = this.#self();
        const d = decide({
            self,
            peers: this.#fresh(),
            connected: this.#connected,
            settled: this.#settled,
            safePoint: this.#o.service.atSafePoint(),
            syncWaitOver: this.#waitingSince !== null && this.#clock.now() - this.#waitingSince >= this.#o.staleAfterMs,
        });
        if (d.action === "wait") {
            if (self.role === "standby") this.#waitingSince ??= this.#clock.now();
            return;
        }
        this.#waitingSince = null;
        this.#noteSplitBrain(d);
        if (d.action === "promote") {
            this.#term = d.term;
            this.#handoverTo = null;
            this.#stats.promotions++;
            this.#changeRole("active", d.reason);
            this.#announce();
            void this.replicate();
            this.replicateKnowledge();
        } else if (d.action === "demote") {
            this.#transition = this.#demote(d.handoverTo, d.reason).finally(() => {
                this.#transition = null;
            });
        }
    }

    /** Steps down: the final state first (the successor must hold it), then the role, then the announcement. */
    async #demote(handoverTo: string | null, reason: string): Promise<void> {
        try {
            await withTimeout(this.replicate(), 2000);
        } catch (err) {
            this.#log.warn({ error: describeError(err) }, "final state not replicated before stepping down");
        }
        this.#handoverTo = handoverTo;
        this.#stats.demotions++;
        this.#changeRole("standby", reason);
        this.#announce();
    }

    #changeRole(role: Role, reason: string): void {
        const from = this.#o.service.role;
        this.#o.service.setRole(role, reason);
        this.#lastChange = { at: this.#wallNow(), role, reason };
        this.#log.warn({ from, to: role, reason, term: this.#term, seq: this.#seq }, "redundancy role changed");
        this.#o.onAlarm?.("redundancy.role-change", "raise", `${this.#o.node}: ${from} → ${role} (${reason})`);
    }

    #noteSplitBrain(d: ElectionDecision): void {
        const split = (d.action === "stay" || d.action === "demote") && d.splitBrain;
        if (split === this.#splitBrain) return;
        this.#splitBrain = split;
        this.#o.onAlarm?.(
            "redundancy.split-brain",
            split ? "raise" : "clear",
            split ? `two active boxes seen: ${d.reason}` : "one active box",
        );
    }
}

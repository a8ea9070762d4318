/**
 * An in-process fake MQTT broker for tests (shipped like matter.js ships its fakes): its `connector`
 * stands in for mqtt.js, so the management plane and the redundancy link run their real logic against it
 * without a broker process. It implements what they rely on, no more:
 *
 * - topic filters with `+` and `#` (`$`-topics are not matched by a leading wildcard);
 * - retained messages (an empty retained payload clears one), sent on subscription with the retain flag;
 *   a retained message's `messageExpiryInterval` is honoured;
 * - QoS 0 and 1 (a publication is routed when it is made, its acknowledgement follows in a microtask);
 *   QoS 1 publications and subscriptions made while offline wait and go out on reconnection, QoS 0 is
 *   refused offline (as mqtt.js does with `queueQoSZero: false`);
 * - the Will on an unclean end of a connection, after the MQTT 5 `willDelayInterval` (on `clock`), not
 *   at all when the client reconnects within it or ends with DISCONNECT;
 * - MQTT 5 properties passed through to MQTT 5 subscribers; MQTT 3.1.1 (protocolVersion 4) clients send
 *   and receive none, and live messages reach them without the retain flag (as they reach an MQTT 5
 *   subscriber without `rap`);
 * - clean sessions only (callbackd connects with a clean start): nothing is kept between connections
 *   (a link subscribes again by itself on reconnection unless `resubscribe: false`, as mqtt.js does);
 * - optional username/password refusal;
 * - the broker going away (`stop`: like Mosquitto, it publishes every client's Will first, and forgets
 *   retained messages unless told to keep them) and coming back (`start`); a client dropped by the network
 *   (`drop`) or whose process died (`kill`). Clients then see `offline` and `close`, and retry every
 *   `reconnectPeriod` of `clock` (`reconnect` before each attempt).
 *
 * Delivery is in order per client; a message still on its way when its receiver's connection ends is lost
 * (as on a clean session).
 */
import { EventEmitter } from "node:events";
import { type Clock, systemClock } from "../util/clock.js";
import type {
    LinkEvents,
    LinkOptions,
    LinkWill,
    MqttConnector,
    MqttLink,
    PublishOptions,
    PublishProperties,
    ReceivedPacket,
    SubscribeOptions,
} from "./link.js";

/** True when `topic` matches the subscription `filter` (`+`: one level, `#`: this level and below). */
export function topicMatches(filter: string, topic: string): boolean {
    const f = filter.split("/");
    const t = topic.split("/");
    // MQTT: a filter starting with a wildcard does not match a topic starting with `$`
    if (topic.startsWith("$") && (f[0] === "+" || f[0] === "#")) return false;
    for (let i = 0; i < f.length; i++) {
        const part = f[i];
        if (part === "#") return i === f.length - 1;
        if (i >= t.length) return false;
        if (part !== "+" && part !== t[i]) return false;
    }
    return f.length === t.length;
}

/** A publication the broker accepted (the Wills it published included), in order. */
export interface FakePublication {
    clientId: string;
    topic: string;
    payload: Buffer;
    qos: 0 | 1;
    retain: boolean;
    properties?: PublishProperties;
    /** True for a Will the broker published for the client. */
    will: boolean;
}

export interface FakeBrokerOptions {
    /** Reconnection periods, Will delays and message expiry (default: the system clock). */
    clock?: Clock;
    /** username → password; when given, a client without a matching pair is refused. */
    users?: Record<string, string>;
    /** The broker's URL; a link to another host:port never connects (default `mqtt://fake-broker:1883`). */
    url?: string;
}

interface Retained {
    payload: Buffer;
    qos: 0 | 1;
    properties?: PublishProperties;
    at: number;
}

/** The broker's side of a connection. */
interface Session {
    link: FakeLink;
    clientId: string;
    v5: boolean;
    subs: Map<string, SubscribeOptions>;
    will: LinkWill | undefined;
}

type Accept = { ok: true; session: Session } | { ok: false; error: Error & { code?: number | string } };

/** The fake broker. Many links may connect through `connector`; tests drive outages with stop/start/drop/kill. */
export class FakeBroker {
    readonly url: string;
    /** Pass this where a component takes an MqttConnector. */
    readonly connector: MqttConnector;
    /** Every publication accepted, in order. */
    readonly publications: FakePublication[] = [];
    readonly #clock: Clock;
    readonly #users: Record<string, string> | undefined;
    readonly #host: string;
    #up = true;
    readonly #retained = new Map<string, Retained>();
    readonly #sessions = new Map<string, Session>();
    readonly #delayedWills = new Map<string, unknown>();

    constructor(options: FakeBrokerOptions = {}) {
        this.url = options.url ?? "mqtt://fake-broker:1883";
        this.#host = new URL(this.url).host;
        this.#clock = options.clock ?? systemClock;
        this.#users = options.users;
        this.connector = (url, linkOptions) => new FakeLink(this, url, linkOptions, this.#clock);
    }

    /** True while the broker accepts connections. */
    get up(): boolean {
        return this.#up;
    }

    /** Client ids connected now. */
    get clients(): string[] {
        return [...this.#sessions.keys()];
    }

    /** The retained message of a topic. */
    retained(topic: string): Buffer | undefined {
        return this.#liveRetained(topic)?.payload;
    }

    /**
     * The broker goes away: it publishes every client's Will (unless `wills: false`), then closes every
     * connection; retained messages are forgotten unless `persist` (a broker without persistence).
     */
    async stop(options: { wills?: boolean; persist?: boolean } = {}): Promise<void> {
        if (!this.#up) return;
        this.#up = false;
        if (options.wills !== false) for (const s of this.#sessions.values()) this.#publishWill(s);
        // the Wills reach the subscribers before their connections close
        await new Promise<void>((r) => queueMicrotask(r));
        for (const s of [...this.#sessions.values()]) {
            this.#sessions.delete(s.clientId);
            s.link.lost(true);
        }
        for (const h of this.#delayedWills.values()) this.#clock.clearTimeout(h);
        this.#delayedWills.clear();
        if (options.persist !== true) this.#retained.clear();
    }

    /** The broker is back: clients connect at their next attempt. */
    start(): void {
        this.#up = true;
    }

    /** The network drops a client's connection (no DISCONNECT: its Will follows); it reconnects by itself. */
    drop(clientId: string): void {
        this.#end(clientId, true);
    }

    /** A client's process dies: its connection ends without DISCONNECT (Will) and it never reconnects. */
    kill(clientId: string): void {
        this.#end(clientId, false);
    }

    #end(clientId: string, reconnect: boolean): void {
        const s = this.#sessions.get(clientId);
        if (s === undefined) throw new Error(`fake broker: no client ${clientId} connected`);
        this.disconnect(s.link, false);
        s.link.lost(reconnect);
    }

    // ---- the broker's side, called by FakeLink --------------------------------------------------------

    /** A connection attempt. */
    accept(link: FakeLink, url: string, o: LinkOptions): Accept {
        let host = "";
        try {
            host = new URL(url).host;
        } catch {
            // an invalid URL reaches nothing
        }
        if (!this.#up || host !== this.#host) {
            return {
                ok: false,
                error: Object.assign(new Error(`connect ECONNREFUSED ${host}`), { code: "ECONNREFUSED" }),
            };
        }
        const v5 = o.protocolVersion !== 4;
        if (this.#users !== undefined) {
            const known = o.username !== undefined && this.#users[o.username] === o.password;
            if (!known) {
                const error = v5
                    ? Object.assign(new Error("Connection refused: Bad User Name or Password"), { code: 134 })
                    : Object.assign(new Error("Connection refused: Bad username or password"), { code: 4 });
                return { ok: false, error };
            }
        }
        const clientId = o.clientId ?? `fake-${Math.random().toString(16).slice(2, 10)}`;
        const old = this.#sessions.get(clientId);
        if (old !== undefined) {
            // session take-over: the old connection is closed by the broker
            this.disconnect(old.link, false);
            old.link.lost(true);
        }
        const delayed = this.#delayedWills.get(clientId);
        if (delayed !== undefined) {
            // reconnected within the Will delay: no Will
            this.#clock.clearTimeout(delayed);
            this.#delayedWills.delete(clientId);
        }
        const session: Session = { link, clientId, v5, subs: new Map(), will: link.will };
        this.#sessions.set(clientId, session);
        return { ok: true, session };
    }

    /** A connection ends; `clean`: with DISCONNECT (no Will). */
    disconnect(link: FakeLink, clean: boolean): void {
        const s = [...this.#sessions.values()].find((x) => x.link === link);
        if (s === undefined) return;
        this.#sessions.delete(s.clientId);
        if (clean || s.will === undefined) return;
        const delayS = s.v5 ? (s.will.properties?.willDelayInterval ?? 0) : 0;
        if (delayS <= 0) {
            this.#publishWill(s);
            return;
        }
        this.#delayedWills.set(
            s.clientId,
            this.#clock.setTimeout(() => {
                this.#delayedWills.delete(s.clientId);
                this.#publishWill(s);
            }, delayS * 1000),
        );
    }

    #publishWill(s: Session): void {
        const w = s.will;
        if (w === undefined) return;
        let properties: PublishProperties | undefined;
        if (s.v5 && w.properties !== undefined) {
            const { willDelayInterval: _, ...rest } = w.properties;
            properties = rest;
        }
        this.#route(s.clientId, s.v5, w.topic, toBuffer(w.payload), w.qos, w.retain, properties, true);
    }

    publish(s: Session, topic: string, payload: Buffer | string, o: PublishOptions): void {
        this.#route(s.clientId, s.v5, topic, toBuffer(payload), o.qos, o.retain === true, o.properties, false);
    }

    #route(
        clientId: string,
        v5: boolean,
        topic: string,
        payload: Buffer,
        qos: 0 | 1,
        retain: boolean,
        props: PublishProperties | undefined,
        will: boolean,
    ): void {
        const properties = v5 && props !== undefined ? { ...props } : undefined;
        const pub: FakePublication = { clientId, topic, payload, qos, retain, will };
        if (properties !== undefined) pub.properties = properties;
        this.publications.push(pub);
        if (retain) {
            if (payload.length === 0) this.#retained.delete(topic);
            else {
                const r: Retained = { payload, qos, at: this.#clock.now() };
                if (properties !== undefined) r.properties = properties;
                this.#retained.set(topic, r);
            }
        }
        for (const s of this.#sessions.values()) {
            // one delivery per client: the highest QoS of its matching subscriptions, rap if any asked for it
            let best: SubscribeOptions | undefined;
            for (const [filter, o] of s.subs) {
                if (!topicMatches(filter, topic)) continue;
                best = { qos: Math.max(o.qos, best?.qos ?? 0) as 0 | 1, rap: o.rap === true || best?.rap === true };
            }
            if (best === undefined) continue;
            const packet: ReceivedPacket = {
                qos: Math.min(qos, best.qos) as 0 | 1,
                retain: s.v5 && best.rap === true ? retain : false,
            };
            if (s.v5 && properties !== undefined) packet.properties = properties;
            s.link.deliver(topic, payload, packet);
        }
    }

    subscribe(s: Session, subscriptions: Record<string, SubscribeOptions>): void {
        for (const [filter, o] of Object.entries(subscriptions)) {
            s.subs.set(filter, s.v5 ? o : { qos: o.qos });
            for (const topic of this.#retained.keys()) {
                if (!topicMatches(filter, topic)) continue;
                const r = this.#liveRetained(topic);
                if (r === undefined) continue;
                const packet: ReceivedPacket = { qos: Math.min(r.qos, o.qos) as 0 | 1, retain: true };
                if (s.v5 && r.properties !== undefined) {
                    packet.properties = { ...r.properties };
                    const left = this.#expiresIn(r);
                    if (left !== undefined) packet.properties.messageExpiryInterval = left;
                }
                s.link.deliver(topic, r.payload, packet);
            }
        }
    }

    unsubscribe(s: Session, filters: string[]): void {
        for (const f of filters) s.subs.delete(f);
    }

    /** A retained message, unless its expiry passed (then it is dropped). */
    #liveRetained(topic: string): Retained | undefined {
        const r = this.#retained.get(topic);
        if (r === undefined) return undefined;
        const left = this.#expiresIn(r);
        if (left !== undefined && left <= 0) {
            this.#retained.delete(topic);
            return undefined;
        }
        return r;
    }

    /** Whole seconds a retained message has left (undefined: it never expires). */
    #expiresIn(r: Retained): number | undefined {
        const interval = r.properties?.messageExpiryInterval;
        if (interval === undefined) return undefined;
        return Math.ceil(interval - (this.#clock.now() - r.at) / 1000);
    }
}

/** Work waiting for a connection (QoS 1 publications, subscriptions). */
interface Queued {
    run: (s: Session) => void;
    fail: (err: Error) => void;
}

/** A client's side of a fake connection: what the connector returns. */
class FakeLink extends EventEmitter implements MqttLink {
    readonly #broker: FakeBroker;
    readonly #url: string;
    readonly #o: LinkOptions;
    readonly #clock: Clock;
    #session: Session | null = null;
    /** Bumped at every connection: a delivery for an older one is dropped. */
    #generation = 0;
    #ended = false;
    #dead = false;
    #reconnecting = false;
    #timer: unknown = null;
    #queue: Queued[] = [];
    /** What to subscribe again on reconnection (mqtt.js's `resubscribe`, on unless turned off). */
    readonly #resubscribe = new Map<string, SubscribeOptions>();
    will: LinkWill | undefined;

    constructor(broker: FakeBroker, url: string, o: LinkOptions, clock: Clock) {
        super();
        this.#broker = broker;
        this.#url = url;
        this.#o = o;
        this.#clock = clock;
        this.will = o.will;
        // like mqtt.js: the first attempt after the caller attached its listeners
        queueMicrotask(() => this.#attempt());
    }

    get connected(): boolean {
        return this.#session !== null;
    }

    override on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): this {
        return super.on(event, listener);
    }

    setWill(will: LinkWill | undefined): void {
        this.will = will;
    }

    publishAsync(topic: string, payload: Buffer | string, options: PublishOptions): Promise<void> {
        if (this.#ended) return Promise.reject(new Error("client disconnecting"));
        const v5 = this.#o.protocolVersion !== 4;
        const o: PublishOptions = v5 ? options : { qos: options.qos, retain: options.retain === true };
        if (this.#session !== null) {
            this.#broker.publish(this.#session, topic, payload, o);
            return acknowledged();
        }
        if (o.qos === 0) return Promise.reject(new Error("No connection to broker"));
        return this.#enqueue((s) => this.#broker.publish(s, topic, payload, o));
    }

    subscribeAsync(subscriptions: Record<string, SubscribeOptions>): Promise<void> {
        if (this.#ended) return Promise.reject(new Error("client disconnecting"));
        if (this.#o.resubscribe !== false)
            for (const [f, o] of Object.entries(subscriptions)) this.#resubscribe.set(f, o);
        if (this.#session !== null) {
            this.#broker.subscribe(this.#session, subscriptions);
            return acknowledged();
        }
        return this.#enqueue((s) => this.#broker.subscribe(s, subscriptions));
    }

    unsubscribeAsync(filters: string[]): Promise<void> {
        if (this.#ended) return Promise.reject(new Error("client disconnecting"));
        for (const f of filters) this.#resubscribe.delete(f);
        if (this.#session !== null) {
            this.#broker.unsubscribe(this.#session, filters);
            return acknowledged();
        }
        return this.#enqueue((s) => this.#broker.unsubscribe(s, filters));
    }

    async endAsync(_force = false): Promise<void> {
        if (this.#ended) return;
        this.#ended = true;
        if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
        this.#timer = null;
        const queued = this.#queue;
        this.#queue = [];
        for (const q of queued) q.fail(new Error("Connection closed"));
        if (this.#session !== null) {
            this.#broker.disconnect(this, true);
            this.#session = null;
            this.#generation++;
            this.emit("close");
        }
        this.emit("end");
    }

    /** The broker delivers a message (in a microtask, dropped if this connection ended meanwhile). */
    deliver(topic: string, payload: Buffer, packet: ReceivedPacket): void {
        const gen = this.#generation;
        queueMicrotask(() => {
            if (this.#generation === gen && this.#session !== null) this.emit("message", topic, payload, packet);
        });
    }

    /** The connection is gone (broker stop, network drop, take-over); `reconnect: false`: the process died. */
    lost(reconnect: boolean): void {
        if (this.#session === null) return;
        this.#session = null;
        this.#generation++;
        if (!reconnect) this.#dead = true;
        this.#closed();
    }

    #enqueue(run: (s: Session) => void): Promise<void> {
        return new Promise((resolve, reject) => {
            this.#queue.push({
                run: (s) => {
                    run(s);
                    void acknowledged().then(resolve);
                },
                fail: reject,
            });
        });
    }

    #attempt(): void {
        this.#timer = null;
        if (this.#ended || this.#dead) return;
        const r = this.#broker.accept(this, this.#url, { ...this.#o, will: this.will });
        if (!r.ok) {
            if (this.listenerCount("error") > 0) this.emit("error", r.error);
            this.#closed();
            return;
        }
        this.#session = r.session;
        const again = this.#generation > 0 && this.#resubscribe.size > 0;
        this.#generation++;
        this.#reconnecting = false;
        if (again) this.#broker.subscribe(r.session, Object.fromEntries(this.#resubscribe));
        this.emit("connect");
        // what waited offline goes out first, in order (mqtt.js resends its store on connection)
        const queued = this.#queue;
        this.#queue = [];
        for (const q of queued) {
            if (this.#session === null) this.#queue.push(q);
            else q.run(this.#session);
        }
    }

    #closed(): void {
        const period = this.#o.reconnectPeriod ?? 1000;
        if (!this.#dead && period > 0 && !this.#reconnecting) {
            this.#reconnecting = true;
            this.emit("offline");
        }
        this.emit("close");
        if (this.#dead || this.#ended || period <= 0 || this.#timer !== null) return;
        this.#timer = this.#clock.setTimeout(() => {
            this.#timer = null;
            if (this.#ended || this.#dead) return;
            this.emit("reconnect");
            this.#attempt();
        }, period);
    }
}

/** A QoS 1 acknowledgement (a microtask later: the caller never sees it synchronously). */
function acknowledged(): Promise<void> {
    return new Promise((r) => queueMicrotask(r));
}

function toBuffer(p: Buffer | string): Buffer {
    return typeof p === "string" ? Buffer.from(p) : p;
}

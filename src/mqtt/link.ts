/**
 * The MQTT link port: the little of an MQTT client that the management plane and the redundancy link use
 * (connect with a Will and MQTT 5 properties, publish, subscribe, the connection's events, end). The real
 * adapter wraps mqtt.js (mqttJs.ts); tests connect to the in-repo fake broker (fakeBroker.ts) instead, so
 * the logic on top is tested without a broker process.
 */

/** MQTT 5 user properties. */
export type UserProperties = Record<string, string | string[]>;

/** The MQTT 5 properties of a publication (all dropped on an MQTT 3.1.1 connection). */
export interface PublishProperties {
    payloadFormatIndicator?: boolean;
    /** Seconds the broker keeps the message (retained or queued) before dropping it. */
    messageExpiryInterval?: number;
    contentType?: string;
    responseTopic?: string;
    correlationData?: Buffer;
    userProperties?: UserProperties;
}

export interface PublishOptions {
    qos: 0 | 1;
    retain?: boolean;
    properties?: PublishProperties;
}

/** One subscription's options; `rap` (MQTT 5): live messages keep the publisher's retain flag. */
export interface SubscribeOptions {
    qos: 0 | 1;
    rap?: boolean;
}

/** What a received message says besides topic and payload. */
export interface ReceivedPacket {
    /** True for a retained message sent on subscription (or, with `rap`, a live one published retained). */
    retain: boolean;
    qos: 0 | 1 | 2;
    properties?: PublishProperties;
}

/** The Will, published by the broker when the connection ends without a DISCONNECT. */
export interface LinkWill {
    topic: string;
    payload: Buffer | string;
    qos: 0 | 1;
    retain: boolean;
    /** MQTT 5: `willDelayInterval` (s): a reconnect within it publishes no Will. */
    properties?: PublishProperties & { willDelayInterval?: number };
}

/** Connection options (the subset of mqtt.js's that callbackd uses; names as mqtt.js spells them). */
export interface LinkOptions {
    protocolVersion?: 4 | 5;
    clientId?: string;
    /** Clean start: no session state kept from (or for) another connection. */
    clean?: boolean;
    keepalive?: number;
    /** Milliseconds between reconnection attempts; 0: never reconnect. */
    reconnectPeriod?: number;
    connectTimeout?: number;
    queueQoSZero?: boolean;
    resubscribe?: boolean;
    username?: string;
    password?: string;
    will?: LinkWill;
    /** MQTT 5 CONNECT properties. */
    properties?: { sessionExpiryInterval?: number };
    ca?: Buffer | string;
    cert?: Buffer | string;
    key?: Buffer | string;
    servername?: string;
    rejectUnauthorized?: boolean;
    /** Small messages whose latency matters: no Nagle delay on the socket. */
    noDelay?: boolean;
}

/** The events of a link, as mqtt.js names them. */
export interface LinkEvents {
    /** Connected (CONNACK accepted), the first time and after every reconnection. */
    connect: () => void;
    /** A reconnection attempt starts (the Will may be changed now: it is read for this attempt). */
    reconnect: () => void;
    /** The connection closed (or an attempt failed). */
    close: () => void;
    /** The link went offline (once per outage). */
    offline: () => void;
    error: (err: Error) => void;
    message: (topic: string, payload: Buffer, packet: ReceivedPacket) => void;
}

/** A connection to a broker that reconnects by itself (every `reconnectPeriod`) until ended. */
export interface MqttLink {
    readonly connected: boolean;
    on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): this;
    /**
     * QoS 1 resolves once the broker acknowledged it; while offline it is queued and sent on reconnection.
     * QoS 0 is sent at once or, offline, rejected (never queued).
     */
    publishAsync(topic: string, payload: Buffer | string, options: PublishOptions): Promise<void>;
    /** Topic filters (`+`, `#`) with their options. */
    subscribeAsync(subscriptions: Record<string, SubscribeOptions>): Promise<void>;
    unsubscribeAsync(filters: string[]): Promise<void>;
    /** The Will for the next connection attempt (set in a `reconnect` listener). */
    setWill(will: LinkWill | undefined): void;
    /** Disconnects (DISCONNECT: no Will) and stops reconnecting; `force`: at once, without flushing. */
    endAsync(force?: boolean): Promise<void>;
}

/** Opens a link: `url` names the broker (`mqtt://`, `mqtts://`), `options` the connection. */
export type MqttConnector = (url: string, options: LinkOptions) => MqttLink;

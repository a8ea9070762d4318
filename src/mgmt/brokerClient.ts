/**
 * MQTT link options (mqtt/link.ts) from BrokerOptions: credentials (from the options or the URL), TLS material and
 * the timings. Shared by the management plane and the redundancy link, which hold separate connections
 * (each with its own Will).
 */
import type { LinkOptions } from "../mqtt/link.js";

/** How to reach the broker. Credentials and keys are never logged. */
export interface BrokerOptions {
    /** `mqtt://host:1883` or `mqtts://host:8883` (credentials in the URL are taken as username/password). */
    url: string;
    username?: string;
    password?: string;
    /** TLS material for `mqtts://` (PEM text or bytes). Server certificates are verified unless told not to. */
    tls?: {
        ca?: string | Uint8Array;
        cert?: string | Uint8Array;
        key?: string | Uint8Array;
        servername?: string;
        rejectUnauthorized?: boolean;
    };
    /** 5 (default) or 4 (MQTT 3.1.1: no response topic, content type or expiry; responses go to res/). */
    protocolVersion?: 4 | 5;
    /** Default `callbackd-<site>-<node>`. */
    clientId?: string;
    /** Default 30. */
    keepaliveS?: number;
    /** Delay between reconnection attempts (default 2000). */
    reconnectMs?: number;
    /** Default 10000. */
    connectTimeoutMs?: number;
    /** MQTT 5 Will delay: a reconnect within this many seconds publishes no death (default 0). */
    willDelayS?: number;
}

/** Splits credentials out of a broker URL and returns a URL safe to log. */
export function sanitizeBrokerUrl(url: string): { url: string; username?: string; password?: string } {
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        return { url: "(invalid url)" };
    }
    const out: { url: string; username?: string; password?: string } = { url: "" };
    if (u.username !== "") out.username = decodeURIComponent(u.username);
    if (u.password !== "") out.password = decodeURIComponent(u.password);
    u.username = "";
    u.password = "";
    out.url = u.toString().replace(/\/$/, "");
    return out;
}

/** Options for a connector's `(b.url, …)`; `will` and MQTT 5 properties are added by the caller. */
export function brokerClientOptions(
    b: BrokerOptions,
    defaults: { clientId: string; keepaliveS: number; reconnectMs: number },
): LinkOptions {
    const safe = sanitizeBrokerUrl(b.url);
    const options: LinkOptions = {
        protocolVersion: b.protocolVersion === 4 ? 4 : 5,
        clientId: b.clientId ?? defaults.clientId,
        clean: true,
        keepalive: b.keepaliveS ?? defaults.keepaliveS,
        reconnectPeriod: b.reconnectMs ?? defaults.reconnectMs,
        connectTimeout: b.connectTimeoutMs ?? 10_000,
        queueQoSZero: false,
        resubscribe: false,
    };
    const username = b.username ?? safe.username;
    const password = b.password ?? safe.password;
    if (username !== undefined) options.username = username;
    if (password !== undefined) options.password = password;
    if (b.tls !== undefined) {
        const tls = b.tls;
        if (tls.ca !== undefined) options.ca = toBuffer(tls.ca);
        if (tls.cert !== undefined) options.cert = toBuffer(tls.cert);
        if (tls.key !== undefined) options.key = toBuffer(tls.key);
        if (tls.servername !== undefined) options.servername = tls.servername;
        options.rejectUnauthorized = tls.rejectUnauthorized ?? true;
    }
    return options;
}

function toBuffer(v: string | Uint8Array): Buffer {
    return typeof v === "string" ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

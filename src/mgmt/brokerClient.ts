/**
 * mqtt.js client options from BrokerOptions: credentials (from the options or the URL), TLS material and
 * the timings. Shared by the management plane and the redundancy link, which hold separate connections
 * (each with its own Will).
 */
import type { IClientOptions } from "mqtt";
import type { BrokerOptions } from "./mqttManagement.js";
import { sanitizeBrokerUrl } from "./mqttManagement.js";

/** Options for `mqtt.connect(b.url, …)`; `will` and MQTT 5 properties are added by the caller. */
export function brokerClientOptions(
    b: BrokerOptions,
    defaults: { clientId: string; keepaliveS: number; reconnectMs: number },
): IClientOptions {
    const safe = sanitizeBrokerUrl(b.url);
    const options: IClientOptions = {
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

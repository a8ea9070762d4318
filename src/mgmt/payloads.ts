/**
 * How alarm events and telemetry go on the wire: JSON by default (what `mosquitto_sub` shows and what the
 * other topics use), or the protobuf messages of callbackd_mgmt.proto (`mqtt.encoding: "protobuf"`). The
 * outbox on flash always keeps the protobuf form; it is converted when sent, so a change of encoding also
 * covers the events waiting in it. Times are milliseconds since the epoch in both.
 */
import type { PayloadEncoding } from "../config/sections/mqtt.js";
import type { LinkWill } from "../mqtt/link.js";
import { ALARM_CATALOGUE } from "./catalogue.js";
import { contentType, decodeAlarmEvent, encodeTelemetry, type WireTelemetry } from "./codec.js";
import type { StatusPayload } from "./planeTypes.js";

/** `mqtt.encoding`. */
export type { PayloadEncoding };

/** MQTT 5 content type of JSON payloads. */
export const JSON_CONTENT_TYPE = "application/json";

/** MQTT 5 properties of a JSON message. */
export const JSON_PROPS = { contentType: JSON_CONTENT_TYPE, payloadFormatIndicator: true } as const;

/** One message ready to publish. */
export interface WireMessage {
    payload: Buffer;
    contentType: string;
    /** MQTT 5 payload format indicator (UTF-8 text). */
    utf8: boolean;
}

/** An alarm event from the outbox (protobuf) in the configured encoding. */
export function alarmEventMessage(stored: Uint8Array, encoding: PayloadEncoding): WireMessage {
    const raw: WireMessage = { payload: Buffer.from(stored), contentType: contentType("AlarmEvent"), utf8: false };
    if (encoding === "protobuf") return raw;
    try {
        const event = decodeAlarmEvent(stored);
        return { payload: Buffer.from(JSON.stringify(event)), contentType: JSON_CONTENT_TYPE, utf8: true };
    } catch {
        // a record that does not decode (written by a newer release, damaged): sent as it is, labelled so
        return raw;
    }
}

/** A telemetry sample in the configured encoding (JSON: the same fields, camelCase, as the protobuf message). */
export function telemetryMessage(sample: WireTelemetry, encoding: PayloadEncoding): WireMessage {
    if (encoding === "protobuf") {
        return { payload: Buffer.from(encodeTelemetry(sample)), contentType: contentType("Telemetry"), utf8: false };
    }
    return { payload: Buffer.from(JSON.stringify(sample)), contentType: JSON_CONTENT_TYPE, utf8: true };
}

/** The content types of the two streams, for `meta`. */
export function streamContentTypes(encoding: PayloadEncoding): { alarmEvent: string; telemetry: string } {
    return encoding === "protobuf"
        ? { alarmEvent: contentType("AlarmEvent"), telemetry: contentType("Telemetry") }
        : { alarmEvent: JSON_CONTENT_TYPE, telemetry: JSON_CONTENT_TYPE };
}

/** The Will: a retained death on the status topic (MQTT 5: JSON properties and the Will delay, if any). */
export function willMessage(topic: string, death: StatusPayload, v5: boolean, willDelayS: number): LinkWill {
    const will: LinkWill = { topic, payload: Buffer.from(JSON.stringify(death)), qos: 1, retain: true };
    if (v5) will.properties = { ...JSON_PROPS, ...(willDelayS > 0 ? { willDelayInterval: willDelayS } : {}) };
    return will;
}

/** The retained `meta`: what a consumer needs to read this node (commands, encodings, the alarm catalogue). */
export function metaPayload(node: {
    version: string;
    site: string;
    node: string;
    protocolVersion: 4 | 5;
    readOnly: boolean;
    commands: string[];
    encoding: PayloadEncoding;
}): Record<string, unknown> {
    return {
        ...node,
        contentTypes: streamContentTypes(node.encoding),
        alarms: ALARM_CATALOGUE.map((d) => ({
            id: d.id,
            severity: d.severity,
            eventType: d.eventType,
            stateless: d.stateless,
            description: d.description,
            action: d.action,
        })),
    };
}

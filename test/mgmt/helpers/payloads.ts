/** Alarm events and telemetry as received, in either encoding (JSON by default, protobuf when configured). */
import { decodeAlarmEvent, decodeTelemetry, type WireAlarmEvent, type WireTelemetry } from "../../../src/mgmt/codec.js";

const isJson = (payload: Uint8Array): boolean => payload[0] === 0x7b;

/** An alarm event payload, JSON or protobuf. */
export function alarmEventOf(payload: Uint8Array): WireAlarmEvent {
    return isJson(payload)
        ? (JSON.parse(Buffer.from(payload).toString("utf8")) as WireAlarmEvent)
        : decodeAlarmEvent(payload);
}

/** A telemetry payload, JSON or protobuf. */
export function telemetryOf(payload: Uint8Array): WireTelemetry {
    return isJson(payload)
        ? (JSON.parse(Buffer.from(payload).toString("utf8")) as WireTelemetry)
        : decodeTelemetry(payload);
}

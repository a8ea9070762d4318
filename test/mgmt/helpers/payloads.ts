/** Alarm events and telemetry as received, in either encoding (JSON by default, protobuf when configured). */
import type { Test } from "tap";
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

/**
 * Checks an alarm event stream as received (payloads in arrival order): after de-duplication by seq, every
 * number from `from` to `to` once, in order. Returns the events.
 */
export function checkStream(t: Test, received: Uint8Array[], from: number, to: number): WireAlarmEvent[] {
    const seen = new Map<number, WireAlarmEvent>();
    const order: number[] = [];
    for (const payload of received) {
        const e = alarmEventOf(payload);
        if (seen.has(e.seq)) continue;
        seen.set(e.seq, e);
        order.push(e.seq);
    }
    const expected = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    t.same(order, expected, `events ${from}..${to}, each once, in order`);
    t.comment(`${received.length - order.length} redelivered duplicate(s) dropped by seq`);
    return order.map((s) => seen.get(s) as WireAlarmEvent);
}

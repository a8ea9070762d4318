/**
 * Protobuf encoding of alarm events and telemetry (protobufjs). The schema is `callbackd_mgmt.proto`
 * beside this file, published for consumers; PROTO_TEXT is the same text (a test keeps them equal), so
 * the built package needs no file at run time.
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import type { AlarmEventData, AlarmTransition } from "./alarmManager.js";
import type { Severity } from "./catalogue.js";

/** Text of callbackd_mgmt.proto (beside this module in src/ and, copied by the build, in dist/). */
export const PROTO_TEXT = readFileSync(new URL("./callbackd_mgmt.proto", import.meta.url), "utf8");

/** Protobuf package of the messages. */
export const PROTO_PACKAGE = "callbackd.mgmt.v1";

/** MQTT 5 content type of a message of the package. */
export function contentType(message: "AlarmEvent" | "Telemetry"): string {
    return `application/x-protobuf;proto=${PROTO_PACKAGE}.${message}`;
}

const root = protobuf.parse(PROTO_TEXT, { keepCase: false }).root;
const AlarmEventType = root.lookupType(`${PROTO_PACKAGE}.AlarmEvent`);
const TelemetryType = root.lookupType(`${PROTO_PACKAGE}.Telemetry`);

const SEVERITY_NUM: Readonly<Record<Severity, number>> = { critical: 1, major: 2, minor: 3, warning: 4 };
const STATE_NUM: Readonly<Record<AlarmTransition, number>> = { raised: 1, updated: 2, cleared: 3, event: 4 };
const SEVERITY_NAME = ["unspecified", "critical", "major", "minor", "warning"] as const;
const STATE_NAME = ["unspecified", "raised", "updated", "cleared", "event"] as const;

/** An alarm event as carried on the wire. */
export interface WireAlarmEvent extends Omit<AlarmEventData, "severity" | "state" | "lastChanged"> {
    seq: number;
    session: number;
    severity: Severity | "unspecified";
    state: AlarmTransition | "unspecified";
}

/** Encodes an alarm event with its sequence and session numbers. */
export function encodeAlarmEvent(e: AlarmEventData, seq: number, session: number): Uint8Array {
    return AlarmEventType.encode(
        AlarmEventType.fromObject({
            seq,
            ts: e.ts,
            session,
            id: e.id,
            key: e.key,
            resource: e.resource,
            fingerprint: e.fingerprint,
            state: STATE_NUM[e.state],
            severity: SEVERITY_NUM[e.severity],
            syslog: e.syslog,
            text: e.text,
            action: e.action,
            cause: e.cause,
            labels: e.labels,
            count: e.count,
            firstRaised: e.firstRaised,
            flapping: e.flapping,
        }),
    ).finish();
}

/** Decodes an alarm event (for consumers and tests); throws on bytes that are not one. */
export function decodeAlarmEvent(bytes: Uint8Array): WireAlarmEvent {
    const o = AlarmEventType.toObject(AlarmEventType.decode(bytes), {
        longs: Number,
        enums: Number,
        defaults: true,
    }) as Record<string, unknown>;
    return {
        seq: o.seq as number,
        ts: o.ts as number,
        session: o.session as number,
        id: o.id as string,
        key: o.key as string,
        resource: o.resource as string,
        fingerprint: o.fingerprint as string,
        state: STATE_NAME[o.state as number] ?? "unspecified",
        severity: SEVERITY_NAME[o.severity as number] ?? "unspecified",
        syslog: o.syslog as number,
        text: o.text as string,
        action: o.action as string,
        cause: o.cause as string,
        labels: (o.labels ?? {}) as Record<string, string>,
        count: o.count as number,
        firstRaised: o.firstRaised as number,
        flapping: o.flapping as boolean,
    };
}

/** Counters and gauges a telemetry provider may report (all optional; missing ones are sent as 0). */
export interface TelemetrySample {
    packets?: number;
    decodeErrors?: number;
    registeredPhones?: number;
    activeRequests?: number;
    notificationsSent?: number;
    pushLatencyP50Ms?: number;
    pushLatencyP95Ms?: number;
    flashWrites?: number;
    /** Further counters and gauges by name. */
    extra?: Readonly<Record<string, number>>;
}

/** One telemetry message as carried on the wire. */
export interface WireTelemetry extends Required<Omit<TelemetrySample, "extra">> {
    ts: number;
    session: number;
    seq: number;
    uptimeMs: number;
    memoryRssBytes: number;
    memoryHeapUsedBytes: number;
    activeAlarms: number;
    outboxPending: number;
    extra: Record<string, number>;
}

/** Non-negative finite number, else 0 (a provider bug must not break the encoder). */
function num(v: unknown): number {
    return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0;
}

/** Integer version of num(). */
function int(v: unknown): number {
    return Math.floor(num(v));
}

/** A complete telemetry message from a partial one: every field present, numbers sane (as on the wire). */
export function telemetrySample(t: Partial<WireTelemetry>): WireTelemetry {
    const extra: Record<string, number> = {};
    for (const [k, v] of Object.entries(t.extra ?? {})) if (typeof v === "number" && Number.isFinite(v)) extra[k] = v;
    return {
        ts: int(t.ts),
        session: int(t.session),
        seq: int(t.seq),
        uptimeMs: int(t.uptimeMs),
        packets: int(t.packets),
        decodeErrors: int(t.decodeErrors),
        registeredPhones: int(t.registeredPhones),
        activeRequests: int(t.activeRequests),
        notificationsSent: int(t.notificationsSent),
        pushLatencyP50Ms: num(t.pushLatencyP50Ms),
        pushLatencyP95Ms: num(t.pushLatencyP95Ms),
        flashWrites: int(t.flashWrites),
        memoryRssBytes: int(t.memoryRssBytes),
        memoryHeapUsedBytes: int(t.memoryHeapUsedBytes),
        activeAlarms: int(t.activeAlarms),
        outboxPending: int(t.outboxPending),
        extra,
    };
}

/** Encodes a telemetry message. */
export function encodeTelemetry(t: Partial<WireTelemetry>): Uint8Array {
    return TelemetryType.encode(TelemetryType.fromObject(telemetrySample(t))).finish();
}

/** Decodes a telemetry message (for consumers and tests). */
export function decodeTelemetry(bytes: Uint8Array): WireTelemetry {
    return TelemetryType.toObject(TelemetryType.decode(bytes), {
        longs: Number,
        defaults: true,
    }) as WireTelemetry;
}

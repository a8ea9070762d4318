/**
 * JSON by default for alarm events and telemetry (issue T item 11), protobuf on request; times in
 * milliseconds since the epoch everywhere (the Will's connectedAt: test/mgmt/mqtt.liveness.test.ts).
 */
import t from "tap";
import { decodeAlarmEvent, encodeAlarmEvent } from "../../src/mgmt/codec.js";
import { alarmEventMessage, willMessage } from "../../src/mgmt/payloads.js";
import { nodeTopics } from "../../src/mgmt/topics.js";
import { json } from "./helpers/broker.js";
import { fakeBroker } from "./helpers/fake.js";
import { NODE, SITE } from "./helpers/service.js";

const T = nodeTopics(SITE, NODE);
const FAST = { "capture.down": { raiseDelayMs: 0, clearDelayMs: 0 } };
/** A plausible epoch-milliseconds time (after 2020, before 2100). */
const isMs = (v: unknown): boolean => typeof v === "number" && v > 1.5e12 && v < 4.1e12;

t.test("alarm events, telemetry and meta are JSON by default", async (t) => {
    const { watch, plane: startPlane } = fakeBroker();
    const w = await watch([T.alarmsEvents, T.telemetry, T.meta, T.status]);
    t.teardown(() => w.close());
    const plane = await startPlane({
        alarms: { policies: FAST },
        telemetry: { intervalMs: 50, provider: () => ({ registeredPhones: 3 }) },
    });
    t.teardown(() => plane.mgmt.stop());
    const meta = json(await w.next((m) => m.topic === T.meta));
    t.match(meta, {
        encoding: "json",
        contentTypes: { alarmEvent: "application/json", telemetry: "application/json" },
    });
    plane.mgmt.alarms.raise("capture.down", { resource: "eth1", cause: "link-down", text: "eth1 has no carrier" });
    const ev = await w.next((m) => m.topic === T.alarmsEvents);
    t.equal(ev.packet.properties?.contentType, "application/json");
    t.equal(ev.packet.properties?.payloadFormatIndicator, true);
    const e = json(ev);
    t.match(e, {
        seq: 1,
        id: "capture.down",
        key: "capture.down/eth1",
        state: "raised",
        severity: "critical",
        syslog: 2,
    });
    t.ok(isMs(e.ts) && isMs(e.firstRaised), "times in epoch milliseconds");
    const tel = await w.next((m) => m.topic === T.telemetry);
    t.equal(tel.packet.properties?.contentType, "application/json");
    const sample = json(tel);
    t.match(sample, { session: 1, registeredPhones: 3 });
    t.ok(isMs(sample.ts), "telemetry ts in epoch milliseconds");
    t.type(sample.uptimeMs, "number");
    const birth = json(await w.next((m) => m.topic === T.status));
    t.ok(isMs(birth.ts));
});

t.test("protobuf on request; the outbox is converted when sent", async (t) => {
    const stored = encodeAlarmEvent(
        {
            ts: 1_795_655_723_896,
            id: "service.failure",
            key: "service.failure",
            resource: "",
            fingerprint: "0011223344556677",
            state: "raised",
            severity: "critical",
            syslog: 2,
            text: "x",
            action: "y",
            cause: "",
            labels: {},
            count: 1,
            firstRaised: 1_795_655_723_896,
            lastChanged: 1_795_655_723_896,
            flapping: false,
        },
        7,
        3,
    );
    const asJson = alarmEventMessage(stored, "json");
    t.match(JSON.parse(asJson.payload.toString()), { seq: 7, session: 3, ts: 1_795_655_723_896, state: "raised" });
    const asProto = alarmEventMessage(stored, "protobuf");
    t.equal(asProto.contentType, "application/x-protobuf;proto=callbackd.mgmt.v1.AlarmEvent");
    t.same(decodeAlarmEvent(asProto.payload), decodeAlarmEvent(stored));
    const damaged = alarmEventMessage(new Uint8Array([1]), "json");
    t.equal(
        damaged.contentType,
        "application/x-protobuf;proto=callbackd.mgmt.v1.AlarmEvent",
        "sent as it is, labelled",
    );
});

t.test("the Will: JSON properties and the delay with MQTT 5 only", async (t) => {
    const death = { online: false, session: 4, connectedAt: 1_795_655_723_896, clean: false };
    const v5 = willMessage(T.status, death, true, 30);
    t.match(v5, { topic: T.status, qos: 1, retain: true });
    t.same(JSON.parse(v5.payload.toString()), death);
    t.same(v5.properties, { contentType: "application/json", payloadFormatIndicator: true, willDelayInterval: 30 });
    t.notOk("willDelayInterval" in (willMessage(T.status, death, true, 0).properties ?? {}), "no delay asked: none");
    t.equal(willMessage(T.status, death, false, 30).properties, undefined, "MQTT 3.1.1: no properties");
});

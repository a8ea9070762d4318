/**
 * Alarms and telemetry on the in-repo fake broker, including a broker outage during an alarm storm (the
 * same storm against a real Mosquitto with persistence: mqtt.mosquitto.test.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { nodeTopics } from "../../src/mgmt/topics.js";
import { NodeFlashFs } from "../../src/store/flashFs.js";
import { HANG_MS, waitFor } from "../helpers/wait.js";
import { json } from "./helpers/broker.js";
import { checkStormStream, stormAcrossOutage } from "./helpers/checks.js";
import { fakeBroker } from "./helpers/fake.js";
import { alarmEventOf, checkStream, telemetryOf } from "./helpers/payloads.js";
import { NODE, SITE } from "./helpers/service.js";

const T = nodeTopics(SITE, NODE);
const FAST = {
    "phone.push-unreachable": { raiseDelayMs: 0, clearDelayMs: 0, flapDetection: false },
    "capture.down": { raiseDelayMs: 0, clearDelayMs: 0 },
    "mqtt.broker-lost": { raiseDelayMs: 0 },
};

t.test(
    "raise and clear: protobuf events with a persistent sequence, a retained active table",

    async (t) => {
        const { watch, plane: startPlane } = fakeBroker();
        const w = await watch([T.alarmsEvents, T.alarmsActive, T.meta]);
        t.teardown(() => w.close());
        const dir = mkdtempSync(join(tmpdir(), "cbk-mgmt-"));
        t.teardown(() => rmSync(dir, { recursive: true, force: true }));
        const plane = await startPlane({
            alarms: { policies: FAST },
            flash: new NodeFlashFs(dir),
            encoding: "protobuf",
        });
        const meta = json(await w.next((m) => m.topic === T.meta));
        t.ok(
            (meta.alarms as Array<{ id: string }>).some((a) => a.id === "capture.down"),
            "the catalogue is on meta",
        );
        t.match(meta, { contentTypes: { alarmEvent: "application/x-protobuf;proto=callbackd.mgmt.v1.AlarmEvent" } });

        plane.mgmt.alarms.raise("capture.down", { resource: "eth1", cause: "link-down", text: "eth1 has no carrier" });
        const raised = await w.next((m) => m.topic === T.alarmsEvents);
        t.equal(raised.packet.qos, 1);
        t.equal(raised.packet.retain, false);
        t.equal(raised.packet.properties?.contentType, "application/x-protobuf;proto=callbackd.mgmt.v1.AlarmEvent");
        t.match(alarmEventOf(raised.payload), {
            seq: 1,
            session: 1,
            id: "capture.down",
            key: "capture.down/eth1",
            state: "raised",
            severity: "critical",
            syslog: 2,
            cause: "link-down",
            text: "eth1 has no carrier",
            action: /SPAN/,
        });
        const table = await w.next((m) => m.topic === T.alarmsActive && json(m).count === 1);
        t.match(json(table), { seq: 1, alarms: [{ key: "capture.down/eth1", severity: "critical", count: 1 }] });
        t.equal(table.packet.retain, true);
        plane.mgmt.alarms.raise("capture.down", { resource: "eth1" });
        plane.mgmt.alarms.clear("capture.down", { resource: "eth1" });
        const cleared = await w.next((m) => m.topic === T.alarmsEvents && alarmEventOf(m.payload).seq === 2);
        t.match(alarmEventOf(cleared.payload), { state: "cleared", count: 2 });
        await w.next((m) => m.topic === T.alarmsActive && json(m).count === 0);
        t.equal(w.on(T.alarmsEvents).length, 2, "the repeated raise was de-duplicated");
        await plane.mgmt.stop();

        // a new process continues the numbering
        const next = await startPlane({
            alarms: { policies: FAST },
            flash: new NodeFlashFs(dir),
            encoding: "protobuf",
        });
        next.mgmt.alarms.raise("service.failure");
        const third = await w.next((m) => m.topic === T.alarmsEvents && alarmEventOf(m.payload).seq === 3);
        t.match(alarmEventOf(third.payload), { id: "service.failure", session: 2 });
        await w.next((m) => m.topic === T.alarmsActive && json(m).count === 1 && json(m).session === 2);
        const late = await watch([T.alarmsActive]);
        t.match(
            json(await late.next(() => true)),
            { count: 1, alarms: [{ id: "service.failure" }] },
            "late joiners get the table",
        );
        await late.close();
        await next.mgmt.stop();
    },
);

t.test("telemetry: protobuf, QoS 0, nothing queued while offline", async (t) => {
    const { broker, watch, plane: startPlane } = fakeBroker();
    const w = await watch([T.telemetry], { reconnectPeriod: 50 });
    t.teardown(() => w.close());
    let packets = 0;
    const plane = await startPlane({
        encoding: "protobuf",
        telemetry: {
            intervalMs: 40,
            provider: () => {
                packets += 1000;
                return {
                    packets,
                    registeredPhones: 12,
                    pushLatencyP95Ms: 85.5,
                    extra: { queue: 2 },
                };
            },
        },
    });
    t.teardown(() => plane.mgmt.stop());
    const m = await w.next(() => true);
    t.equal(m.packet.qos, 0);
    t.equal(m.packet.properties?.contentType, "application/x-protobuf;proto=callbackd.mgmt.v1.Telemetry");
    const tel = telemetryOf(m.payload);
    t.match(tel, { session: 1, registeredPhones: 12, pushLatencyP95Ms: 85.5, extra: { queue: 2 } });
    t.ok(tel.packets >= 1000 && tel.memoryRssBytes > 0 && tel.seq >= 1);
    await broker.stop();
    await waitFor(() => plane.mgmt.stats.telemetrySkipped >= 3, "samples skipped while offline");
    t.ok(plane.mgmt.stats.telemetrySkipped >= 3, "samples are skipped while offline");
    const seenBefore = w.messages.length;
    // Every sample sent after the outage is taken after the broker came back: one queued while offline would
    // carry an older time. (Counting the samples sent after the reconnect measured the machine's speed: on a
    // loaded one several 40 ms intervals pass before the test looks.)
    const back = Date.now();
    broker.start();
    await plane.mgmt.waitConnected(HANG_MS);
    await w.next((x) => telemetryOf(x.payload).session === 2, HANG_MS, false);
    const after = w.messages.slice(seenBefore).map((x) => telemetryOf(x.payload));
    t.notOk(
        after.some((x) => x.session === 1),
        "no sample of the old session arrives after the outage",
    );
    t.same(
        after.filter((x) => x.ts < back).map((x) => x.seq),
        [],
        "no backlog is sent on reconnect: every sample is taken after it",
    );
});

t.test("a broker outage during an alarm storm: every event reaches the broker once, in order", async (t) => {
    const { broker, plane: startPlane } = fakeBroker();
    const dir = mkdtempSync(join(tmpdir(), "cbk-mgmt-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    // The consumer is the broker's own record of what it accepted (a subscriber that outlives the outage
    // needs a persistent session: the same storm on Mosquitto, mqtt.mosquitto.test.ts, has one).
    const received = () =>
        broker.publications.filter((p) => p.topic === T.alarmsEvents && !p.will).map((p) => p.payload);
    const plane = await startPlane({
        alarms: { policies: FAST },
        flash: new NodeFlashFs(dir),
        inflightWindow: 16,
    });
    const last = await stormAcrossOutage(t, plane.mgmt, async () => {
        await broker.stop();
        await new Promise((r) => setTimeout(r, 250));
        broker.start();
    });
    await waitFor(() => new Set(received().map((p) => alarmEventOf(p).seq)).size >= last, "every event at the broker");
    checkStormStream(t, received(), last, plane.mgmt.alarms);
    await plane.mgmt.stop();
});

t.test(
    "events raised while the broker is away survive a restart of the service",

    async (t) => {
        const { broker, watch, plane: startPlane } = fakeBroker();
        const dir = mkdtempSync(join(tmpdir(), "cbk-mgmt-"));
        t.teardown(() => rmSync(dir, { recursive: true, force: true }));
        const w = await watch([T.alarmsEvents], { reconnectPeriod: 50 });
        t.teardown(() => w.close());
        const first = await startPlane({ alarms: { policies: FAST }, flash: new NodeFlashFs(dir) });
        first.mgmt.alarms.raise("capture.down");
        await w.next(() => true);
        await broker.stop();
        while (first.mgmt.connected) await new Promise((r) => setTimeout(r, 10));
        for (let i = 0; i < 5; i++) first.mgmt.alarms.raise("phone.push-unreachable", { resource: `p${i}` });
        await first.mgmt.stop();
        t.equal(first.mgmt.lastEventSeq, 7, "capture.down, then broker-lost and five raises while away");
        t.equal(first.mgmt.ackedEventSeq, 1, "which wait in the outbox");
        broker.start();
        // a fresh subscriber, subscribed before the service comes back (the broker kept nothing)
        const w2 = await watch([T.alarmsEvents]);
        t.teardown(() => w2.close());
        const second = await startPlane({ alarms: { policies: FAST }, flash: new NodeFlashFs(dir) });
        t.ok(await second.mgmt.drained(HANG_MS));
        await waitFor(() => w2.on(T.alarmsEvents).length >= 6, "six events at the fresh subscriber");
        const events = checkStream(
            t,
            w2.on(T.alarmsEvents).map((m) => m.payload),
            2,
            7,
        );
        t.equal(events.filter((e) => e.id === "phone.push-unreachable").length, 5);
        t.equal(events[0]?.id, "mqtt.broker-lost");
        t.equal(events[1]?.session, 1, "each keeps the session it was raised in");
        await second.mgmt.stop();
    },
);

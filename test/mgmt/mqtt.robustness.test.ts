/** Flash faults, outbox overflow and other failure paths of the management plane, on the in-repo fake broker (TLS: mqtt.mosquitto.test.ts). */
import t from "tap";
import { encodeRecord } from "../../src/mgmt/outbox.js";
import { nodeTopics } from "../../src/mgmt/topics.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { HANG_MS, waitFor } from "../helpers/wait.js";
import { json } from "./helpers/broker.js";
import { fakeBroker } from "./helpers/fake.js";
import { alarmEventOf } from "./helpers/payloads.js";
import { NODE, SITE } from "./helpers/service.js";

const T = nodeTopics(SITE, NODE);

t.test("a full outbox drops the oldest events and says so; flash faults are alarms", async (t) => {
    const { broker, watch, plane: startPlane } = fakeBroker();
    const fs = new MemoryFlashFs();
    const w = await watch([T.alarmsEvents, T.alarmsActive], { reconnectPeriod: 50 });
    t.teardown(() => w.close());
    const plane = await startPlane({
        flash: fs,
        outbox: { segmentBytes: 600, maxSegments: 2 },
        alarms: {
            policies: { "phone.push-unreachable": { raiseDelayMs: 0, clearDelayMs: 0, flapDetection: false } },
        },
    });
    t.teardown(() => plane.mgmt.stop());
    await broker.stop();
    while (plane.mgmt.connected) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 30; i++) plane.mgmt.alarms.raise("phone.push-unreachable", { resource: `SEP${i}` });
    t.ok(plane.mgmt.alarms.isActive("mqtt.outbox-overflow"), "overflow raised");
    broker.start();
    await w.next(() => w.client.connected, HANG_MS).catch(() => undefined);
    await plane.mgmt.waitConnected(HANG_MS);
    t.ok(await plane.mgmt.drained(HANG_MS));
    await waitFor(
        () =>
            w
                .on(T.alarmsEvents)
                .some(
                    (m) =>
                        alarmEventOf(m.payload).id === "mqtt.outbox-overflow" &&
                        alarmEventOf(m.payload).state === "cleared",
                ),
        "the overflow alarm's clear to be delivered",
    );
    const seqs = w.on(T.alarmsEvents).map((m) => alarmEventOf(m.payload).seq);
    t.ok(seqs.length > 0 && seqs[0]! > 2, `the oldest events were dropped (first delivered: ${seqs[0]})`);
    t.same(
        [...seqs].sort((a, b) => a - b),
        seqs,
        "what is delivered is in order",
    );
    t.notOk(plane.mgmt.alarms.isActive("mqtt.outbox-overflow"), "cleared once the outbox drained");
    t.match(json(await w.next((m) => m.topic === T.alarmsActive && json(m).count === 30, HANG_MS)), { count: 30 });

    // flash faults: the events still go out from memory, and the fault is itself an alarm
    fs.faults.writeDurable = "EROFS";
    plane.mgmt.alarms.raise("service.failure", { text: "while flash is read-only" });
    const ev = await w.next(
        (m) => m.topic === T.alarmsEvents && alarmEventOf(m.payload).id === "flash.not-writable",
        3000,
    );
    t.match(alarmEventOf(ev.payload), { state: "raised", resource: "mgmt-outbox" });
    await w.next((m) => m.topic === T.alarmsEvents && alarmEventOf(m.payload).id === "service.failure", HANG_MS);
    delete fs.faults.writeDurable;
    const back = await w.next(
        (m) =>
            m.topic === T.alarmsEvents &&
            alarmEventOf(m.payload).id === "flash.not-writable" &&
            alarmEventOf(m.payload).state === "cleared",
        5000,
    );
    t.ok(back, "cleared when writes work again");
});

t.test("startup, service attachment and failing callbacks", async (t) => {
    const { watch, plane: startPlane } = fakeBroker();
    const fs = new MemoryFlashFs();
    // a torn outbox from the last run: one good record, then garbage
    fs.poke("outbox-0000000000000001.seg", new Uint8Array([...encodeRecord(1, new Uint8Array([1])), 9, 9, 9]));
    const w = await watch([`${T.base}/#`]);
    t.teardown(() => w.close());
    let providerCalls = 0;
    const plane = await startPlane({
        flash: fs,
        service: undefined as never,
        restart: () => {
            throw new Error("cannot restart");
        },
        telemetry: {
            intervalMs: 30,
            provider: () => {
                providerCalls++;
                throw new Error("provider broke");
            },
        },
    });
    t.teardown(() => plane.mgmt.stop());
    t.ok(plane.logger.messages("warn").includes("alarm outbox: torn tail cut off"));
    t.ok(await plane.mgmt.drained(HANG_MS), "the surviving record was delivered");
    await w.client.publishAsync(T.command("list-callbacks"), JSON.stringify({ id: "a" }), { qos: 1 });
    t.match(json(await w.next((m) => m.topic === T.response("list-callbacks"))), {
        error: { code: "internal", message: /not attached/ },
    });
    plane.mgmt.attachService(plane.service);
    await w.client.publishAsync(T.command("list-callbacks"), JSON.stringify({ id: "b" }), { qos: 1 });
    t.match(json(await w.next((m) => m.topic === T.response("list-callbacks") && json(m).id === "b")), {
        status: "ok",
    });
    await w.client.publishAsync(T.command("restart"), JSON.stringify({ id: "r" }), { qos: 1 });
    t.match(json(await w.next((m) => m.topic === T.response("restart"))), { status: "accepted" });
    await w.next((m) => m.topic === T.telemetry);
    t.ok(
        providerCalls > 0 && plane.logger.messages("warn").includes("telemetry provider failed"),
        "telemetry goes on without the provider",
    );
    await w.client.publishAsync(T.configDesired, "{not json", { qos: 1 });
    t.match(json(await w.next((m) => m.topic === T.configReported && json(m).status === "rejected")), {
        code: "bad_request",
    });
    await waitFor(() => plane.logger.messages("error").includes("command follow-up failed"), "the follow-up error");
    t.ok(plane.logger.messages("error").includes("command follow-up failed"));
});

/**
 * Liveness on the in-repo fake broker: birth, the Will when the process dies, clean offline, sessions,
 * credentials. The Will of a process really killed, on Mosquitto: mqtt.mosquitto.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { configureLogging, resetLogging } from "../../src/logging/logger.js";
import { createMemoryDestination } from "../../src/logging/memory.js";
import { nodeTopics } from "../../src/mgmt/topics.js";
import type { MqttConnector } from "../../src/mqtt/link.js";
import { NodeFlashFs } from "../../src/store/flashFs.js";
import { FakeClock } from "../../src/util/fakeClock.js";
import { HANG_MS, waitFor } from "../helpers/wait.js";
import { json } from "./helpers/broker.js";
import { checkBirth, checkWill } from "./helpers/checks.js";
import { fakeBroker } from "./helpers/fake.js";

import { NODE, SITE, startPlane, type TestPlane } from "./helpers/service.js";

const T = nodeTopics(SITE, NODE);
const CLIENT_ID = `callbackd-${SITE}-${NODE}`;
t.test("birth, the Will when the process dies, a new session on restart", async (t) => {
    const { broker, watch, plane: startPlane } = fakeBroker();
    const dir = mkdtempSync(join(tmpdir(), "cbk-mgmt-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const w = await watch([T.status]);
    t.teardown(() => w.close());

    const first = await startPlane({ flash: new NodeFlashFs(dir), version: "child" });
    t.equal(first.mgmt.session, 1);
    const birth = await w.next((m) => json(m).online === true);
    checkBirth(t, birth);
    // the process dies: its connection ends without DISCONNECT (a real kill -9: mqtt.mosquitto.test.ts)
    broker.kill(CLIENT_ID);
    const death = await w.next((m) => json(m).online === false);
    checkWill(t, death);
    t.equal(death.packet.properties?.contentType, "application/json");
    await first.mgmt.stop();

    const late = await watch([T.status]);
    t.match(
        json(await late.next(() => true)),
        { online: false, session: 1 },
        "a late subscriber sees the retained death",
    );
    await late.close();

    const second = await startPlane({ flash: new NodeFlashFs(dir) });
    t.equal(second.mgmt.session, 2, "the session number is persisted and bumped");
    t.match(json(await w.next((m) => json(m).online === true && json(m).session === 2)), { online: true });
    broker.kill(CLIENT_ID);
    await w.next((m) => json(m).online === false && json(m).session === 2);
    await second.mgmt.stop();
});

t.test("a Will delay: a reconnect within it publishes no death", async (t) => {
    const clock = new FakeClock(Date.now());
    const { broker, watch, plane: startPlane } = fakeBroker({ clock });
    const w = await watch([T.status]);
    t.teardown(() => w.close());
    const plane = await startPlane({ broker: { url: broker.url, reconnectMs: 100, willDelayS: 5 } });
    t.teardown(() => plane.mgmt.stop());
    await w.next((m) => json(m).online === true && json(m).session === 1);
    broker.drop(CLIENT_ID);
    await clock.advance(100);
    await plane.mgmt.waitConnected(HANG_MS);
    await w.next((m) => json(m).online === true && json(m).session === 2);
    await clock.advance(10_000);
    t.notOk(
        w.on(T.status).some((m) => json(m).online === false),
        "no death within the delay",
    );
    broker.kill(CLIENT_ID);
    await clock.advance(4_000);
    t.notOk(w.on(T.status).some((m) => json(m).online === false));
    await clock.advance(1_000);
    t.match(json(await w.next((m) => json(m).online === false)), { session: 2, clean: false }, "then the Will");
});

t.test("clean shutdown publishes offline itself; a reconnect is a new session", async (t) => {
    const { broker, watch, plane: startPlane } = fakeBroker();
    const dir = mkdtempSync(join(tmpdir(), "cbk-mgmt-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const w = await watch([T.status], { reconnectPeriod: 100 });
    t.teardown(() => w.close());
    const plane = await startPlane({ flash: new NodeFlashFs(dir) });
    await w.next((m) => json(m).online === true && json(m).session === 1);
    await broker.stop();
    broker.start();
    await plane.mgmt.waitConnected(HANG_MS);
    await w.next((m) => json(m).online === true && json(m).session === 2, HANG_MS);
    t.equal(plane.mgmt.session, 2, "every connection has its own session number");
    t.ok(plane.mgmt.alarms.isActive("mqtt.broker-lost") === false, "broker-lost cleared on return");
    await plane.mgmt.stop();
    await plane.mgmt.stop();
    const off = await w.next((m) => json(m).online === false && json(m).session === 2);
    t.match(json(off), { online: false, session: 2, clean: true });
    const again = await startPlane({ flash: new NodeFlashFs(dir) });
    t.equal(again.mgmt.session, 3);
    await again.mgmt.stop();
});

t.test("waitConnected resolves once the birth is out, not at the bare CONNACK", async (t) => {
    const { broker } = fakeBroker();
    const dir = mkdtempSync(join(tmpdir(), "cbk-mgmt-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    // Ask at the very moment the link reports the connection, before the plane's own birth sequence runs.
    const seen: Array<{ birth: boolean; reported: boolean; brokerLost: boolean }> = [];
    let plane: TestPlane | undefined;
    const asked: Array<Promise<void>> = [];
    const connector: MqttConnector = (url, o) => {
        const link = broker.connector(url, o);
        link.on("connect", () => {
            const mgmt = plane?.mgmt;
            if (mgmt === undefined) return;
            const from = broker.publications.length;
            asked.push(
                mgmt.waitConnected(HANG_MS).then(() => {
                    const topics = broker.publications
                        .slice(from)
                        .filter((p) => p.clientId === CLIENT_ID)
                        .map((p) => p.topic);
                    seen.push({
                        birth: topics.includes(T.status),
                        reported: topics.includes(T.configReported),
                        brokerLost: mgmt.alarms.isActive("mqtt.broker-lost"),
                    });
                }),
            );
        });
        return link;
    };
    plane = await startPlane(broker.url, { connector, flash: new NodeFlashFs(dir) });
    t.teardown(() => plane?.mgmt.stop());
    await plane.mgmt.waitConnected(HANG_MS);
    await broker.stop();
    broker.start();
    await waitFor(() => asked.length > 0, "the reconnection", HANG_MS);
    await Promise.all(asked);
    t.same(seen.at(-1), { birth: true, reported: true, brokerLost: false }, "birth published, broker-lost cleared");
});

t.test("credentials: refused without them, never in logs or payloads", async (t) => {
    const password = "pw-Zq9-very-secret";
    const { broker, watch, plane: startPlane } = fakeBroker({ users: { cbk: password, ops: "ops-pass" } });
    const dest = createMemoryDestination();
    configureLogging({ level: "trace", destination: dest });
    t.teardown(resetLogging);
    const w = await watch(["#"], { username: "ops", password: "ops-pass" });
    t.teardown(() => w.close());

    const wrong = await startPlane({
        broker: { url: broker.url, username: "cbk", password: "wrong-password" },
        logger: undefined as never,
        wait: false,
    });
    await t.rejects(wrong.mgmt.waitConnected(700));
    await wrong.mgmt.stop();

    const withUrl = `mqtt://cbk:${encodeURIComponent(password)}@fake-broker:1883`;
    const { createMemoryLogger: _ } = await import("../../src/logging/memory.js");
    const { MqttManagement } = await import("../../src/mgmt/mqttManagement.js");
    const { loadConfig } = await import("../../src/config/load.js");
    const { MemoryFlashFs } = await import("../../src/store/flashFs.js");
    const mgmt = new MqttManagement({
        site: SITE,
        node: NODE,
        broker: { url: withUrl, reconnectMs: 100 },
        connector: broker.connector,
        flash: new MemoryFlashFs(),
        config: { boot: loadConfig({ env: {} }), apply: () => {} },
        version: "t",
        telemetry: { intervalMs: 50 },
    });
    await mgmt.start();
    await mgmt.waitConnected(HANG_MS);
    await w.client.publishAsync(T.command("status"), JSON.stringify({ id: "s" }), { qos: 1 });
    await w.client.publishAsync(T.command("get-config"), JSON.stringify({ id: "g" }), { qos: 1 });
    await w.next((m) => m.topic === T.response("get-config"));
    await w.next((m) => m.topic === T.telemetry);
    mgmt.alarms.raise("service.failure", { text: "test" });
    await w.next((m) => m.topic === T.alarmsEvents);
    await mgmt.stop();
    t.ok(dest.lines.length > 3, "something was logged");
    t.ok(
        dest.lines.some((l) => l.includes("mqtt://fake-broker:1883")),
        "the broker is named",
    );
    const haystack = [...dest.lines, ...w.messages.map((m) => m.payload.toString("latin1"))].join("\n");
    t.notOk(haystack.includes(password), "the password appears in no log line and no MQTT payload");
    t.notOk(haystack.includes("wrong-password"));
    t.notOk(haystack.includes("ops-pass"));
});

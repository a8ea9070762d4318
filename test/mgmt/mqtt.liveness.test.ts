/** Liveness against a real Mosquitto: birth, the Will when the process dies, clean offline, sessions, credentials. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { configureLogging, resetLogging } from "../../src/logging/logger.js";
import { createMemoryDestination } from "../../src/logging/memory.js";
import { nodeTopics } from "../../src/mgmt/topics.js";
import { NodeFlashFs } from "../../src/store/flashFs.js";
import { HANG_MS } from "../helpers/wait.js";
import { json, needMosquitto, TestBroker, Watcher } from "./helpers/broker.js";
import { NODE, SITE, startPlane } from "./helpers/service.js";

const T = nodeTopics(SITE, NODE);
const src = (p: string) => JSON.stringify(new URL(`../../src/${p}`, import.meta.url).href);

/** Runs a management plane in a child process; resolves with the child once it is connected. */
async function spawnPlane(url: string, dir: string) {
    const script = `
        import { loadConfig } from ${src("config/load.ts")};
        import { MqttManagement } from ${src("mgmt/mqttManagement.ts")};
        import { NodeFlashFs } from ${src("store/flashFs.ts")};
        import { noopLogger } from ${src("logging/memory.ts")};
        const mgmt = new MqttManagement({
            site: ${JSON.stringify(SITE)}, node: ${JSON.stringify(NODE)},
            broker: { url: ${JSON.stringify(url)}, reconnectMs: 100, keepaliveS: 5 },
            flash: new NodeFlashFs(${JSON.stringify(dir)}),
            config: { boot: loadConfig({ env: {} }), apply: () => {} },
            version: "child", telemetry: { intervalMs: 0 }, logger: noopLogger,
        });
        await mgmt.start();
        await mgmt.waitConnected(${HANG_MS});
        process.send({ session: mgmt.session });
    `;
    // only the TypeScript loader: the runner's others cost seconds at every child start on a busy machine
    const loader = process.execArgv.filter((a) => a.includes("typescript"));
    const child = spawn(process.execPath, [...loader, "--input-type=module", "-e", script], {
        stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const msg = await new Promise<{ session: number }>((resolve, reject) => {
        child.once("message", (m) => resolve(m as { session: number }));
        child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
    });
    return { child, session: msg.session };
}

t.test("birth, the Will on a killed process, a new session on restart", { skip: needMosquitto() }, async (t) => {
    const broker = await TestBroker.start();
    t.teardown(() => broker.destroy());
    const dir = mkdtempSync(join(tmpdir(), "cbk-mgmt-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const w = await Watcher.connect(broker.url, [T.status]);
    t.teardown(() => w.close());

    const first = await spawnPlane(broker.url, dir);
    t.teardown(() => void first.child.kill("SIGKILL"));
    t.equal(first.session, 1);
    const birth = await w.next((m) => json(m).online === true);
    t.match(json(birth), { online: true, session: 1, version: "child", readOnly: false });
    t.match(json(birth).boot, /^[0-9a-f-]{36}$/);
    t.equal(birth.packet.retain, true, "birth is retained");
    first.child.kill("SIGKILL");
    const death = await w.next((m) => json(m).online === false);
    t.match(json(death), { online: false, session: 1, clean: false }, "the Will arrives, with the birth's session");
    // the Will is fixed at connect: it says when that was, not a publication time it cannot know (issue T item 11)
    t.notOk("ts" in json(death), "no ts in the Will");
    t.ok(
        typeof json(death).connectedAt === "number" && (json(death).connectedAt as number) > 1.5e12,
        "connectedAt in ms",
    );
    t.equal(death.packet.retain, true);

    const late = await Watcher.connect(broker.url, [T.status]);
    t.match(
        json(await late.next(() => true)),
        { online: false, session: 1 },
        "a late subscriber sees the retained death",
    );
    await late.close();

    const second = await spawnPlane(broker.url, dir);
    t.teardown(() => void second.child.kill("SIGKILL"));
    t.equal(second.session, 2, "the session number is persisted and bumped");
    t.match(json(await w.next((m) => json(m).online === true && json(m).session === 2)), { online: true });
    second.child.kill("SIGKILL");
    await w.next((m) => json(m).online === false && json(m).session === 2);
    if (second.child.exitCode === null && second.child.signalCode === null) {
        await new Promise((r) => second.child.once("exit", r));
    }
});

t.test(
    "clean shutdown publishes offline itself; a reconnect is a new session",
    { skip: needMosquitto() },
    async (t) => {
        const broker = await TestBroker.start();
        t.teardown(() => broker.destroy());
        const dir = mkdtempSync(join(tmpdir(), "cbk-mgmt-"));
        t.teardown(() => rmSync(dir, { recursive: true, force: true }));
        const w = await Watcher.connect(broker.url, [T.status], { reconnectPeriod: 100 });
        t.teardown(() => w.close());
        const plane = await startPlane(broker.url, { flash: new NodeFlashFs(dir) });
        await w.next((m) => json(m).online === true && json(m).session === 1);
        await broker.restart();
        await plane.mgmt.waitConnected(HANG_MS);
        await w.next((m) => json(m).online === true && json(m).session === 2, HANG_MS);
        t.equal(plane.mgmt.session, 2, "every connection has its own session number");
        t.ok(plane.mgmt.alarms.isActive("mqtt.broker-lost") === false, "broker-lost cleared on return");
        await plane.mgmt.stop();
        await plane.mgmt.stop();
        const off = await w.next((m) => json(m).online === false && json(m).session === 2);
        t.match(json(off), { online: false, session: 2, clean: true });
        const again = await startPlane(broker.url, { flash: new NodeFlashFs(dir) });
        t.equal(again.mgmt.session, 3);
        await again.mgmt.stop();
    },
);

t.test("credentials: refused without them, never in logs or payloads", { skip: needMosquitto() }, async (t) => {
    const password = "pw-Zq9-very-secret";
    const broker = await TestBroker.start({ users: { cbk: password, ops: "ops-pass" } });
    t.teardown(() => broker.destroy());
    const dest = createMemoryDestination();
    configureLogging({ level: "trace", destination: dest });
    t.teardown(resetLogging);
    const w = await Watcher.connect(broker.url, ["#"], { username: "ops", password: "ops-pass" });
    t.teardown(() => w.close());

    const wrong = await startPlane(broker.url, {
        broker: { url: broker.url, username: "cbk", password: "wrong-password" },
        logger: undefined as never,
        wait: false,
    });
    await t.rejects(wrong.mgmt.waitConnected(700));
    await wrong.mgmt.stop();

    const withUrl = `mqtt://cbk:${encodeURIComponent(password)}@127.0.0.1:${broker.port}`;
    const { createMemoryLogger: _ } = await import("../../src/logging/memory.js");
    const { MqttManagement } = await import("../../src/mgmt/mqttManagement.js");
    const { loadConfig } = await import("../../src/config/load.js");
    const { MemoryFlashFs } = await import("../../src/store/flashFs.js");
    const mgmt = new MqttManagement({
        site: SITE,
        node: NODE,
        broker: { url: withUrl, reconnectMs: 100 },
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
        dest.lines.some((l) => l.includes(`127.0.0.1:${broker.port}`)),
        "the broker is named",
    );
    const haystack = [...dest.lines, ...w.messages.map((m) => m.payload.toString("latin1"))].join("\n");
    t.notOk(haystack.includes(password), "the password appears in no log line and no MQTT payload");
    t.notOk(haystack.includes("wrong-password"));
    t.notOk(haystack.includes("ops-pass"));
});

/**
 * The management plane against a real Mosquitto (integration: what only a real broker, a real network or a
 * real process shows). The plane's own logic is tested on the in-repo fake broker (mqtt.*.test.ts); these
 * skip without Mosquitto: a broker restart with persistence during an alarm storm (in-flight QoS 1 on real
 * sockets, a consumer's persistent session), the Will when a process is killed (the kernel closes its
 * socket), and TLS.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { nodeTopics } from "../../src/mgmt/topics.js";
import { NodeFlashFs } from "../../src/store/flashFs.js";
import { HANG_MS, waitFor } from "../helpers/wait.js";
import { json, makeCertificates, needMosquitto, needOpenssl, TestBroker, Watcher } from "./helpers/broker.js";
import { checkBirth, checkStormStream, checkWill, stormAcrossOutage } from "./helpers/checks.js";
import { alarmEventOf } from "./helpers/payloads.js";
import { NODE, SITE, startPlane } from "./helpers/service.js";

const T = nodeTopics(SITE, NODE);
const FAST = {
    "phone.push-unreachable": { raiseDelayMs: 0, clearDelayMs: 0, flapDetection: false },
    "mqtt.broker-lost": { raiseDelayMs: 0 },
};
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

t.test("a broker restart during an alarm storm: every event once, in order", { skip: needMosquitto() }, async (t) => {
    const broker = await TestBroker.start({ persistence: true });
    t.teardown(() => broker.destroy());
    const dir = mkdtempSync(join(tmpdir(), "cbk-mgmt-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    // A consumer with a persistent session, so the broker keeps its queue across the restart.
    const consumer = await Watcher.connect(broker.url, [T.alarmsEvents], {
        clientId: "storm-consumer",
        clean: false,
        reconnectPeriod: 50,
        properties: { sessionExpiryInterval: 300 },
    });
    t.teardown(() => consumer.close());
    const plane = await startPlane(broker.url, {
        alarms: { policies: FAST },
        flash: new NodeFlashFs(dir),
        inflightWindow: 16,
    });
    const last = await stormAcrossOutage(t, plane.mgmt, () => broker.restart(250));
    await waitFor(
        () => new Set(consumer.on(T.alarmsEvents).map((m) => alarmEventOf(m.payload).seq)).size >= last,
        "every event at the consumer",
    );
    checkStormStream(
        t,
        consumer.on(T.alarmsEvents).map((m) => m.payload),
        last,
        plane.mgmt.alarms,
    );
    await plane.mgmt.stop();
});

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
    checkBirth(t, birth);
    first.child.kill("SIGKILL");
    const death = await w.next((m) => json(m).online === false);
    checkWill(t, death);

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

t.test("TLS with a CA and a client certificate", { skip: needMosquitto() || needOpenssl() }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "cbk-tls-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const pem = makeCertificates(dir);
    const other = makeCertificates(dir, "other-");
    const broker = await TestBroker.start({
        tls: { cafile: pem.ca, certfile: pem.serverCert, keyfile: pem.serverKey },
    });
    t.teardown(() => broker.destroy());
    t.match(broker.url, /^mqtts:/);
    const tls = {
        ca: readFileSync(pem.ca),
        cert: readFileSync(pem.clientCert, "utf8"),
        key: readFileSync(pem.clientKey, "utf8"),
    };
    const plane = await startPlane(broker.url, {
        broker: { url: broker.url, tls: { ...tls, servername: "127.0.0.1" } },
    });
    t.teardown(() => plane.mgmt.stop());
    const w = await Watcher.connect(broker.url, [T.response("status")], { ca: tls.ca, cert: tls.cert, key: tls.key });
    t.teardown(() => w.close());
    await w.client.publishAsync(T.command("status"), JSON.stringify({ id: "tls" }), { qos: 1 });
    t.match(json(await w.next(() => true)), { id: "tls", status: "ok" });

    const wrongCa = await startPlane(broker.url, {
        broker: { url: broker.url, tls: { ...tls, ca: readFileSync(other.ca, "utf8") } },
        wait: false,
    });
    await t.rejects(wrongCa.mgmt.waitConnected(800), "a server not signed by the configured CA is refused");
    await wrongCa.mgmt.stop();
    const noCert = await startPlane(broker.url, { broker: { url: broker.url, tls: { ca: tls.ca } }, wait: false });
    await t.rejects(noCert.mgmt.waitConnected(800), "the broker refuses a client without a certificate");
    await noCert.mgmt.stop();
});

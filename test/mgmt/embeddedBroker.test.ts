import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";
import t from "tap";
import { startEmbeddedBroker } from "../../src/mgmt/embeddedBroker.js";
import { nodeTopics } from "../../src/mgmt/topics.js";
import { HANG_MS } from "../helpers/wait.js";
import { json, needClients, Watcher } from "./helpers/broker.js";
import { NODE, SITE, startPlane } from "./helpers/service.js";

const T = nodeTopics(SITE, NODE);

t.test("the demo's in-process broker carries the management plane over MQTT 3.1.1", async (t) => {
    const broker = await startEmbeddedBroker({ port: 0 });
    t.teardown(() => broker.close());
    t.match(broker.url, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
    t.equal(broker.protocolVersion, 4);
    const plane = await startPlane(broker.url, {
        broker: { url: broker.url, protocolVersion: broker.protocolVersion },
    });
    t.teardown(() => plane.mgmt.stop());
    const w = await Watcher.connect(broker.url, [`${T.base}/#`], { protocolVersion: 4 });
    t.teardown(() => w.close());
    t.match(json(await w.next((m) => m.topic === T.status)), { online: true, session: 1 });
    await w.client.publishAsync(T.command("status"), JSON.stringify({ id: "e1" }), { qos: 1 });
    t.match(json(await w.next((m) => m.topic === T.response("status"))), {
        id: "e1",
        status: "ok",
        data: { protocolVersion: 4 },
    });
    plane.mgmt.alarms.raise("service.failure");
    await w.next((m) => m.topic === T.alarmsEvents);
    t.ok(await plane.mgmt.drained(HANG_MS));
});

t.test("a user can watch it with mosquitto_sub", { skip: needClients() }, async (t) => {
    const broker = await startEmbeddedBroker({ port: 0, host: "127.0.0.1" });
    t.teardown(() => broker.close());
    const plane = await startPlane(broker.url, { broker: { url: broker.url, protocolVersion: 4 } });
    t.teardown(() => plane.mgmt.stop());
    // asynchronously: the broker lives in this process's event loop
    const r = await promisify(execFile)("mosquitto_sub", [
        "-h",
        "127.0.0.1",
        "-p",
        String(broker.port),
        "-t",
        T.status,
        "-C",
        "1",
        "-W",
        "5",
    ]);
    t.match(r.stdout, /"online":true/);
});

t.test("a port in use is an error; close is idempotent", async (t) => {
    const a = await startEmbeddedBroker({ port: 0 });
    await t.rejects(startEmbeddedBroker({ port: a.port }), { code: "EADDRINUSE" });
    await a.close();
    await a.close();
});

/** Skip reason when this host has no IPv6 loopback (a container without IPv6), probed with a plain socket. */
async function needIpv6Loopback(): Promise<string | false> {
    const server = createServer();
    return new Promise((resolve) => {
        server.once("error", (err: NodeJS.ErrnoException) =>
            resolve(`needs an IPv6 loopback address (::1): ${err.code ?? err.message}`),
        );
        server.listen(0, "::1", () => server.close(() => resolve(false)));
    });
}

t.test("an IPv6 loopback address is bracketed in the URL", { skip: await needIpv6Loopback() }, async (t) => {
    // ::1 works here (probed above): any error of the broker is a failure, not a reason to pass
    const b = await startEmbeddedBroker({ port: 0, host: "::1" });
    t.teardown(() => b.close());
    t.match(b.url, /^mqtt:\/\/\[::1\]:\d+$/);
    const w = await Watcher.connect(b.url, [], { protocolVersion: b.protocolVersion });
    await w.close();
    t.pass("a client connects to it over ::1");
});

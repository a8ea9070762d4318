/**
 * The redundancy link against a real Mosquitto (integration; skipped without it): a box whose socket is
 * destroyed (as kill -9 does) is replaced on its Will, and a real broker restart (Mosquitto sends every
 * client's Will as it shuts down) changes no role. The link's logic is tested on the fake broker with a fake
 * clock in manager.test.ts.
 */
import t from "tap";
import { configureLogging } from "../../src/logging/logger.js";
import { MqttJsLink } from "../../src/mqtt/mqttJs.js";
import type { RedundancyManager } from "../../src/redundancy/manager.js";
import { waitFor } from "../helpers/wait.js";
import { needMosquitto, TestBroker, Watcher } from "../mgmt/helpers/broker.js";
import { box, SITE } from "./helpers/box.js";

configureLogging({ level: "silent" });
const skip = needMosquitto();

const until = (cond: () => boolean, what: string) => waitFor(cond, what);

t.test("a box whose connection drops is replaced (Will), and comes back as standby", { skip }, async (t) => {
    const broker = await TestBroker.start();
    t.teardown(() => broker.destroy());
    const a = box(broker, "cbk-a", "10.0.0.1");
    await until(() => a.fake.role === "active", "a active");
    const b = box(broker, "cbk-b", "10.0.0.2");
    t.teardown(() => b.mgr.stop());
    a.fake.state = "s1";
    await a.mgr.replicate();
    await until(() => b.fake.state === "s1", "b synced");
    // the broker sees a's socket close without a DISCONNECT: it publishes a's Will
    const watcher = await Watcher.connect(broker.url, [`callbackd/v1/${SITE}/redundancy/members/cbk-a`]);
    t.teardown(() => watcher.close());
    // destroy the socket under the client, as kill -9 would
    killConnection(a.mgr);
    await until(() => b.fake.role === "active", "b takes over after a's Will");
    const will = await watcher.next((m) => m.text.includes('"online":false'));
    t.match(will.text, /"clean":false/, "the Will, not a clean departure");
    await a.mgr.stop();
});

t.test("broker restart: roles kept, no flapping; without the broker a standby never promotes", { skip }, async (t) => {
    const broker = await TestBroker.start();
    t.teardown(() => broker.destroy());
    const a = box(broker, "cbk-a", "10.0.0.1");
    await until(() => a.fake.role === "active", "a active");
    const b = box(broker, "cbk-b", "10.0.0.2");
    t.teardown(() => Promise.all([a.mgr.stop(), b.mgr.stop()]));
    await until(() => b.mgr.status().active === "cbk-a", "b sees a");
    const before = [a.fake.changes.length, b.fake.changes.length];

    await broker.restart(300);
    await until(() => a.mgr.status().connected && b.mgr.status().connected, "both reconnected");
    await new Promise((r) => setTimeout(r, 1200));
    t.same([a.fake.changes.length, b.fake.changes.length], before, "no role change across a broker restart");
    t.equal(b.mgr.status().active, "cbk-a");

    await broker.stop();
    await until(() => !b.mgr.status().connected, "b disconnected");
    await new Promise((r) => setTimeout(r, 1200));
    t.equal(b.fake.role, "standby", "b never promotes without the broker");
    t.equal(a.fake.role, "active", "a keeps its role");
    t.equal(b.mgr.status().splitBrain, false);
});

/** Destroys the manager's socket without a DISCONNECT and stops it reconnecting (what kill -9 does). */
function killConnection(mgr: RedundancyManager): void {
    const c = mgr.connection;
    if (!(c instanceof MqttJsLink)) throw new Error("not an mqtt.js connection");
    c.client.options.reconnectPeriod = 0;
    c.client.stream.destroy();
}

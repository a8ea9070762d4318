/**
 * The redundancy link with a real Mosquitto and in-process boxes whose service is a small fake: election,
 * replication, handback at a safe point, failover on departure and on a dropped connection, split brain,
 * and a broker restart without role flapping.
 */
import t from "tap";
import { configureLogging } from "../../src/logging/logger.js";
import { MemoryLogger } from "../../src/logging/memory.js";
import { MqttJsLink } from "../../src/mqtt/mqttJs.js";
import type { Role } from "../../src/redundancy/election.js";
import { RedundancyManager, type RedundantService } from "../../src/redundancy/manager.js";
import { waitFor } from "../helpers/wait.js";
import { needMosquitto, TestBroker, Watcher } from "../mgmt/helpers/broker.js";

configureLogging({ level: "silent" });
const skip = needMosquitto();
const SITE = "branch1";

/** A service that records what the manager asks of it. */
class FakeBox implements RedundantService {
    role: Role = "standby";
    state = "";
    safe = true;
    readonly changes: string[] = [];
    readonly applied: string[] = [];
    setRole(role: Role, reason: string): void {
        this.role = role;
        this.changes.push(`${role}: ${reason}`);
    }
    replicaPayload(): Uint8Array {
        return Buffer.from(this.state);
    }
    applyReplica(format: number, payload: Uint8Array): void {
        if (format !== 2) throw new Error("format");
        this.state = Buffer.from(payload).toString();
        this.applied.push(this.state);
    }
    atSafePoint(): boolean {
        return this.safe;
    }
    knowledge = "";
    readonly knowledgeApplied: string[] = [];
    knowledgePayload(): Uint8Array {
        return Buffer.from(this.knowledge);
    }
    applyKnowledge(payload: Uint8Array): void {
        this.knowledgeApplied.push(Buffer.from(payload).toString());
    }
}

interface Box {
    fake: FakeBox;
    mgr: RedundancyManager;
    alarms: string[];
    log: MemoryLogger;
}

function box(
    broker: TestBroker,
    node: string,
    address: string,
    extra: { priority?: number; settleMs?: number; staleAfterMs?: number } = {},
): Box {
    const fake = new FakeBox();
    const alarms: string[] = [];
    const log = new MemoryLogger({ level: "debug" });
    const mgr = new RedundancyManager({
        site: SITE,
        node,
        address,
        priority: extra.priority ?? 100,
        heartbeatMs: 100,
        staleAfterMs: extra.staleAfterMs ?? 600,
        settleMs: extra.settleMs ?? 250,
        url: `http://${address}:8080`,
        broker: { url: broker.url },
        service: fake,
        onAlarm: (id, action, details) => alarms.push(`${action} ${id}: ${details}`),
        logger: log,
    });
    mgr.start();
    return { fake, mgr, alarms, log };
}

const until = (cond: () => boolean, what: string) => waitFor(cond, what);

t.test("election, replication, handback and failover", { skip }, async (t) => {
    const broker = await TestBroker.start();
    t.teardown(() => broker.destroy());
    // Peers go stale only after a minute here: whatever happens below within the test's deadlines is the
    // work of announcements and departures, never of the stale timer (so no wall-clock bound is needed).
    const patient = { staleAfterMs: 60_000 };
    const b = box(broker, "cbk-b", "10.0.0.2", patient);
    t.teardown(() => b.mgr.stop());
    await until(() => b.fake.role === "active", "b alone becomes active");
    t.match(b.fake.changes, [/active: no active box/]);
    t.match(b.alarms, [/raise redundancy.role-change: cbk-b: standby → active/]);
    b.fake.state = "requests-v1";
    const seq0 = b.mgr.status().seq;
    await b.mgr.replicate();
    t.ok(b.mgr.status().seq > seq0, "state published with a higher seq");

    // a lower address joins: it takes the state, then b hands over at a safe point
    b.fake.safe = false;
    const a = box(broker, "cbk-a", "10.0.0.1", patient);
    t.teardown(() => a.mgr.stop());
    await until(() => a.fake.applied.includes("requests-v1"), "a holds b's state");
    await new Promise((r) => setTimeout(r, 400));
    t.equal(b.fake.role, "active", "no handover while b is not at a safe point");
    t.equal(a.fake.role, "standby");
    b.fake.state = "requests-v2";
    await b.mgr.replicate();
    b.fake.safe = true;
    await until(() => a.fake.role === "active" && b.fake.role === "standby", "handback to a");
    t.equal(a.fake.state, "requests-v2", "a took over with b's last state");
    t.match(b.fake.changes.at(-1), /standby: cbk-a comes first and holds the state/);
    t.equal(a.mgr.status().term, 2, "a new term");
    // a's announcement as the active box reaches b after a changed its role
    await until(() => b.mgr.status().active === "cbk-a", "b to see a as active");
    t.equal(b.mgr.status().active, "cbk-a", "b sees a as active");

    // a replicates to b
    a.fake.state = "requests-v3";
    await a.mgr.replicate();
    await until(() => b.fake.state === "requests-v3", "b holds a's state");

    // a leaves cleanly: b takes over on the departure itself, not when a's announcement goes stale (a
    // minute here, far beyond the wait's deadline)
    b.log.clear();
    await a.mgr.stop();
    await until(() => b.fake.role === "active", "b takes over");
    const seen = b.log
        .messages()
        .filter((m) => m === "peer left" || m.startsWith("peer ") || m === "redundancy role changed");
    t.same(seen, ["peer left", "redundancy role changed"], "a's clean departure, then b's promotion");
    t.match(b.fake.changes.at(-1), /active: no active box/);
    t.equal(b.mgr.status().term, 3);
});

t.test(
    "knowledge: the active box publishes it (retained), a standby that joins later takes it",
    { skip },
    async (t) => {
        const broker = await TestBroker.start();
        t.teardown(() => broker.destroy());
        const a = box(broker, "cbk-a", "10.0.0.1");
        t.teardown(() => a.mgr.stop());
        await until(() => a.fake.role === "active", "a active");
        a.fake.knowledge = "phones-v1";
        a.mgr.replicateKnowledge();
        await until(() => a.mgr.status().stats.knowledgePublished >= 1, "published");
        // a standby joining later gets the retained knowledge
        const b = box(broker, "cbk-b", "10.0.0.2");
        t.teardown(() => b.mgr.stop());
        await until(() => b.fake.knowledgeApplied.includes("phones-v1"), "b takes a's knowledge");
        a.fake.knowledge = "phones-v2";
        a.mgr.replicateKnowledge();
        await until(() => b.fake.knowledgeApplied.includes("phones-v2"), "and every later one");
        t.equal(b.mgr.status().stats.knowledgeApplied, b.fake.knowledgeApplied.length);
        // a standby publishes nothing, and the active box does not take knowledge
        b.fake.knowledge = "from-b";
        b.mgr.replicateKnowledge();
        await new Promise((r) => setTimeout(r, 200));
        t.notOk(a.fake.knowledgeApplied.includes("from-b"));
        t.equal(b.mgr.status().stats.knowledgePublished, 0);
    },
);

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

t.test("two actives resolve to the first in the ordering, with an alarm", { skip }, async (t) => {
    const broker = await TestBroker.start();
    t.teardown(() => broker.destroy());
    const a = box(broker, "cbk-a", "10.0.0.1", { settleMs: 300 });
    const b = box(broker, "cbk-b", "10.0.0.2", { settleMs: 300 });
    t.teardown(() => Promise.all([a.mgr.stop(), b.mgr.stop()]));
    // both claim the role before the election ran (e.g. each started alone during a partition)
    a.fake.role = "active";
    b.fake.role = "active";
    await until(() => b.fake.role === "standby", "b steps down");
    t.equal(a.fake.role, "active", "a stays");
    t.match(b.fake.changes, [/standby: two actives: cbk-a comes first/]);
    await until(() => a.alarms.some((x) => x.startsWith("clear redundancy.split-brain")), "split brain cleared on a");
    t.ok(
        a.alarms.some((x) => x.startsWith("raise redundancy.split-brain")),
        "raised while both were active",
    );
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

t.test("malformed messages on the redundancy topics are refused and change nothing", { skip }, async (t) => {
    const broker = await TestBroker.start();
    t.teardown(() => broker.destroy());
    const a = box(broker, "cbk-a", "10.0.0.1");
    t.teardown(() => a.mgr.stop());
    await until(() => a.fake.role === "active", "a active");
    const w = await Watcher.connect(broker.url, []);
    t.teardown(() => w.close());
    const base = `callbackd/v1/${SITE}/redundancy/`;
    await w.client.publishAsync(`${base}members/evil`, "not json", { qos: 1 });
    await w.client.publishAsync(`${base}members/evil`, JSON.stringify({ v: 1, node: "other", online: true }), {
        qos: 1,
    });
    await w.client.publishAsync(`${base}state`, "garbage without header", { qos: 1 });
    await until(() => a.mgr.status().stats.refused === 3, "three refused");
    t.equal(a.fake.role, "active");
    t.same(a.mgr.status().members, [], "no member added");
});

/** Destroys the manager's socket without a DISCONNECT and stops it reconnecting (what kill -9 does). */
function killConnection(mgr: RedundancyManager): void {
    const c = mgr.connection;
    if (!(c instanceof MqttJsLink)) throw new Error("not an mqtt.js connection");
    c.client.options.reconnectPeriod = 0;
    c.client.stream.destroy();
}

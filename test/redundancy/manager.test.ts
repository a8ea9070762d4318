/**
 * The redundancy link on the in-repo fake broker with a fake clock, with in-process boxes whose service is a
 * small fake: election, replication, handback at a safe point, failover on departure and on a dropped
 * connection, split brain, and a broker restart without role flapping. Time moves only when the test says
 * so, and failovers are asserted on what happened in which order, never on how long it took. The same link
 * against a real Mosquitto: manager.mosquitto.test.ts.
 */
import t from "tap";
import { configureLogging } from "../../src/logging/logger.js";
import { FakeBroker } from "../../src/mqtt/fakeBroker.js";
import { FakeClock } from "../../src/util/fakeClock.js";
import { Watcher } from "../mgmt/helpers/broker.js";
import { type Box, box, linkId, SITE } from "./helpers/box.js";

configureLogging({ level: "silent" });

/** A fake broker and clock, and the boxes' way to them. */
function site() {
    const clock = new FakeClock(1_000_000);
    const broker = new FakeBroker({ clock });
    const at = { url: broker.url, connector: broker.connector, clock };
    /** Moves the fake time on in small steps until `cond` holds; fails after `maxMs` of it. */
    const until = async (cond: () => boolean, what: string, maxMs = 10_000): Promise<void> => {
        for (let spent = 0; !cond(); spent += 25) {
            if (spent >= maxMs) throw new Error(`not within ${maxMs} ms of fake time: ${what}`);
            await clock.advance(25);
        }
    };
    return { clock, broker, at, until };
}

/** What a box logged about its peers and its role, in order. */
const story = (b: Box): string[] =>
    b.log.messages().filter((m) => m.startsWith("peer ") || m === "redundancy role changed");

t.test("election, replication, handback and failover", async (t) => {
    const { clock, at, until } = site();
    // Peers go stale only after a minute here, and every wait below gives up after ten seconds of fake time:
    // whatever happens is the work of announcements and departures, never of the stale timer.
    const patient = { staleAfterMs: 60_000 };
    const b = box(at, "cbk-b", "10.0.0.2", patient);
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
    const a = box(at, "cbk-a", "10.0.0.1", patient);
    t.teardown(() => a.mgr.stop());
    await until(() => a.fake.applied.includes("requests-v1"), "a holds b's state");
    await clock.advance(2000);
    t.equal(b.fake.role, "active", "no handover while b is not at a safe point");
    t.equal(a.fake.role, "standby");
    b.fake.state = "requests-v2";
    await b.mgr.replicate();
    b.fake.safe = true;
    await until(() => a.fake.role === "active" && b.fake.role === "standby", "handback to a");
    t.equal(a.fake.state, "requests-v2", "a took over with b's last state");
    t.match(b.fake.changes.at(-1), /standby: cbk-a comes first and holds the state/);
    t.equal(a.mgr.status().term, 2, "a new term");
    await until(() => b.mgr.status().active === "cbk-a", "b to see a as active");

    // a replicates to b
    a.fake.state = "requests-v3";
    await a.mgr.replicate();
    await until(() => b.fake.state === "requests-v3", "b holds a's state");

    // a leaves cleanly: b takes over on the departure itself
    b.log.clear();
    await a.mgr.stop();
    await until(() => b.fake.role === "active", "b takes over");
    t.same(story(b), ["peer left", "redundancy role changed"], "a's clean departure, then b's promotion");
    t.match(b.fake.changes.at(-1), /active: no active box/);
    t.equal(b.mgr.status().term, 3);
});

t.test("knowledge: the active box publishes it (retained), a standby that joins later takes it", async (t) => {
    const { clock, broker, at, until } = site();
    const a = box(at, "cbk-a", "10.0.0.1");
    t.teardown(() => a.mgr.stop());
    await until(() => a.fake.role === "active", "a active");
    a.fake.knowledge = "phones-v1";
    a.mgr.replicateKnowledge();
    await until(() => a.mgr.status().stats.knowledgePublished >= 1, "published");
    t.equal(broker.retained(`callbackd/v1/${SITE}/redundancy/knowledge`)?.toString(), "phones-v1", "retained");
    // a standby joining later gets the retained knowledge
    const b = box(at, "cbk-b", "10.0.0.2");
    t.teardown(() => b.mgr.stop());
    await until(() => b.fake.knowledgeApplied.includes("phones-v1"), "b takes a's knowledge");
    a.fake.knowledge = "phones-v2";
    a.mgr.replicateKnowledge();
    await until(() => b.fake.knowledgeApplied.includes("phones-v2"), "and every later one");
    t.equal(b.mgr.status().stats.knowledgeApplied, b.fake.knowledgeApplied.length);
    // a standby publishes nothing, and the active box does not take knowledge
    b.fake.knowledge = "from-b";
    b.mgr.replicateKnowledge();
    await clock.advance(200);
    t.notOk(a.fake.knowledgeApplied.includes("from-b"));
    t.equal(b.mgr.status().stats.knowledgePublished, 0);
});

t.test("a box whose connection drops is replaced (Will), and comes back as standby", async (t) => {
    const { broker, at, until } = site();
    const a = box(at, "cbk-a", "10.0.0.1");
    await until(() => a.fake.role === "active", "a active");
    const b = box(at, "cbk-b", "10.0.0.2", { staleAfterMs: 60_000 });
    t.teardown(() => b.mgr.stop());
    a.fake.state = "s1";
    await a.mgr.replicate();
    await until(() => b.fake.state === "s1", "b synced");
    const watcher = await Watcher.connect(
        broker.url,
        [`callbackd/v1/${SITE}/redundancy/members/cbk-a`],
        {},
        broker.connector,
    );
    t.teardown(() => watcher.close());
    // a's process dies: the broker sees its connection end without a DISCONNECT and publishes its Will
    b.log.clear();
    broker.kill(linkId("cbk-a"));
    await until(() => b.fake.role === "active", "b takes over after a's Will");
    t.same(story(b), ["peer lost (its Will)", "redundancy role changed"], "a's Will, then b's promotion");
    const will = await watcher.next((m) => m.text.includes('"online":false'));
    t.match(will.text, /"clean":false/, "the Will, not a clean departure");
    await a.mgr.stop();

    // a restarts: b is active and holds the newest state, so a stays standby
    b.fake.state = "s2";
    await b.mgr.replicate();
    const again = box(at, "cbk-a", "10.0.0.1");
    t.teardown(() => again.mgr.stop());
    await until(() => again.fake.applied.includes("s2"), "the new a takes b's state");
    t.equal(again.fake.role, "standby", "and comes back as standby");
});

t.test("a Will is believed only if this box's own link survives the grace period", async (t) => {
    const { clock, broker, at, until } = site();
    const a = box(at, "cbk-a", "10.0.0.1", { staleAfterMs: 60_000 });
    await until(() => a.fake.role === "active", "a active");
    const b = box(at, "cbk-b", "10.0.0.2", { staleAfterMs: 60_000 });
    t.teardown(() => Promise.all([a.mgr.stop(), b.mgr.stop()]));
    await until(() => b.mgr.status().active === "cbk-a", "b sees a");
    // a broker shutting down sends every Will, then closes every connection (as Mosquitto does)
    b.log.clear();
    await broker.stop();
    await clock.advance(1000);
    broker.start();
    await until(() => a.mgr.status().connected && b.mgr.status().connected, "both reconnected");
    await clock.advance(2000);
    t.same(story(b), [], "a's Will was not believed: b's own link went down with it");
    t.equal(b.fake.role, "standby");
    t.equal(a.fake.role, "active");
});

t.test("two actives resolve to the first in the ordering, with an alarm", async (t) => {
    const { at, until } = site();
    const a = box(at, "cbk-a", "10.0.0.1", { settleMs: 300 });
    const b = box(at, "cbk-b", "10.0.0.2", { settleMs: 300 });
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

t.test("broker restart: roles kept, no flapping; without the broker a standby never promotes", async (t) => {
    const { clock, broker, at, until } = site();
    const a = box(at, "cbk-a", "10.0.0.1");
    await until(() => a.fake.role === "active", "a active");
    const b = box(at, "cbk-b", "10.0.0.2");
    t.teardown(() => Promise.all([a.mgr.stop(), b.mgr.stop()]));
    await until(() => b.mgr.status().active === "cbk-a", "b sees a");
    const before = [a.fake.changes.length, b.fake.changes.length];

    await broker.stop();
    await clock.advance(300);
    broker.start();
    await until(() => a.mgr.status().connected && b.mgr.status().connected, "both reconnected");
    await clock.advance(1200);
    t.same([a.fake.changes.length, b.fake.changes.length], before, "no role change across a broker restart");
    t.equal(b.mgr.status().active, "cbk-a");

    await broker.stop();
    t.notOk(b.mgr.status().connected, "b disconnected");
    // far beyond the stale time: a box that cannot reach the broker knows nothing, and never promotes
    await clock.advance(5000);
    t.equal(b.fake.role, "standby", "b never promotes without the broker");
    t.equal(a.fake.role, "active", "a keeps its role");
    t.equal(b.mgr.status().splitBrain, false);
});

t.test("malformed messages on the redundancy topics are refused and change nothing", async (t) => {
    const { broker, at, until } = site();
    const a = box(at, "cbk-a", "10.0.0.1");
    t.teardown(() => a.mgr.stop());
    await until(() => a.fake.role === "active", "a active");
    const w = await Watcher.connect(broker.url, [], {}, broker.connector);
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

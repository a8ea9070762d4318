/** The in-repo fake broker: the MQTT semantics the management plane and the redundancy link rely on. */
import t from "tap";
import { FakeBroker, topicMatches } from "../../src/mqtt/fakeBroker.js";
import type { LinkOptions, MqttLink, ReceivedPacket } from "../../src/mqtt/link.js";
import { FakeClock, settle } from "../../src/util/fakeClock.js";

interface Got {
    topic: string;
    text: string;
    packet: ReceivedPacket;
}

/** A link with its events and messages recorded. */
function client(broker: FakeBroker, options: LinkOptions = {}) {
    const link: MqttLink = broker.connector(broker.url, { protocolVersion: 5, reconnectPeriod: 100, ...options });
    const events: string[] = [];
    const got: Got[] = [];
    const errors: Error[] = [];
    for (const e of ["connect", "reconnect", "close", "offline"] as const) link.on(e, () => events.push(e));
    link.on("error", (err) => errors.push(err));
    link.on("message", (topic, payload, packet) => got.push({ topic, text: payload.toString(), packet }));
    return { link, events, got, errors };
}

t.test("topic filters: + one level, # this level and below, $-topics not by a leading wildcard", async (t) => {
    const cases: Array<[string, string, boolean]> = [
        ["a/b/c", "a/b/c", true],
        ["a/b/c", "a/b", false],
        ["a/+/c", "a/b/c", true],
        ["a/+/c", "a/b/d", false],
        ["a/+", "a/b/c", false],
        ["a/#", "a/b/c", true],
        ["a/#", "a", true],
        ["#", "a/b", true],
        ["+/+", "a/b", true],
        ["+", "$SYS", false],
        ["#", "$SYS/x", false],
        ["$SYS/#", "$SYS/x", true],
        ["a/b/#", "a/c", false],
    ];
    for (const [filter, topic, want] of cases) t.equal(topicMatches(filter, topic), want, `${filter} ~ ${topic}`);
});

t.test("publish and subscribe, retained messages, their clearing and expiry", async (t) => {
    const clock = new FakeClock(1_000_000);
    const broker = new FakeBroker({ clock });
    const pub = client(broker, { clientId: "pub" });
    await settle();
    t.ok(pub.link.connected);
    t.same(pub.events, ["connect"]);
    await pub.link.publishAsync("s/a/status", "A", { qos: 1, retain: true });
    await pub.link.publishAsync("s/b/status", "B", { qos: 1, retain: true, properties: { contentType: "text/plain" } });
    await pub.link.publishAsync("s/c/status", "C", { qos: 1, retain: true, properties: { messageExpiryInterval: 10 } });
    t.equal(broker.retained("s/a/status")?.toString(), "A");

    const sub = client(broker, { clientId: "sub" });
    await settle();
    await clock.advance(4000);
    await sub.link.subscribeAsync({ "s/+/status": { qos: 1 } });
    await settle();
    t.same(
        sub.got.map((m) => [m.topic, m.text, m.packet.retain]),
        [
            ["s/a/status", "A", true],
            ["s/b/status", "B", true],
            ["s/c/status", "C", true],
        ],
        "retained messages on subscription, flagged",
    );
    t.equal(sub.got[1]?.packet.properties?.contentType, "text/plain");
    t.equal(sub.got[2]?.packet.properties?.messageExpiryInterval, 6, "expiry counts down");
    await clock.advance(7000);
    t.equal(broker.retained("s/c/status"), undefined, "an expired retained message is gone");

    // live: the retain flag only with rap; an empty retained payload clears and is passed on
    await sub.link.subscribeAsync({ "s/rap/#": { qos: 1, rap: true } });
    sub.got.length = 0;
    await pub.link.publishAsync("s/a/status", "A2", { qos: 1, retain: true });
    await pub.link.publishAsync("s/rap/x", "R", { qos: 1, retain: true });
    await pub.link.publishAsync("s/a/status", "", { qos: 1, retain: true });
    await pub.link.publishAsync("other", "O", { qos: 0 });
    await settle();
    t.same(
        sub.got.map((m) => [m.topic, m.text, m.packet.retain]),
        [
            ["s/a/status", "A2", false],
            ["s/rap/x", "R", true],
            ["s/a/status", "", false],
        ],
    );
    t.equal(broker.retained("s/a/status"), undefined, "cleared");
    await sub.link.unsubscribeAsync(["s/+/status"]);
    await pub.link.publishAsync("s/b/status", "B2", { qos: 1 });
    await settle();
    t.equal(sub.got.length, 3, "nothing after unsubscribing");
    t.same(
        broker.publications.map((p) => p.topic).slice(0, 3),
        ["s/a/status", "s/b/status", "s/c/status"],
        "the broker's own record, in order",
    );
    await Promise.all([pub.link.endAsync(), sub.link.endAsync()]);
});

t.test("MQTT 5 properties pass through; MQTT 3.1.1 clients send and see none", async (t) => {
    const broker = new FakeBroker();
    const v5 = client(broker, { clientId: "v5" });
    const v4 = client(broker, { clientId: "v4", protocolVersion: 4 });
    await settle();
    await v5.link.subscribeAsync({ "q/#": { qos: 1 } });
    await v4.link.subscribeAsync({ "q/#": { qos: 1, rap: true } });
    const properties = {
        responseTopic: "r/1",
        correlationData: Buffer.from("c1"),
        contentType: "application/json",
        messageExpiryInterval: 30,
        payloadFormatIndicator: true,
        userProperties: { status: "ok" },
    };
    await v5.link.publishAsync("q/1", "x", { qos: 1, retain: true, properties });
    await v4.link.publishAsync("q/2", "y", { qos: 1, properties: { responseTopic: "r/2" } });
    await settle();
    t.same(v5.got[0]?.packet.properties, properties, "every property as sent");
    t.equal(v5.got[1]?.packet.properties, undefined, "an MQTT 3.1.1 publisher sends none");
    t.same(
        v4.got.map((m) => [m.topic, m.packet.retain, m.packet.properties]),
        [
            ["q/1", false, undefined],
            ["q/2", false, undefined],
        ],
        "an MQTT 3.1.1 subscriber gets none, and no retain flag on live messages",
    );
    t.equal(v4.got[0]?.packet.qos, 1);
    await Promise.all([v5.link.endAsync(), v4.link.endAsync()]);
});

t.test("the Will: on a drop or a kill, not on a clean end; delayed and cancelled by a reconnect", async (t) => {
    const clock = new FakeClock();
    const broker = new FakeBroker({ clock });
    const watch = client(broker, { clientId: "w" });
    await settle();
    await watch.link.subscribeAsync({ "will/#": { qos: 1, rap: true } });
    const will = (n: string, delay?: number) => ({
        topic: `will/${n}`,
        payload: `gone ${n}`,
        qos: 1 as const,
        retain: true,
        properties: { contentType: "text/plain", ...(delay === undefined ? {} : { willDelayInterval: delay }) },
    });
    const a = client(broker, { clientId: "a", will: will("a") });
    const b = client(broker, { clientId: "b", will: will("b") });
    const c = client(broker, { clientId: "c", will: will("c", 5) });
    await settle();
    t.same(broker.clients.sort(), ["a", "b", "c", "w"]);

    await b.link.endAsync();
    broker.drop("a");
    await settle();
    t.same(
        watch.got.map((m) => [m.topic, m.text, m.packet.retain]),
        [["will/a", "gone a", true]],
        "a's Will, none for b",
    );
    t.same(watch.got[0]?.packet.properties, { contentType: "text/plain" }, "the will delay is not passed on");
    t.same(a.events, ["connect", "offline", "close"]);
    await clock.advance(100);
    t.same(a.events, ["connect", "offline", "close", "reconnect", "connect"], "a reconnects after its period");

    // c's Will waits 5 s: a reconnect within it publishes none
    broker.drop("c");
    await clock.advance(2000);
    t.ok(c.link.connected, "c is back");
    await clock.advance(10_000);
    t.equal(watch.got.length, 1, "no Will for c");
    // the Will is fixed at connect: a new one (the management plane's session number) counts from the next
    c.link.setWill(will("c2", 5));
    broker.drop("c");
    await clock.advance(100);
    t.ok(c.link.connected, "c reconnected within its delay");
    broker.kill("c");
    await clock.advance(4000);
    t.equal(watch.got.length, 1, "not before the delay");
    await clock.advance(1000);
    t.same(
        watch.got.map((m) => m.topic),
        ["will/a", "will/c2"],
        "then the Will of the last connection",
    );
    await clock.advance(10_000);
    t.notOk(c.link.connected, "a killed client never reconnects");
    t.same(c.events.slice(-1), ["close"]);
    t.equal(broker.publications.filter((p) => p.will).length, 2);
    t.throws(() => broker.drop("nobody"), /no client nobody/);
});

t.test("the broker goes away and comes back: offline and close, reconnect per period, queues", async (t) => {
    const clock = new FakeClock();
    const broker = new FakeBroker({ clock });
    const watch = client(broker, { clientId: "w", reconnectPeriod: 50 });
    const a = client(broker, {
        clientId: "a",
        will: { topic: "st/a", payload: "dead", qos: 1, retain: true },
        resubscribe: false,
    });
    await settle();
    await watch.link.subscribeAsync({ "st/#": { qos: 1 } });
    await a.link.subscribeAsync({ "st/#": { qos: 1 } });
    await a.link.publishAsync("st/keep", "k", { qos: 1, retain: true });
    await settle();
    await broker.stop();
    t.notOk(broker.up);
    t.same(
        watch.got.map((m) => m.topic),
        ["st/keep", "st/a"],
        "like Mosquitto, a shutting-down broker sends every Will first",
    );
    t.same(a.events, ["connect", "offline", "close"]);
    t.equal(broker.retained("st/keep"), undefined, "without persistence the retained messages are gone");

    // offline: QoS 0 refused, QoS 1 and subscriptions wait
    await t.rejects(a.link.publishAsync("st/q0", "0", { qos: 0 }), /No connection/);
    const q1 = a.link.publishAsync("st/q1", "1", { qos: 1 });
    await clock.advance(250);
    t.same(a.events, ["connect", "offline", "close", "reconnect", "close", "reconnect", "close"]);
    t.match(a.errors[0]?.message, /ECONNREFUSED/);
    broker.start();
    await clock.advance(100);
    t.ok(a.link.connected && watch.link.connected);
    await q1;
    t.equal(broker.publications.at(-1)?.topic, "st/q1", "the queued publication went out on reconnection");
    await a.link.publishAsync("st/back", "b", { qos: 1 });
    await settle();
    t.ok(
        watch.got.some((m) => m.topic === "st/back"),
        "a link subscribes again by itself (mqtt.js's resubscribe)...",
    );
    t.notOk(
        a.got.some((m) => m.topic === "st/back"),
        "...unless told not to: the broker keeps no subscription (clean sessions)",
    );

    // persistence keeps the retained messages; no Wills when told
    await a.link.publishAsync("st/p", "p", { qos: 1, retain: true });
    await broker.stop({ wills: false, persist: true });
    t.equal(broker.retained("st/p")?.toString(), "p");
    t.equal(broker.retained("st/a"), undefined, "no Will this time");
    const waiting = a.link.publishAsync("st/never", "n", { qos: 1 });
    await a.link.endAsync();
    await t.rejects(waiting, /Connection closed/, "ending rejects what waits");
    await t.rejects(a.link.publishAsync("x", "y", { qos: 1 }), /disconnecting/);
    broker.start();
    await clock.advance(100);
    t.notOk(a.link.connected, "an ended link stays down");
    await watch.link.endAsync();
});

t.test("credentials, a wrong address, a client id taken over", async (t) => {
    const broker = new FakeBroker({ users: { cbk: "secret" }, url: "mqtt://broker.test:1883" });
    const none = client(broker, { reconnectPeriod: 0 });
    const wrong = client(broker, { username: "cbk", password: "nope", protocolVersion: 4, reconnectPeriod: 0 });
    const good = client(broker, { username: "cbk", password: "secret", clientId: "x" });
    const elsewhere = broker.connector("mqtt://other.test:1883", { username: "cbk", password: "secret" });
    await settle();
    t.match(none.errors[0], { code: 134 }, "MQTT 5: bad user name or password");
    t.match(wrong.errors[0], { code: 4 }, "MQTT 3.1.1: bad user name or password");
    t.same(none.events, ["close"], "no reconnection with period 0");
    t.ok(good.link.connected);
    t.notOk(elsewhere.connected, "a link to another host reaches nothing");
    const again = client(broker, { username: "cbk", password: "secret", clientId: "x" });
    await settle();
    t.ok(again.link.connected);
    t.same(good.events.slice(0, 3), ["connect", "offline", "close"], "the old connection is closed");
    await Promise.all([good.link.endAsync(), again.link.endAsync(), elsewhere.endAsync(true)]);
});

t.test("subscriptions made offline wait for the connection; an invalid URL reaches nothing", async (t) => {
    const clock = new FakeClock();
    const broker = new FakeBroker({ clock });
    const pub = client(broker, { clientId: "pub" });
    const sub = client(broker, { clientId: "sub", resubscribe: false });
    const invalid = broker.connector("not a url", { reconnectPeriod: 0 });
    await settle();
    t.notOk(invalid.connected);
    await broker.stop();
    const subscribed = sub.link.subscribeAsync({ "a/#": { qos: 1 }, "b/#": { qos: 1 } });
    const unsubscribed = sub.link.unsubscribeAsync(["b/#"]);
    broker.start();
    await clock.advance(100);
    await Promise.all([subscribed, unsubscribed]);
    await pub.link.publishAsync("a/1", "x", { qos: 1 });
    await pub.link.publishAsync("b/1", "y", { qos: 1 });
    await settle();
    t.same(
        sub.got.map((m) => m.topic),
        ["a/1"],
        "subscribed, then unsubscribed from one, in order, on reconnection",
    );
    await t.rejects(
        sub.link
            .subscribeAsync({ x: { qos: 0 } })
            .then(() => sub.link.endAsync())
            .then(() => sub.link.unsubscribeAsync(["x"])),
        /disconnecting/,
    );
    await t.rejects(sub.link.subscribeAsync({ x: { qos: 0 } }), /disconnecting/);
    await Promise.all([pub.link.endAsync(), sub.link.endAsync(), invalid.endAsync()]);
});

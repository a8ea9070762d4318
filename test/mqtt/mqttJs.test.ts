/** The real MQTT link (mqtt.js behind the port), against the in-process aedes broker (MQTT 3.1.1). */
import t from "tap";
import { startEmbeddedBroker } from "../../src/mgmt/embeddedBroker.js";
import { connectMqtt, MqttJsLink } from "../../src/mqtt/mqttJs.js";
import { waitFor } from "../helpers/wait.js";

t.test("publish, subscribe, the Will as set last, end", async (t) => {
    const broker = await startEmbeddedBroker({ port: 0 });
    t.teardown(() => broker.close());
    const opts = { protocolVersion: 4 as const, reconnectPeriod: 50 };
    const watch = connectMqtt(broker.url, { ...opts, clientId: "watch" });
    const got: string[] = [];
    watch.on("message", (topic, payload, packet) =>
        got.push(`${topic}=${payload.toString()} r${Number(packet.retain)}`),
    );
    const events: string[] = [];
    watch.on("connect", () => events.push("connect"));
    await waitFor(() => watch.connected, "the watcher to connect");
    await watch.subscribeAsync({ "t/#": { qos: 1 } });

    const link = connectMqtt(broker.url, {
        ...opts,
        clientId: "subject",
        noDelay: true,
        will: { topic: "t/will", payload: "first", qos: 1, retain: false },
    });
    t.ok(link instanceof MqttJsLink);
    await waitFor(() => link.connected, "the link to connect");
    await link.publishAsync("t/a", "1", { qos: 1 });
    await link.publishAsync("t/b", "2", { qos: 0 });
    await waitFor(() => got.length >= 2, "both messages");
    t.same(got, ["t/a=1 r0", "t/b=2 r0"]);

    // the Will is read at connect: the one set now counts from the next connection
    link.setWill({ topic: "t/will", payload: "second", qos: 1, retain: false });
    const raw = (link as MqttJsLink).client;
    const reconnected = new Promise<void>((r) => link.on("reconnect", () => r()));
    raw.stream.destroy();
    await waitFor(() => got.includes("t/will=first r0"), "the Will of the first connection");
    await reconnected;
    await waitFor(() => link.connected, "the link to reconnect");
    raw.options.reconnectPeriod = 0;
    raw.stream.destroy();
    await waitFor(() => got.includes("t/will=second r0"), "the Will set last");
    link.setWill(undefined);
    t.equal(raw.options.will, undefined);
    await link.endAsync(true);

    await watch.unsubscribeAsync(["t/#"]);
    t.same(events, ["connect"]);
    await watch.endAsync();
    t.notOk(watch.connected);
});

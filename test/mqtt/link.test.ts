/**
 * The MQTT link port's contract, held by both adapters: the fake broker's connector and mqtt.js (against
 * the demo's in-process aedes broker, MQTT 3.1.1). A test on the fake is worth as much as the fake behaves
 * like the real client in what the code uses.
 */
import t from "tap";
import { startEmbeddedBroker } from "../../src/mgmt/embeddedBroker.js";
import { FakeBroker } from "../../src/mqtt/fakeBroker.js";
import type { MqttConnector, MqttLink } from "../../src/mqtt/link.js";
import { connectMqtt } from "../../src/mqtt/mqttJs.js";
import { waitFor } from "../helpers/wait.js";

/** Connects, subscribes, publishes (retained and live) and ends; returns what was seen, in order. */
async function scenario(connector: MqttConnector, url: string): Promise<string[]> {
    const seen: string[] = [];
    const open = (clientId: string): MqttLink => {
        const link = connector(url, { protocolVersion: 4, clientId, reconnectPeriod: 100, clean: true });
        link.on("connect", () => seen.push(`${clientId} connect`));
        link.on("message", (topic, payload, packet) =>
            seen.push(`${clientId} got ${topic}=${payload.toString()} retain=${packet.retain} qos=${packet.qos}`),
        );
        return link;
    };
    const pub = open("pub");
    await waitFor(() => pub.connected, "pub to connect");
    await pub.publishAsync("c/kept", "k", { qos: 1, retain: true });
    const sub = open("sub");
    await waitFor(() => sub.connected, "sub to connect");
    await sub.subscribeAsync({ "c/#": { qos: 1 } });
    await waitFor(() => seen.some((s) => s.includes("c/kept")), "the retained message");
    await pub.publishAsync("c/live", "l", { qos: 1, retain: true });
    await pub.publishAsync("c/zero", "z", { qos: 0 });
    await waitFor(() => seen.some((s) => s.includes("c/zero")), "the live messages");
    await sub.unsubscribeAsync(["c/#"]);
    await pub.publishAsync("c/kept", "", { qos: 1, retain: true });
    await Promise.all([pub.endAsync(), sub.endAsync()]);
    return seen;
}

const expected = [
    "pub connect",
    "sub connect",
    "sub got c/kept=k retain=true qos=1",
    "sub got c/live=l retain=false qos=1",
    "sub got c/zero=z retain=false qos=0",
];

t.test("mqtt.js against aedes", async (t) => {
    const broker = await startEmbeddedBroker({ port: 0 });
    t.teardown(() => broker.close());
    t.same(await scenario(connectMqtt, broker.url), expected);
});

t.test("the fake broker", async (t) => {
    const broker = new FakeBroker();
    t.same(await scenario(broker.connector, broker.url), expected);
    t.equal(broker.retained("c/kept"), undefined, "cleared");
});

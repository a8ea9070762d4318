import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import mqtt from "mqtt";
import t from "tap";
import { main } from "../../src/cli/main.js";
import { startEmbeddedBroker } from "../../src/mgmt/embeddedBroker.js";

const sample = join(import.meta.dirname, "../../board/samples/sccp-7912-callmanager41.pcapng");

t.test("run reports over MQTT: birth while running, a clean death when done", async (t) => {
    const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0 });
    t.teardown(() => broker.close());
    const dir = mkdtempSync(join(tmpdir(), "callbackd-mqtt-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const code = await main(["run"], {
        out: new PassThrough(),
        err: new PassThrough(),
        env: {
            CALLBACKD_CAPTURE_FILE: sample,
            CALLBACKD_LOG_LEVEL: "silent",
            CALLBACKD_STATE_DIR: dir,
            CALLBACKD_HTTP_LISTEN: "127.0.0.1:0",
            CALLBACKD_MQTT_URL: broker.url,
            CALLBACKD_MQTT_PROTOCOL_VERSION: "4",
            CALLBACKD_MQTT_SITE: "branch1",
        },
    });
    t.equal(code, 0);
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    t.teardown(() => client.endAsync());
    const status = await new Promise<Record<string, unknown>>((resolve) => {
        client.on("message", (_topic, payload) => resolve(JSON.parse(payload.toString()) as Record<string, unknown>));
        void client.subscribeAsync("callbackd/v1/branch1/callbackd/status");
    });
    t.equal(status.online, false, "retained status says offline");
    t.equal(status.clean, true, "after a clean shutdown, not the Will");
    t.ok(typeof status.session === "number" && (status.session as number) >= 1);
});

import { once } from "node:events";
import { readFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import t from "tap";
import { ProtocolDispatcher } from "../../src/protocol/dispatcher.js";
import type { ProtocolRecord } from "../../src/protocol/records.js";
import { type CtiEvent, CtiLinkObserver } from "../../src/qbe/link.js";
import { qbeRoute } from "../../src/qbe/stream.js";
import { WirePipeline } from "../../src/wire/pipeline.js";
import { captureLoopback, needLiveCapture, until } from "../helpers/live.js";

const fixtures = join(import.meta.dirname, "../fixtures/qbe");
const frame = (name: string) => readFileSync(join(fixtures, `${name}.bin`));
const fields = (name: string) =>
    (JSON.parse(readFileSync(join(fixtures, `${name}.json`), "utf8")) as { fields: Record<string, unknown> }).fields;

const skip = needLiveCapture();

t.test(
    "a CTI session over real TCP on loopback, captured live, decodes through the whole pipeline",
    { skip },
    async (t) => {
        const server = createServer();
        server.listen(0, "127.0.0.1");
        await once(server, "listening");
        const port = (server.address() as { port: number }).port;

        const records: ProtocolRecord[] = [];
        const events: CtiEvent[] = [];
        const observer = new CtiLinkObserver((e) => events.push(e), {
            heartbeatIntervalS: 30,
            providerOpenTimeoutMs: 30000,
        });
        const dispatcher = new ProtocolDispatcher([qbeRoute([port], { observer })], (r) => records.push(r));
        const pipeline = new WirePipeline(dispatcher, { serverPorts: [port] });
        const cap = await captureLoopback(port, pipeline.onFrame);
        t.teardown(() => {
            cap.stop();
            server.close();
        });

        // The "CTIManager" answers the open and then reports call states, writing frames back to back and
        // splitting one across two writes, as TCP is free to deliver them.
        const fromServer = [
            "ProviderOpenResponse",
            "ProviderOpenCompletedEvent",
            "CallStateChangedEvent_V2_offering",
            "CallStateChangedEvent_V2_connected",
            "Heartbeat",
        ];
        server.on("connection", (s: Socket) => {
            s.once("data", () => {
                const all = Buffer.concat(fromServer.map(frame));
                const cut = frame(fromServer[0]!).length + 7;
                s.write(all.subarray(0, cut));
                setTimeout(() => s.write(all.subarray(cut)), 30);
            });
            s.on("end", () => s.end());
        });
        const client = connect(port, "127.0.0.1");
        await once(client, "connect");
        const expected = fromServer.reduce((n, name) => n + frame(name).length, 0);
        let received = 0;
        client.on("data", (d: Buffer) => {
            received += d.length;
            if (received === expected) client.end(frame("Heartbeat"));
        });
        client.write(frame("ProviderOpenRequest"));
        await once(client, "close");

        await until(() => records.filter((r) => r.proto === "qbe").length >= 7, "all frames to be decoded");
        const qbe = records.filter((r) => r.proto === "qbe");
        const clientName = qbe[0]!.src;
        const up = qbe.filter((r) => r.src === clientName).map((r) => r.name);
        const down = qbe.filter((r) => r.src !== clientName).map((r) => r.name);
        t.same(up, ["ProviderOpenRequest", "Heartbeat"]);
        t.same(down, [
            "ProviderOpenResponse",
            "ProviderOpenCompletedEvent",
            "CallStateChangedEvent_V2",
            "CallStateChangedEvent_V2",
            "Heartbeat",
        ]);
        t.equal(clientName.startsWith("127.0.0.1:"), true);
        t.equal(qbe[0]!.dst, `127.0.0.1:${port}`);
        for (const [i, name] of fromServer.entries()) {
            const r = qbe.filter((x) => x.src !== clientName)[i]!;
            t.same(r.fields, fields(name), `${name}: fields as the client library encoded them`);
        }
        t.same(qbe[0]!.fields, fields("ProviderOpenRequest"));
        t.equal(records.filter((r) => r.name === "Gap" || r.name === "Resync").length, 0, "no gaps or resyncs");
        t.ok(
            events.some((e) => e.type === "LinkUp"),
            "the observer saw the provider open complete",
        );
        t.ok(events.filter((e) => e.type === "CallStateChanged").length === 2, "and both call state changes");
    },
);

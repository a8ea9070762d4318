import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import t from "tap";
import { EarlyCapture } from "../../src/capture/earlyCapture.js";
import type { LiveCaptureState } from "../../src/capture/liveCapture.js";
import { WirePipeline } from "../../src/wire/pipeline.js";
import { Direction } from "../../src/wire/reassembly.js";
import { loopbackCaptureOptions, needLiveCapture, until } from "../helpers/live.js";
import { RecordingConsumer } from "../helpers/segments.js";

t.test(
    "frames and state changes before the service attaches are held, then handed over in order",
    { skip: needLiveCapture() },
    async (t) => {
        const server = createServer();
        server.listen(0, "127.0.0.1");
        await once(server, "listening");
        const port = (server.address() as { port: number }).port;
        const early = new EarlyCapture(loopbackCaptureOptions(port));
        t.teardown(() => {
            early.stop();
            server.close();
        });
        early.start();
        await until(() => early.capture.stats().state === "open", "the capture to open");

        // the exchange happens before anyone listens to the capture
        const up = randomBytes(50_000);
        server.on("connection", (s: Socket) => s.on("data", () => {}).on("end", () => s.end()));
        const client = connect(port, "127.0.0.1");
        await once(client, "connect");
        client.end(up);
        await once(client, "close");
        await until(() => early.capture.stats().frames >= 6, "the capture to see the exchange");

        const states: LiveCaptureState[] = [];
        const rec = new RecordingConsumer();
        const pipeline = new WirePipeline(rec, { serverPorts: [port] });
        early.attach(pipeline.onFrame, (s) => states.push(s));
        t.same(states, ["starting", "open"], "the held state changes, in order");
        await until(() => rec.events.some((e) => e.kind === "close"), "the FINs");
        t.ok(Buffer.from(rec.streams.get(`1:${Direction.ClientToServer}`) ?? []).equals(up), "held frames intact");
        t.equal(early.dropped, 0);
        early.stop();
        t.same(states.at(-1), "stopped", "later state changes go straight to the service");
    },
);

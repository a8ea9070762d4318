import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import t from "tap";
import { LiveCapture, type LiveCaptureState } from "../../src/capture/liveCapture.js";
import { LINK_TYPE_NUMBERS, pcapGlobalHeader } from "../../src/capture/pcapChild.js";
import { CaptureError } from "../../src/errors.js";
import { WirePipeline } from "../../src/wire/pipeline.js";
import { Direction } from "../../src/wire/reassembly.js";
import { captureLoopback, needLiveCapture, until } from "../helpers/live.js";
import { RecordingConsumer } from "../helpers/segments.js";
import { needTool } from "../helpers/tools.js";

const skipLive = needLiveCapture();

t.test("pcap stream header and link type names", async (t) => {
    const h = pcapGlobalHeader(1, 65535);
    t.equal(h.length, 24);
    t.equal(h.readUInt32LE(0), 0xa1b2c3d4);
    t.equal(h.readUInt32LE(20), 1);
    t.equal(LINK_TYPE_NUMBERS.LINKTYPE_LINUX_SLL, 113);
    t.throws(
        () =>
            new LiveCapture(
                {
                    interface: "",
                    filter: "",
                    snapLength: 65535,
                    bufferSizeBytes: 1 << 20,
                    promiscuous: false,
                    retryMs: 10,
                },
                () => {},
            ),
        CaptureError,
    );
});

t.test("live capture on lo returns exactly the bytes a TCP exchange sent, in order", { skip: skipLive }, async (t) => {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;

    const rec = new RecordingConsumer();
    const pipeline = new WirePipeline(rec, { serverPorts: [port] });
    const states: LiveCaptureState[] = [];
    const cap = await captureLoopback(port, pipeline.onFrame, { onState: (s) => states.push(s) });
    t.teardown(() => {
        cap.stop();
        server.close();
    });

    const up = randomBytes(300_000);
    const down = randomBytes(70_000);
    const serverGot: Buffer[] = [];
    server.on("connection", (s: Socket) => {
        s.on("data", (d) => serverGot.push(d));
        s.on("end", () => s.end());
        s.write(down);
    });
    const client = connect(port, "127.0.0.1");
    await once(client, "connect");
    const clientGot: Buffer[] = [];
    client.on("data", (d) => clientGot.push(d));
    for (let off = 0; off < up.length; off += 7000) client.write(up.subarray(off, off + 7000));
    client.end();
    await once(client, "close");
    t.equal(Buffer.concat(serverGot).length, up.length, "the exchange itself happened");

    await until(() => rec.events.some((e) => e.kind === "close"), "the capture to see the FINs");
    t.equal(Buffer.from(rec.streams.get(`1:${Direction.ClientToServer}`) ?? []).equals(up), true, "client → server");
    t.equal(Buffer.from(rec.streams.get(`1:${Direction.ServerToClient}`) ?? []).equals(down), true, "server → client");
    t.same(
        rec.events.filter((e) => e.kind === "gap"),
        [],
        "no gaps",
    );
    t.equal(pipeline.reassembler.stats.connectionsClosed.fin, 1);
    await until(() => cap.stats().received > 0, "libpcap statistics");
    const st = cap.stats();
    t.equal(st.linkType, 1);
    t.equal(st.opens, 1);
    t.ok(st.frames > 0);
    t.same(states.slice(0, 2), ["starting", "open"]);
    cap.stop();
    t.equal(cap.stats().state, "stopped");
});

const skipIf = skipLive || needTool("ip", "iproute2", ["-V"]);

t.test("an interface that is missing or goes away is reopened every retry interval", { skip: skipIf }, async (t) => {
    const name = `cbk${process.pid % 10000}a`;
    const peer = `cbk${process.pid % 10000}b`;
    const ip = (...args: string[]) => spawnSync("ip", args, { stdio: "ignore" }).status;
    const del = () => ip("link", "del", name);
    del();
    t.teardown(del);

    const errors: string[] = [];
    const cap = new LiveCapture(
        { interface: name, filter: "", snapLength: 65535, bufferSizeBytes: 1 << 20, promiscuous: false, retryMs: 150 },
        () => {},
        { onState: (s, e) => s === "retrying" && errors.push(e?.code ?? "?") },
    );
    t.teardown(() => cap.stop());
    cap.start();
    await until(() => cap.stats().failures >= 2, "failed opens while the interface is missing");
    t.equal(errors[0], "CAPTURE_OPEN", "missing interface");
    t.equal(cap.stats().opens, 0);

    t.equal(ip("link", "add", name, "type", "veth", "peer", "name", peer), 0, "veth created");
    ip("link", "set", name, "up");
    ip("link", "set", peer, "up");
    await until(() => cap.stats().state === "open", "the capture to open once the interface exists");
    t.equal(cap.stats().opens, 1);

    del();
    await until(() => cap.stats().state === "retrying", "loss of the interface to be noticed");
    t.equal(cap.stats().lastError?.code, "CAPTURE_INTERFACE_LOST");

    t.equal(ip("link", "add", name, "type", "veth", "peer", "name", peer), 0, "veth re-created");
    ip("link", "set", name, "up");
    ip("link", "set", peer, "up"); // a veth without its peer up has no carrier: capture waits for it
    await until(() => cap.stats().opens === 2, "the capture to reopen");
    cap.stop();
});

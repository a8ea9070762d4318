import { createServer } from "node:net";
import t from "tap";
import { ManualClock, RealClock } from "../../src/sim/clock.js";
import {
    type LinkCloseReason,
    MemoryNetwork,
    type SimLink,
    type SimNetwork,
    TcpNetwork,
} from "../../src/sim/network.js";
import { SccpSession } from "../../src/sim/session.js";
import { SyntheticCapture } from "../../src/sim/synth.js";
import { decodingTap, freePort } from "./helpers/sim.js";

interface Ends {
    close(): Promise<void>;
    client: SimLink;
    server: SimLink;
    got: { client: string[]; server: string[] };
    closed: { client: LinkCloseReason[]; server: LinkCloseReason[] };
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function connect(net: SimNetwork, host: string, port: number, local: string, tick: () => void): Promise<Ends> {
    return new Promise((resolve, reject) => {
        let server: SimLink | null = null;
        const ends: Partial<Ends> = { got: { client: [], server: [] }, closed: { client: [], server: [] } };
        void net
            .listen(host, port, (l) => {
                server = l;
                // Data sent before the handler is set is kept.
                l.write(enc("hello from server"));
                setTimeout(() => {
                    l.setHandler({
                        onData: (b) => ends.got?.server.push(dec(b)),
                        onClose: (r) => ends.closed?.server.push(r),
                    });
                }, 5);
            })
            .then((srv) => {
                net.connect({ host, port: srv.port, localAddress: local }, (err, link) => {
                    if (err !== null || link === null) return reject(err);
                    link.write(enc("hi"));
                    setTimeout(() => {
                        link.setHandler({
                            onData: (b) => ends.got?.client.push(dec(b)),
                            onClose: (r) => ends.closed?.client.push(r),
                        });
                        resolve({
                            ...(ends as Ends),
                            close: () => srv.close(),
                            client: link,
                            server: server as SimLink,
                        });
                    }, 10);
                });
                tick();
            });
    });
}

t.test("tcp: phones bind their own address; settle waits for handled bytes and closes", async (t) => {
    const clock = new ManualClock();
    const net = new TcpNetwork(clock);
    const port = await freePort();
    const tap = decodingTap(port, true);
    const synth = new SyntheticCapture(tap.output);
    net.tap = synth;
    const e = await connect(net, "127.0.0.1", port, "127.0.1.200", () => undefined);
    await net.settle();
    t.equal(e.client.localAddr, "127.0.1.200");
    t.equal(e.server.remoteAddr, "127.0.1.200");
    t.equal(e.server.localPort, port);
    t.same(e.got.server, ["hi"]);
    t.same(e.got.client, ["hello from server"]);
    t.equal(net.connections, 1);
    e.client.write(new Uint8Array(0));
    e.server.write(enc("more"));
    await net.settle();
    t.same(e.got.client, ["hello from server", "more"]);
    e.client.end();
    e.client.end();
    await net.settle();
    t.notOk(e.client.open);
    t.notOk(e.server.open);
    t.same(e.closed.server, ["end"]);
    t.same(e.closed.client, [], "the closing side is not told");
    t.equal(net.connections, 0);
    e.client.write(enc("after close"));
    t.equal(synth.stats.connections, 1);
    t.ok(synth.stats.frames >= 9, "SYN, data and both FINs mirrored");
    await e.close();
});

t.test("tcp: reset, freeze, refused connections, busy ports, settle timeout", async (t) => {
    const net = new TcpNetwork();
    const port = await freePort();
    const e = await connect(net, "127.0.0.1", port, "127.0.1.201", () => undefined);
    await net.settle();
    e.server.destroy();
    e.server.destroy();
    await net.settle();
    t.same(e.closed.client, ["reset"]);
    t.same(e.closed.server, [], "the closing side is not told");

    const f = await connect(net, "127.0.0.1", await freePort(), "127.0.1.202", () => undefined);
    await net.settle();
    f.client.freeze();
    f.client.freeze();
    f.client.write(enc("dropped"));
    f.server.write(enc("unheard"));
    await net.settle();
    t.same(f.got.client, ["hello from server"], "a frozen end hears nothing");
    t.same(f.got.server, ["hi"]);
    f.server.end();
    await net.settle();
    t.same(f.closed.client, [], "nor is it told about closes");
    f.client.destroy();
    await e.close();
    await f.close();

    const closedPort = await freePort();
    const refused = await new Promise<Error | null>((resolve) =>
        net.connect({ host: "127.0.0.1", port: closedPort }, (err) => resolve(err)),
    );
    t.match(refused, { code: "ECONNREFUSED" });
    const blocker = createServer((s) => s.on("error", () => undefined));
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const used = (blocker.address() as { port: number }).port;
    await t.rejects(
        net.listen("127.0.0.1", used, () => undefined),
        { code: "SIM_LISTEN" },
    );
    // A connection to a server outside this network never settles.
    let outside: SimLink | null = null;
    net.connect({ host: "127.0.0.1", port: used }, (_e, l) => {
        outside = l;
    });
    await t.rejects(net.settle(50), { code: "SIM_SETTLE_TIMEOUT" });
    (outside as SimLink | null)?.destroy();
    await new Promise<void>((r) => blocker.close(() => r()));
});

t.test("memory: deliveries after the latency, in order, through the clock", async (t) => {
    const clock = new ManualClock();
    const net = new MemoryNetwork(clock, { latencyMs: 1 });
    const srv = await net.listen("10.0.0.1", 0, () => undefined);
    t.equal(srv.port, 2000, "port 0 takes 2000");
    t.equal((await net.listen("10.0.0.1", 0, () => undefined)).port, 2001);
    await t.rejects(
        net.listen("10.0.0.1", 2000, () => undefined),
        { code: "SIM_LISTEN" },
    );
    await srv.close();
    const e = await connect(net, "10.0.0.1", 2000, "10.0.1.1", () => clock.advance(5));
    t.equal(e.client.localPort, 49152);
    await net.settle();
    t.same(e.got.server, ["hi"]);
    t.same(e.got.client, ["hello from server"]);
    // More than the ring holds at once.
    for (let i = 0; i < 3000; i++) e.client.write(enc(String(i % 10)));
    t.equal(net.inFlight, 3000);
    await net.settle();
    t.equal(e.got.server.length, 3001);
    t.equal(e.got.server.slice(1).join(""), "0123456789".repeat(300));
    e.server.freeze();
    e.client.write(enc("lost"));
    await net.settle();
    t.equal(e.got.server.length, 3001);
    e.client.destroy();
    e.client.destroy();
    await net.settle();
    t.same(e.closed.server, [], "frozen: not told");
    const refused = await new Promise<Error | null>((resolve) => {
        net.connect({ host: "10.0.0.9", port: 2000 }, (err) => resolve(err));
        clock.advance(5);
    });
    t.match(refused, { code: "ECONNREFUSED" });
    const g = await connect(net, "10.0.0.1", 2002, "10.0.1.1", () => clock.advance(5));
    await net.settle();
    t.equal(g.client.localPort, 49153);
    g.client.end();
    await net.settle();
    t.same(g.closed.server, ["end"]);
    t.same(g.closed.client, []);
    g.server.write(enc("too late"));
    t.equal(net.connections, 2);
});

t.test("memory network on a real clock delivers by itself", async (t) => {
    const net = new MemoryNetwork(new RealClock());
    const e = await connect(net, "10.0.0.1", 2000, "10.0.1.1", () => undefined);
    await new Promise((r) => setTimeout(r, 20));
    await net.settle();
    t.same(e.got.server, ["hi"]);
});

t.test("sessions count what the codec cannot explain", async (t) => {
    const clock = new ManualClock();
    const net = new MemoryNetwork(clock);
    const errors: string[] = [];
    let server: SccpSession | null = null;
    const seen: string[] = [];
    await net.listen("10.0.0.1", 2000, (l) => {
        server = new SccpSession(l, {
            onMessage: (m) => {
                seen.push(m.name);
                if (m.name === "OnHook") throw new Error("boom");
            },
            onClose: () => undefined,
            onProtocolError: (text) => errors.push(text),
        });
    });
    let client: SccpSession | null = null;
    net.connect({ host: "10.0.0.1", port: 2000 }, (_e, l) => {
        client = new SccpSession(l as SimLink, { onMessage: () => undefined, onClose: () => undefined });
    });
    clock.advance(1);
    const c = client as unknown as SccpSession;
    c.send(0x0000, {});
    c.send(0x0006, {});
    c.flush();
    c.flush();
    c.sendFrame(Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0, 0x34, 0x12, 0, 0)); // unknown id 0x1234
    c.sendFrame(Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x01, 0, 0, 1, 0, 0, 0, 1)); // CallState, 5-byte body
    c.send(0x0007, {});
    c.flush();
    await net.settle();
    t.same(seen, ["KeepAliveReq", "OffHook", "Unknown", "CallState", "OnHook"]);
    t.equal(errors.length, 3);
    t.match(errors[0], /unknown message id 0x1234/);
    t.match(errors[1], /CallState: body of 5 bytes/);
    t.match(errors[2], /handler failed on OnHook: Error: boom/);
    const s = server as unknown as SccpSession;
    t.equal(s.stats.protocolErrors, 3);
    t.equal(s.stats.messagesReceived, 5);
    t.equal(c.stats.messagesSent, 5);
    t.ok(c.open);
    c.sendFrame(Uint8Array.of(0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)); // bad length then a keepalive
    c.flush();
    await net.settle();
    t.match(errors.at(-1), /framer resync/);
    c.close();
    c.send(0x0000, {});
    c.sendFrame(Uint8Array.of(1));
    c.close();
    t.notOk(c.open);
    s.freeze();
    s.abort();
});

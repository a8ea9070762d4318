/** Links without sockets: deliveries through the clock after the latency, closes, refusals, the tap. */
import t from "tap";
import { ManualClock } from "../../../src/sim/clock.js";
import { MemoryNetwork } from "../../../src/sim/network/memory.js";
import type { LinkCloseReason, SimLink } from "../../../src/sim/network/types.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

t.test("bytes arrive one latency after the write, in order; a FIN reaches the peer", async (t) => {
    const clock = new ManualClock();
    const net = new MemoryNetwork(clock, { latencyMs: 1 });
    const got: string[] = [];
    const closed: LinkCloseReason[] = [];
    let server: SimLink | null = null;
    const srv = net.listenSync("10.0.0.1", 0, (l) => {
        server = l;
        l.setHandler({ onData: (b) => got.push(dec(b)), onClose: (r) => closed.push(r) });
    });
    t.equal(srv.port, 2000, "the first free port from 2000");
    let client: SimLink | null = null;
    net.connect({ host: "10.0.0.1", port: 2000, localAddress: "10.0.1.5" }, (_e, l) => {
        client = l;
    });
    t.equal(net.inFlight, 1, "the connect is in flight");
    clock.advance(2);
    t.ok(client !== null && server !== null);
    const c = client as unknown as SimLink;
    t.equal(c.localAddr, "10.0.1.5");
    c.write(enc("a"));
    c.write(enc("b"));
    clock.advance(0.5);
    t.same(got, []);
    clock.advance(0.5);
    t.same(got, ["a", "b"]);
    c.end();
    await net.settle();
    t.same(closed, ["end"]);
    t.equal(net.inFlight, 0);
});

t.test("a port without listener refuses; a taken port cannot be listened on twice", async (t) => {
    const clock = new ManualClock();
    const net = new MemoryNetwork(clock);
    net.listenSync("10.0.0.1", 2000, () => undefined);
    t.throws(() => net.listenSync("10.0.0.1", 2000, () => undefined), { code: "SIM_LISTEN" });
    let err: Error | null = null;
    net.connect({ host: "10.0.0.1", port: 2001 }, (e) => {
        err = e;
    });
    await net.settle();
    t.match(err, { code: "ECONNREFUSED" });
});

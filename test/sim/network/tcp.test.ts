/** Real TCP on loopback: a phone's own address, data both ways, settle, close reasons. */
import t from "tap";
import { TcpNetwork } from "../../../src/sim/network/tcp.js";
import type { LinkCloseReason, SimLink } from "../../../src/sim/network/types.js";
import { freePort } from "../helpers/sim.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

t.test("a connection from 127.0.1.N carries data both ways and settles; a reset reaches the peer", async (t) => {
    const net = new TcpNetwork();
    const port = await freePort();
    const atServer: string[] = [];
    const closed: LinkCloseReason[] = [];
    let server: SimLink | null = null;
    const srv = await net.listen("127.0.0.1", port, (l) => {
        server = l;
        l.setHandler({ onData: (b) => atServer.push(dec(b)), onClose: () => undefined });
        l.write(enc("welcome"));
    });
    t.teardown(() => srv.close());
    const client = await new Promise<SimLink>((resolve, reject) =>
        net.connect({ host: "127.0.0.1", port, localAddress: "127.0.1.77" }, (e, l) =>
            e !== null || l === null ? reject(e) : resolve(l),
        ),
    );
    const atClient: string[] = [];
    client.setHandler({ onData: (b) => atClient.push(dec(b)), onClose: (r) => closed.push(r) });
    client.write(enc("hello"));
    await net.settle();
    t.same(atServer, ["hello"]);
    t.same(atClient, ["welcome"], "data sent before the handler was set is kept");
    t.equal((server as unknown as SimLink).remoteAddr, "127.0.1.77");
    (server as unknown as SimLink).destroy();
    await net.settle();
    t.same(closed, ["reset"]);
    t.notOk(client.open);
});

/**
 * Ports for servers the tests start. Test files run in parallel, so no test may use a fixed port, and a port
 * picked now and bound a moment later (or closed and bound again, as a broker restart does) must not be
 * handed to someone else meanwhile. Ports come at random from 20000-32767: below Linux's ephemeral range
 * (ip_local_port_range, 32768-60999 by default), so the kernel never gives them to an outgoing connection
 * or a listen(0); only another pick in the same range can collide, and the pick checks the port is free.
 */
import { randomInt } from "node:crypto";
import { createServer } from "node:net";

const LOW = 20_000;
const HIGH = 32_768;

function freeOn(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = createServer();
        server.once("error", () => resolve(false));
        server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
    });
}

/** A port free right now on every one of `hosts` (default 127.0.0.1), outside the ephemeral range. */
export async function testPort(hosts: readonly string[] = ["127.0.0.1"]): Promise<number> {
    for (let attempt = 0; attempt < 100; attempt++) {
        const port = randomInt(LOW, HIGH);
        let free = true;
        for (const host of hosts) free &&= await freeOn(host, port);
        if (free) return port;
    }
    throw new Error(`no free port in ${LOW}-${HIGH - 1} after 100 tries`);
}

/**
 * An in-process MQTT broker (aedes) for the demo: without a configured broker, `npm start` runs one on
 * loopback so a user can watch with `mosquitto_sub`. aedes speaks MQTT 3.1.1 only, so the management
 * plane connects to it with protocolVersion 4 (responses then go to `res/<command>`). A real deployment
 * points at Mosquitto or any MQTT 5 broker.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";

/** A running embedded broker. */
export interface EmbeddedBroker {
    /** `mqtt://<host>:<port>` */
    readonly url: string;
    readonly host: string;
    /** The port actually bound (useful with port 0). */
    readonly port: number;
    /** The protocol version to connect with. */
    readonly protocolVersion: 4;
    /** Disconnects every client and stops listening. */
    close(): Promise<void>;
}

/** Starts an aedes broker on `host:port` (default 127.0.0.1:1883; port 0 picks a free one). */
export async function startEmbeddedBroker(options: { port?: number; host?: string } = {}): Promise<EmbeddedBroker> {
    const host = options.host ?? "127.0.0.1";
    const broker = await Aedes.createBroker();
    const server: Server = createServer((socket) => broker.handle(socket));
    server.listen(options.port ?? 1883, host);
    try {
        await once(server, "listening");
    } catch (err) {
        await new Promise<void>((r) => broker.close(() => r()));
        throw err;
    }
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 1883);
    let closed: Promise<void> | null = null;
    return {
        url: `mqtt://${host.includes(":") ? `[${host}]` : host}:${port}`,
        host,
        port,
        protocolVersion: 4,
        close(): Promise<void> {
            closed ??= (async () => {
                await new Promise<void>((r) => broker.close(() => r()));
                await new Promise<void>((r) => server.close(() => r()));
            })();
            return closed;
        },
    };
}

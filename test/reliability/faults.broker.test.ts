/**
 * Fault: the MQTT broker (a real Mosquitto) is killed (SIGKILL, no clean shutdown) and restarted several
 * times while the management plane runs and alarms keep changing. The plane reconnects by itself each
 * time, mqtt.broker-lost is raised while the broker is away and cleared when it is back, and every alarm
 * event queued in the outbox meanwhile is delivered, in order, none lost.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import t from "tap";
import { nodeTopics } from "../../src/mgmt/topics.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { testPort } from "../helpers/ports.js";
import { HANG_MS } from "../helpers/wait.js";
import { needMosquitto, TestBroker, Watcher } from "../mgmt/helpers/broker.js";
import { alarmEventOf } from "../mgmt/helpers/payloads.js";
import { NODE, SITE, startPlane } from "../mgmt/helpers/service.js";

const T = nodeTopics(SITE, NODE);
const ROUNDS = 3;
const PER_ROUND = 5;
/** A topic of the test's own, to learn that the watcher's subscriptions are back. */
const PROBE = "test/faults-broker/probe";

/**
 * The plane's way to the broker, which the test opens only once the watcher listens again: the watcher sees
 * every event only if it is subscribed before the plane flushes its outbox, and on a loaded machine its
 * reconnection could come after the plane's (the product then lost nothing; the test's view did).
 */
class Gate {
    open = false;
    readonly #sockets = new Set<Socket>();
    private constructor(
        readonly server: Server,
        readonly port: number,
    ) {}

    static async start(brokerPort: number): Promise<Gate> {
        const port = await testPort();
        let gate: Gate | null = null;
        const server = createServer((client) => {
            if (gate === null || !gate.open) {
                client.destroy();
                return;
            }
            const upstream = connect(brokerPort, "127.0.0.1");
            for (const s of [client, upstream]) {
                gate.#sockets.add(s);
                s.on("error", () => {});
                s.on("close", () => {
                    client.destroy();
                    upstream.destroy();
                });
            }
            client.pipe(upstream).pipe(client);
        });
        await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
        gate = new Gate(server, port);
        return gate;
    }

    /** Closes the way and every connection through it. */
    shut(): void {
        this.open = false;
        for (const s of this.#sockets) s.destroy();
        this.#sockets.clear();
    }

    close(): void {
        this.shut();
        this.server.close();
    }
}

async function until(cond: () => boolean, what: string, ms = HANG_MS): Promise<void> {
    const end = performance.now() + ms;
    while (!cond()) {
        if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
    }
}

t.test(
    "broker killed and restarted three times: reconnects, alarms, nothing lost",
    { skip: needMosquitto() },
    async (t) => {
        const broker = await TestBroker.start();
        t.teardown(() => broker.destroy());
        // The watcher comes back faster than the plane (20 ms against 300 ms), so it is subscribed again before
        // the plane flushes its outbox.
        const w = await Watcher.connect(broker.url, [T.alarmsEvents, PROBE], { reconnectPeriod: 20 });
        t.teardown(() => w.close());
        const gate = await Gate.start(Number(new URL(broker.url).port));
        t.teardown(() => gate.close());
        gate.open = true;
        const plane = await startPlane(broker.url, {
            broker: { url: `mqtt://127.0.0.1:${gate.port}`, reconnectMs: 300 },
            flash: new MemoryFlashFs(),
            alarms: {
                policies: {
                    "mqtt.broker-lost": { raiseDelayMs: 0, clearDelayMs: 0, flapDetection: false },
                    "phone.push-unreachable": { raiseDelayMs: 0, clearDelayMs: 0, flapDetection: false },
                },
            },
        });
        t.teardown(() => plane.mgmt.stop());
        const alarms = plane.mgmt.alarms;

        const raisedWhileDown: string[] = [];
        const downMs: number[] = [];
        for (let round = 1; round <= ROUNDS; round++) {
            gate.shut();
            await broker.stop("SIGKILL");
            const t0 = performance.now();
            await until(() => !plane.mgmt.connected, "the plane to notice");
            t.ok(alarms.isActive("mqtt.broker-lost"), `round ${round}: mqtt.broker-lost raised locally`);
            // The service keeps working: alarms change while the broker is away.
            for (let i = 0; i < PER_ROUND; i++) {
                const resource = `SEP${round}0000000${i}`;
                alarms.raise("phone.push-unreachable", { resource, text: `round ${round}` });
                raisedWhileDown.push(resource);
            }
            alarms.clear("phone.push-unreachable", { resource: `SEP${round}00000000` });
            await new Promise((r) => setTimeout(r, 100));
            await broker.run();
            await until(() => w.client.connected, "the watcher to reconnect");
            // the watcher listens again once a probe of its own comes back to it
            const probes = w.on(PROBE).length;
            const again = setInterval(
                () => void w.client.publishAsync(PROBE, `${round}`, { qos: 1 }).catch(() => undefined),
                100,
            );
            await until(() => w.on(PROBE).length > probes, "the watcher to be subscribed again").finally(() =>
                clearInterval(again),
            );
            gate.open = true;
            await plane.mgmt.waitConnected(HANG_MS);
            downMs.push(performance.now() - t0);
            t.ok(await plane.mgmt.drained(HANG_MS), `round ${round}: the outbox drained`);
            await until(() => !alarms.isActive("mqtt.broker-lost"), "mqtt.broker-lost to clear");
        }
        await until(
            () =>
                w.on(T.alarmsEvents).filter((m) => alarmEventOf(m.payload).id === "mqtt.broker-lost").length >=
                2 * ROUNDS,
            "every broker-lost event",
        );
        const events = w.on(T.alarmsEvents).map((m) => alarmEventOf(m.payload));
        t.comment(`reconnected after ${downMs.map((ms) => Math.round(ms)).join(", ")} ms`);
        const seqs = events.map((e) => e.seq);
        t.same(
            [...seqs].sort((a, b) => a - b),
            seqs,
            "delivered in order",
        );
        t.equal(new Set(seqs).size, seqs.length, "no duplicates");
        for (let i = 1; i < seqs.length; i++) if (seqs[i] !== seqs[i - 1]! + 1) t.fail(`gap after seq ${seqs[i - 1]}`);
        const raised = events
            .filter((e) => e.id === "phone.push-unreachable" && e.state === "raised")
            .map((e) => e.resource);
        t.same(raised, raisedWhileDown, "every alarm raised while the broker was away was delivered");
        const cleared = events.filter((e) => e.id === "phone.push-unreachable" && e.state === "cleared").length;
        t.equal(cleared, ROUNDS, "and every clear");
        const lost = events.filter((e) => e.id === "mqtt.broker-lost").map((e) => e.state);
        t.same(
            lost,
            Array.from({ length: ROUNDS }, () => ["raised", "cleared"]).flat(),
            "broker-lost raised and cleared each time",
        );
    },
);

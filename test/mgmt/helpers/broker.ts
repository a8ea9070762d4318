/**
 * Test harness for a real Mosquitto: a private instance on a free loopback port with a temp config,
 * optional password file and persistence, restartable; plus small MQTT client helpers (which work on any
 * MQTT link: mqtt.js by default, or a FakeBroker's connector).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { LinkOptions, MqttConnector, MqttLink, ReceivedPacket } from "../../../src/mqtt/link.js";
import { connectMqtt } from "../../../src/mqtt/mqttJs.js";
import { testPort } from "../../helpers/ports.js";
import { HANG_MS } from "../../helpers/wait.js";

/** The mosquitto binary (it lives in /usr/sbin, which may not be on PATH), or undefined. */
export function mosquittoPath(): string | undefined {
    const r = spawnSync("sh", ["-c", "command -v mosquitto"], { encoding: "utf8" });
    const onPath = r.status === 0 ? r.stdout.trim() : "";
    if (onPath !== "") return onPath;
    return ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"].find((p) => {
        try {
            accessSync(p, constants.X_OK);
            return true;
        } catch {
            return false;
        }
    });
}

/** Skip reason unless mosquitto is installed (same wording as needTool). */
export function needMosquitto(): string | false {
    return mosquittoPath() === undefined ? "needs mosquitto: install the Debian package mosquitto" : false;
}

/** A free TCP port on 127.0.0.1, outside the ephemeral range (see test/helpers/ports.ts). */
export function freePort(): Promise<number> {
    return testPort();
}

/**
 * Resolves once something accepts connections on the port while `proc` runs; rejects when `proc` exits first
 * (e.g. the port was taken meanwhile) or after the suite's hang deadline.
 */
async function waitListening(port: number, proc: ChildProcess, stderr: () => string): Promise<void> {
    const end = Date.now() + HANG_MS;
    for (;;) {
        if (proc.exitCode !== null || proc.signalCode !== null)
            throw new Error(`mosquitto exited (${proc.exitCode ?? proc.signalCode}): ${stderr().trim()}`);
        const ok = await new Promise<boolean>((resolve) => {
            const s = netConnect(port, "127.0.0.1");
            s.once("connect", () => {
                s.destroy();
                resolve(true);
            });
            s.once("error", () => resolve(false));
        });
        // listening, and still ours: a broker that failed to bind exits at once
        if (ok && proc.exitCode === null && proc.signalCode === null) return;
        if (Date.now() > end) throw new Error(`mosquitto did not listen on ${port}`);
        await new Promise((r) => setTimeout(r, 25));
    }
}

/** Options of a test broker. */
export interface BrokerOptions {
    /** username → password; when given, anonymous clients are refused. */
    users?: Record<string, string>;
    /** Keep sessions and queued messages across restarts (saved on a clean stop). */
    persistence?: boolean;
    /** TLS listener with these PEM files; clients must present a certificate signed by the CA. */
    tls?: { cafile: string; certfile: string; keyfile: string };
}

/** A private Mosquitto instance. */
export class TestBroker {
    readonly dir: string;
    readonly port: number;
    #proc: ChildProcess | null = null;
    readonly #conf: string;
    readonly #tls: boolean;

    private constructor(dir: string, port: number, conf: string, tls: boolean) {
        this.dir = dir;
        this.port = port;
        this.#conf = conf;
        this.#tls = tls;
    }

    /** `mqtt://127.0.0.1:<port>` (or `mqtts://`) */
    get url(): string {
        return `${this.#tls ? "mqtts" : "mqtt"}://127.0.0.1:${this.port}`;
    }

    /**
     * Writes the config and starts the broker (on another port if the one picked was taken meanwhile).
     * Nothing stays behind when it cannot start: no process, no temp directory.
     */
    static async start(options: BrokerOptions = {}): Promise<TestBroker> {
        const dir = mkdtempSync(join(tmpdir(), "cbk-mosq-"));
        for (let attempt = 1; ; attempt++) {
            const b = TestBroker.#configure(dir, await freePort(), options);
            try {
                await b.run();
                return b;
            } catch (err) {
                await b.stop("SIGKILL");
                if (attempt < 3 && /Address already in use/i.test(String(err))) continue;
                rmSync(dir, { recursive: true, force: true });
                throw err;
            }
        }
    }

    static #configure(dir: string, port: number, options: BrokerOptions): TestBroker {
        const lines = [
            `listener ${port} 127.0.0.1`,
            `user ${userInfo().username}`,
            "log_dest stderr",
            "log_type error",
        ];
        if (options.tls !== undefined) {
            const { cafile, certfile, keyfile } = options.tls;
            lines.push(`cafile ${cafile}`, `certfile ${certfile}`, `keyfile ${keyfile}`, "require_certificate true");
        }
        if (options.users !== undefined) {
            const pw = join(dir, "passwd");
            writeFileSync(pw, "", { mode: 0o600 });
            for (const [u, p] of Object.entries(options.users)) {
                const r = spawnSync("mosquitto_passwd", ["-b", pw, u, p], { encoding: "utf8" });
                if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
            }
            lines.push("allow_anonymous false", `password_file ${pw}`);
        } else lines.push("allow_anonymous true");
        if (options.persistence === true)
            lines.push("persistence true", `persistence_location ${dir}/`, "autosave_interval 0");
        const conf = join(dir, "mosquitto.conf");
        writeFileSync(conf, `${lines.join("\n")}\n`);
        return new TestBroker(dir, port, conf, options.tls !== undefined);
    }

    /** Starts the process (again). */
    async run(): Promise<void> {
        const bin = mosquittoPath();
        if (bin === undefined) throw new Error("mosquitto is not installed");
        const proc = spawn(bin, ["-c", this.#conf], { stdio: ["ignore", "ignore", "pipe"] });
        this.#proc = proc;
        let stderr = "";
        proc.stderr?.on("data", (d: Buffer) => {
            if (stderr.length < 4096) stderr += d.toString();
        });
        await new Promise<void>((resolve, reject) => {
            proc.once("spawn", () => resolve());
            proc.once("error", reject);
        });
        await waitListening(this.port, proc, () => stderr);
    }

    /** Stops the process (SIGTERM: a clean stop that saves the persistence file). */
    async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
        const p = this.#proc;
        this.#proc = null;
        if (p === null || p.exitCode !== null || p.signalCode !== null || p.pid === undefined) return;
        const exited = new Promise((r) => p.once("exit", r));
        p.kill(signal);
        await exited;
    }

    /** Stops and starts again on the same port. */
    async restart(downMs = 0): Promise<void> {
        await this.stop();
        if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
        await this.run();
    }

    /** Stops and removes the temp directory. */
    async destroy(): Promise<void> {
        await this.stop();
        rmSync(this.dir, { recursive: true, force: true });
    }
}

/** One message as received. */
export interface Received {
    topic: string;
    payload: Buffer;
    packet: ReceivedPacket;
    text: string;
}

/** A test client that records everything it receives. */
export class Watcher {
    readonly client: MqttLink;
    readonly messages: Received[] = [];
    #waiters: Array<{ pred: (m: Received) => boolean; resolve: (m: Received) => void }> = [];

    private constructor(client: MqttLink) {
        this.client = client;
        client.on("message", (topic, payload, packet) => {
            const m: Received = { topic, payload, packet, text: payload.toString("utf8") };
            this.messages.push(m);
            this.#waiters = this.#waiters.filter((w) => {
                if (!w.pred(m)) return true;
                w.resolve(m);
                return false;
            });
        });
    }

    /**
     * Connects (MQTT 5 unless told) with `connector` (default mqtt.js) and subscribes to `topics` with QoS 1
     * (retain as published); rejects on the first error before the connection is up.
     */
    static async connect(
        url: string,
        topics: string[],
        options: LinkOptions = {},
        connector: MqttConnector = connectMqtt,
    ): Promise<Watcher> {
        const client = connector(url, { protocolVersion: 5, reconnectPeriod: 200, ...options });
        const w = new Watcher(client);
        let up = false;
        await new Promise<void>((resolve, reject) => {
            client.on("error", (err) => {
                if (up) return; // later errors (a broker restart) are the reconnection's business
                void client.endAsync(true).catch(() => undefined);
                reject(err);
            });
            client.on("connect", () => {
                up = true;
                resolve();
            });
        });
        // rap: see the publisher's retain flag on live messages too (MQTT 5)
        const v5 = (options.protocolVersion ?? 5) === 5;
        const sub = v5 ? { qos: 1 as const, rap: true } : { qos: 1 as const };
        if (topics.length > 0) await client.subscribeAsync(Object.fromEntries(topics.map((t) => [t, sub])));
        return w;
    }

    /** The first message (already received or coming) matching `pred`. */
    next(pred: (m: Received) => boolean, timeoutMs = HANG_MS, includePast = true): Promise<Received> {
        if (includePast) {
            const found = this.messages.find(pred);
            if (found !== undefined) return Promise.resolve(found);
        }
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("no matching message in time")), timeoutMs);
            this.#waiters.push({
                pred,
                resolve: (m) => {
                    clearTimeout(timer);
                    resolve(m);
                },
            });
        });
    }

    /** Messages on a topic. */
    on(topic: string): Received[] {
        return this.messages.filter((m) => m.topic === topic);
    }

    async close(): Promise<void> {
        await this.client.endAsync(true);
    }
}

/** Parses JSON text. */
export function json<T = Record<string, unknown>>(m: Received): T {
    return JSON.parse(m.text) as T;
}

/** Skip reason unless the command-line clients (mosquitto_sub, mosquitto_pub, mosquitto_rr) are installed. */
export function needClients(): string | false {
    const r = spawnSync("sh", [
        "-c",
        "command -v mosquitto_sub && command -v mosquitto_pub && command -v mosquitto_rr",
    ]);
    return r.status === 0
        ? false
        : "needs mosquitto_sub, mosquitto_pub and mosquitto_rr: install the Debian package mosquitto-clients";
}

/** PEM files of a throw-away CA, a server certificate for 127.0.0.1 and a client certificate, in `dir`. */
export function makeCertificates(
    dir: string,
    prefix = "",
): Record<"ca" | "serverCert" | "serverKey" | "clientCert" | "clientKey", string> {
    const f = (n: string) => join(dir, `${prefix}${n}`);
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    const run = (args: string[]) => {
        const r = spawnSync("openssl", args, { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
    };
    run([
        "req",
        "-x509",
        ...ec,
        "-keyout",
        f("ca.key"),
        "-out",
        f("ca.crt"),
        "-days",
        "2",
        "-subj",
        "/CN=callbackd test CA",
    ]);
    writeFileSync(f("san.ext"), "subjectAltName=IP:127.0.0.1\n");
    for (const [name, cn] of [
        ["server", "127.0.0.1"],
        ["client", "cbk-branch1-cbk1"],
    ] as const) {
        run(["req", ...ec, "-keyout", f(`${name}.key`), "-out", f(`${name}.csr`), "-subj", `/CN=${cn}`]);
        const ext = name === "server" ? ["-extfile", f("san.ext")] : [];
        run([
            "x509",
            "-req",
            "-in",
            f(`${name}.csr`),
            "-CA",
            f("ca.crt"),
            "-CAkey",
            f("ca.key"),
            "-CAcreateserial",
            "-out",
            f(`${name}.crt`),
            "-days",
            "2",
            ...ext,
        ]);
    }
    return {
        ca: f("ca.crt"),
        serverCert: f("server.crt"),
        serverKey: f("server.key"),
        clientCert: f("client.crt"),
        clientKey: f("client.key"),
    };
}

/** Skip reason unless openssl is installed. */
export function needOpenssl(): string | false {
    return spawnSync("openssl", ["version"]).status === 0 ? false : "needs openssl: install the Debian package openssl";
}

/**
 * Security: secrets are never logged, published or written. A full `callbackd run` (the built CLI, as a
 * child process) captures a simulated office live on lo, with the MQTT plane on a password-protected
 * Mosquitto and the TCP console enabled; the push password, the MQTT password and the console password are
 * unique marker strings. The office makes a call-back (pushes carry the push password to the phones), an
 * operator logs in on the console (after a wrong try) and looks at everything, the head-end asks for the
 * configuration over MQTT. Then ALL output — stdout and stderr at trace level, every MQTT message a
 * subscriber on `#` saw, the console transcript, every file in the state directory — is searched for the
 * markers (and for the push credentials as they travel in the Basic Authorization header).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import t from "tap";
import { hashPassword } from "../../src/console/index.js";
import { Branch } from "../../src/sim/branch.js";
import { RealClock } from "../../src/sim/clock.js";
import type { SimPhoneView } from "../../src/sim/types.js";
import { XsiPhoneService } from "../../src/sim/xsi/service.js";
import { Terminal } from "../console/helpers.js";
import { needLiveCapture, until } from "../helpers/live.js";
import { HANG_MS } from "../helpers/wait.js";
import { freePort, mosquittoPath, needMosquitto, Watcher } from "../mgmt/helpers/broker.js";

const root = join(import.meta.dirname, "../..");
const tag = randomBytes(6).toString("hex");
const PUSH_PASSWORD = `PushMarker-${tag}`;
const MQTT_PASSWORD = `MqttMarker-${tag}`;
const CONSOLE_PASSWORD = `ConsoleMarker-${tag}`;
const PUSH_USER = "cbpush";
const MARKERS = {
    "push password": PUSH_PASSWORD,
    "MQTT password": MQTT_PASSWORD,
    "console password": CONSOLE_PASSWORD,
    "push Authorization header": Buffer.from(`${PUSH_USER}:${PUSH_PASSWORD}`).toString("base64"),
    "push password, base64": Buffer.from(PUSH_PASSWORD).toString("base64").replace(/=+$/, ""),
    "MQTT password, base64": Buffer.from(MQTT_PASSWORD).toString("base64").replace(/=+$/, ""),
};

const skip =
    needMosquitto() ||
    (spawnSync("sh", ["-c", "command -v mosquitto_passwd"]).status === 0
        ? false
        : "needs mosquitto_passwd: install the Debian package mosquitto") ||
    needLiveCapture() ||
    (existsSync(join(root, "dist/cli/main.js")) ? false : "needs the built CLI: run npm run build");

/** Every file under `dir`, as Latin-1 text (binary snapshots included: a secret would show as its bytes). */
function readTree(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) Object.assign(out, readTree(p));
        else out[p] = readFileSync(p).toString("latin1");
    }
    return out;
}

t.test("a full run never shows a configured secret", { skip, timeout: 60_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "cbk-secrets-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const stateDir = join(dir, "state");

    // The broker: accounts for the box and for a spy that may read everything.
    const passwd = join(dir, "passwd");
    writeFileSync(passwd, "", { mode: 0o600 });
    for (const [u, p] of [
        ["cbk-branch1-cbk1", MQTT_PASSWORD],
        ["spy", "spy-pw"],
    ]) {
        spawnSync("mosquitto_passwd", ["-b", passwd, u as string, p as string]);
    }
    const mqttPort = await freePort();
    const brokerConf = join(dir, "mosquitto.conf");
    writeFileSync(
        brokerConf,
        `listener ${mqttPort} 127.0.0.1\nuser ${userInfo().username}\nlog_dest none\nallow_anonymous false\npassword_file ${passwd}\n`,
    );
    const broker = spawn(mosquittoPath()!, ["-c", brokerConf], { stdio: "ignore" });
    t.teardown(() => {
        broker.kill();
    });
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    let spy: Watcher | null = null;
    for (let i = 0; i < 100 && spy === null; i++) {
        spy = await Watcher.connect(mqttUrl, ["#"], { username: "spy", password: "spy-pw", reconnectPeriod: 0 }).catch(
            async () => {
                await new Promise((r) => setTimeout(r, 50));
                return null;
            },
        );
    }
    if (spy === null) throw new Error("no broker");
    const watcher = spy;
    t.teardown(() => watcher.client.endAsync());

    // The box's configuration: every secret set.
    const cmPort = await freePort();
    const consolePort = await freePort();
    const xsiPort = await freePort();
    const config = {
        capture: { interface: "lo", sccpPorts: [cmPort] },
        http: { listen: "127.0.0.1:0" },
        phones: { pushUser: PUSH_USER, pushPassword: PUSH_PASSWORD, pushUrl: `http://{ip}:${xsiPort}/CGI/Execute` },
        state: { dir: stateDir },
        mqtt: {
            url: mqttUrl,
            username: "cbk-branch1-cbk1",
            password: MQTT_PASSWORD,
            site: "branch1",
            node: "cbk1",
            telemetryIntervalS: 1,
        },
        console: { device: null, passwordHash: hashPassword(CONSOLE_PASSWORD, 1024), tcpEnabled: true },
        service: { cbbChangeNotificationPort: consolePort },
        log: { level: "trace" },
    };
    const configFile = join(dir, "config.json");
    writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });

    let stdout = "";
    let stderr = "";
    const child: ChildProcess = spawn(process.execPath, [join(root, "bin/callbackd"), "run", "--config", configFile], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => {
        stdout += d.toString("latin1");
    });
    child.stderr?.on("data", (d: Buffer) => {
        stderr += d.toString("latin1");
    });
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    t.teardown(() => {
        if (child.exitCode === null) child.kill("SIGKILL");
    });
    await until(
        () => (stdout.includes('"console listening"') && stdout.includes('"capture open"')) || child.exitCode !== null,
        "the capture and the console",
    );
    t.equal(child.exitCode, null, "the service runs");

    // The office: pushes to the phones carry the push password.
    const clock = new RealClock();
    const phones = new Map<string, XsiPhoneService>();
    const branch = await Branch.start({
        phones: ["1001", "1002", "1003"].map((dn) => ({
            dn,
            xsi: (v: SimPhoneView) => {
                const s = new XsiPhoneService({
                    host: v.ip,
                    port: xsiPort,
                    phone: v,
                    auth: { user: PUSH_USER, password: PUSH_PASSWORD },
                    clock,
                    audio: { dir: join(root, "board") },
                });
                phones.set(v.ip, s);
                return s;
            },
        })),
        clock,
        cm: { port: cmPort },
    });
    t.teardown(() => branch.stop());
    const caller = () => phones.get(branch.phone("1003").ip)!;
    await new Promise((r) => setTimeout(r, 500));
    await branch.call("1001", "1002");
    await branch.answer("1002");
    await branch.call("1003", "1002");
    await until(() => branch.phone("1003").tone === 0x23, "the busy tone");
    await branch.press("1003", "CallBack");
    await until(() => caller().screens.some((s) => s.text.includes("activated")), "the activated screen");
    await branch.hangUp("1003");
    await branch.hangUp("1002");
    await until(() => caller().screens.some((s) => s.text.includes("available")), "the notification");

    // The console: a wrong password, then the right one, then everything an operator may look at.
    const term = await Terminal.tcp(consolePort);
    let transcript = "";
    await term.send("\r");
    transcript += await term.expect(/Password: $/);
    await term.send(`not-${CONSOLE_PASSWORD.slice(0, 5)}\r`);
    transcript += await term.expect(/Login invalid[\s\S]*Password: $/);
    await term.send(`${CONSOLE_PASSWORD}\r`);
    transcript += await term.expect(/[>#]$/);
    for (const cmd of [
        "terminal length 0",
        "show version",
        "show parameters",
        "show mqtt",
        "show callbacks",
        "show phones",
        "show log",
        "show alarms",
    ]) {
        transcript += await term.run(cmd);
    }
    await term.close();

    // The head-end: status and configuration over MQTT.
    for (const cmd of ["status", "get-config"]) {
        await watcher.client.publishAsync(`callbackd/v1/branch1/cbk1/cmd/${cmd}`, JSON.stringify({ id: cmd }), {
            qos: 1,
        });
        await watcher.next((m) => m.topic === `callbackd/v1/branch1/cbk1/res/${cmd}`, HANG_MS);
    }
    await new Promise((r) => setTimeout(r, 1200)); // a telemetry period

    child.kill("SIGTERM");
    t.equal(await exited, 0, "clean exit");

    // The run did what it should (else finding nothing would prove nothing).
    t.ok(caller().screens.length >= 2, "pushes were accepted with the push credentials");
    t.match(transcript, /show mqtt[\s\S]*Broker/, "the console login worked");
    t.ok(
        watcher.messages.some(
            (m) => m.topic === "callbackd/v1/branch1/cbk1/status" && m.text.includes('"online":true'),
        ),
        "the box connected to the broker with its password",
    );
    t.ok(stdout.split("\n").length > 10, "logs were written");
    const files = readTree(stateDir);
    t.ok(Object.keys(files).length > 0, "the state directory holds snapshots");

    const outputs: Record<string, string> = {
        stdout,
        stderr,
        "console transcript": transcript,
        ...Object.fromEntries(
            watcher.messages.map((m, i) => [`MQTT #${i} ${m.topic}`, `${m.topic} ${m.payload.toString("latin1")}`]),
        ),
        ...files,
    };
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(outputs)) {
        for (const [what, marker] of Object.entries(MARKERS))
            if (text.includes(marker)) leaks.push(`${what} in ${where}`);
    }
    t.same(leaks, [], "no secret in any output");
});

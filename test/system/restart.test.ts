/**
 * Restarting on request brings the service back (issue T item 1): MQTT `restart` and console `reload` make
 * `callbackd run` exit with EXIT_RESTART (75), which the unit restarts on (RestartForceExitStatus=) and does
 * not count as a failure (SuccessExitStatus=); SIGTERM (systemctl stop) still exits 0 and stays stopped.
 * Where systemd runs as PID 1 the restart is also watched under systemd itself.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import t from "tap";
import { EXIT_RESTART } from "../../src/system/exitStatus.js";
import { Terminal } from "../console/helpers.js";
import { CONSOLE_PASSWORD, startService } from "../helpers/runningService.js";
import { HANG_MS } from "../helpers/wait.js";
import { needMosquitto, TestBroker } from "../mgmt/helpers/broker.js";

const unit = readFileSync(join(import.meta.dirname, "../../systemd/callbackd.service"), "utf8");
const unitValue = (key: string): string[] =>
    [...unit.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].flatMap((m) => m[1]!.trim().split(/\s+/));

t.test("the unit restarts on the restart status and does not call it a failure", async (t) => {
    t.equal(EXIT_RESTART, 75);
    t.same(unitValue("Restart"), ["on-failure"], "a plain stop stays stopped");
    t.ok(unitValue("RestartForceExitStatus").includes(String(EXIT_RESTART)));
    t.ok(unitValue("SuccessExitStatus").includes(String(EXIT_RESTART)));
    t.ok(Number.parseInt(unitValue("StartLimitBurst")[0] ?? "0", 10) >= 3, "room for an operator's restarts");
});

t.test("console reload exits with the restart status; SIGTERM exits 0", async (t) => {
    const svc = await startService();
    t.teardown(() => svc.stop());
    const term = await Terminal.tcp(svc.consolePort);
    t.teardown(() => term.close());
    await term.expect(/Password: $/);
    await term.send(`${CONSOLE_PASSWORD}\r`);
    await term.expect(/>$/);
    await term.send("enable\r");
    await term.expect(/Password: $/);
    await term.send(`${CONSOLE_PASSWORD}\r`);
    await term.expect(/#$/);
    await term.send("reload\r");
    t.equal(await svc.exited, EXIT_RESTART, "console reload");
    t.match(svc.output(), /restart requested/);

    const plain = await startService();
    t.equal(await plain.stop(), 0, "SIGTERM: a clean stop, not restarted");
});

t.test("MQTT restart exits with the restart status", { skip: needMosquitto() }, async (t) => {
    const broker = await TestBroker.start();
    t.teardown(() => broker.destroy());
    const svc = await startService({ mqtt: { url: broker.url, site: "branch1", node: "cbk1" } });
    t.teardown(() => svc.stop());
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    t.teardown(() => client.endAsync(true));
    await client.subscribeAsync("callbackd/v1/branch1/cbk1/res/restart");
    const answered = new Promise<string>((resolve) => client.on("message", (_t, p) => resolve(p.toString())));
    await client.publishAsync("callbackd/v1/branch1/cbk1/cmd/restart", JSON.stringify({ id: "r1" }), { qos: 1 });
    t.match(JSON.parse(await answered), { id: "r1", status: "accepted" });
    t.equal(await svc.exited, EXIT_RESTART);
});

/** Skip reason unless systemd runs this machine (PID 1) and we may start transient units. */
function needSystemd(): string | false {
    if (!existsSync("/run/systemd/system")) return "needs systemd as PID 1 (not the case here)";
    if (process.getuid?.() !== 0) return "needs root to start a transient systemd unit";
    return false;
}

t.test("under systemd: exit 75 is restarted, exit 0 is not", { skip: needSystemd() }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "cbk-unit-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const name = `callbackd-restart-test-${process.pid}`;
    // the unit's own restart settings; the first run exits 75, the second 0
    const marker = join(dir, "started-once");
    const props = ["Restart", "RestartForceExitStatus", "SuccessExitStatus"].flatMap((k) => [
        "-p",
        `${k}=${unitValue(k).join(" ")}`,
    ]);
    const r = spawnSync(
        "systemd-run",
        [
            `--unit=${name}`,
            "-p",
            "RestartSec=100ms",
            ...props,
            "sh",
            "-c",
            `if [ -e ${marker} ]; then exit 0; fi; touch ${marker}; exit ${EXIT_RESTART}`,
        ],
        { encoding: "utf8" },
    );
    t.equal(r.status, 0, r.stderr);
    t.teardown(() => void spawnSync("systemctl", ["reset-failed", name]));
    const show = () =>
        spawnSync("systemctl", ["show", name, "-p", "NRestarts", "-p", "ActiveState", "-p", "Result"], {
            encoding: "utf8",
        }).stdout;
    const end = Date.now() + HANG_MS;
    while (!/ActiveState=inactive/.test(show()) || !/NRestarts=1/.test(show())) {
        if (Date.now() > end) break;
        await new Promise((res) => setTimeout(res, 100));
    }
    t.match(show(), /NRestarts=1/, "restarted once, after the 75");
    t.match(show(), /Result=success/, "neither exit is a failure");
});

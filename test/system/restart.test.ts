import { readFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import t from "tap";
import { EXIT_RESTART } from "../../src/system/exitStatus.js";
import { Terminal } from "../console/helpers.js";
import { CONSOLE_PASSWORD, startService } from "../helpers/runningService.js";
import { needSystemd, startSystemd } from "../helpers/systemd.js";
import { waitFor } from "../helpers/wait.js";
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

t.test("under systemd: exit 75 is restarted, exit 0 is not", { skip: needSystemd() }, async (t) => {
    const systemd = await startSystemd();
    t.teardown(() => systemd.stop());
    const name = `callbackd-restart-test-${process.pid}`;
    // the unit's own restart settings; the first run exits 75, the second 0
    const runs = `/run/${name}.runs`;
    const props = ["Restart", "RestartForceExitStatus", "SuccessExitStatus"].flatMap((k) => [
        "-p",
        `${k}=${unitValue(k).join(" ")}`,
    ]);
    const r = systemd.run("systemd-run", [
        `--unit=${name}`,
        "-p",
        "RestartSec=100ms",
        "-p",
        "DefaultDependencies=no",
        ...props,
        // an absolute path: systemd-run looks a name up on its own PATH, which may lead into the test's /tmp
        "/bin/sh",
        "-c",
        `echo run >> ${runs}; if [ "$(wc -l < ${runs})" -ge 2 ]; then exit 0; fi; exit ${EXIT_RESTART}`,
    ]);
    t.equal(r.status, 0, r.stderr);
    t.teardown(() => {
        systemd.run("systemctl", ["stop", name]);
        systemd.run("systemctl", ["reset-failed", name]);
        systemd.run("rm", ["-f", runs]);
    });
    // A restart is scheduled while the unit is still activating ("auto-restart"): once it is inactive no
    // further run can come. A failed unit would stay loaded as "failed".
    const state = () => systemd.run("systemctl", ["is-active", name]).stdout.trim();
    await waitFor(() => state() === "inactive" || state() === "failed", "the unit to end");
    t.equal(state(), "inactive", "neither exit is a failure");
    t.equal(systemd.run("cat", [runs]).stdout, "run\nrun\n", "restarted once after the 75, not after the 0");
});

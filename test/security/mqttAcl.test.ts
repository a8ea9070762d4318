/**
 * Security: MQTT command authorisation. The box acts on whatever reaches its `cmd/…` and `config/desired`
 * topics (there is no per-message signature): the broker's authentication and ACL are the control. This
 * runs a real Mosquitto with the shipped board/mosquitto/callbackd.acl and checks that anonymous clients,
 * wrong passwords, a read-only monitor and another box's account can neither command the box, change its
 * configuration nor read its commands, while the operators' account can (the positive control).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import t from "tap";
import { HANG_MS } from "../helpers/wait.js";
import { freePort, mosquittoPath, needMosquitto, Watcher } from "../mgmt/helpers/broker.js";
import { startPlane } from "../mgmt/helpers/service.js";

const ACL = join(import.meta.dirname, "../../board/mosquitto/callbackd.acl");
// mosquitto_passwd has no option that exits 0 without a file: look it up on PATH
const skip =
    needMosquitto() ||
    (spawnSync("sh", ["-c", "command -v mosquitto_passwd"]).status === 0
        ? false
        : "needs mosquitto_passwd: install the Debian package mosquitto");
const BASE = "callbackd/v1/branch1/cbk1";
const USERS: Record<string, string> = {
    "cbk-branch1-cbk1": "box-secret",
    "cbk-branch2-cbk1": "other-box-secret",
    ops: "ops-secret",
    monitor: "monitor-secret",
};

async function listening(port: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
        const ok = await new Promise<boolean>((resolve) => {
            const s = netConnect(port, "127.0.0.1");
            s.once("connect", () => {
                s.destroy();
                resolve(true);
            });
            s.once("error", () => resolve(false));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error("mosquitto did not start");
}

t.test("the shipped ACL: only the operators may command or configure a box", { skip }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "cbk-acl-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const passwd = join(dir, "passwd");
    writeFileSync(passwd, "", { mode: 0o600 });
    for (const [u, p] of Object.entries(USERS)) {
        const r = spawnSync("mosquitto_passwd", ["-b", passwd, u, p], { encoding: "utf8" });
        t.equal(r.status, 0, `account ${u}`);
    }
    const port = await freePort();
    const conf = join(dir, "mosquitto.conf");
    writeFileSync(
        conf,
        [
            `listener ${port} 127.0.0.1`,
            `user ${userInfo().username}`,
            "log_dest none",
            "per_listener_settings false",
            "allow_anonymous false",
            `password_file ${passwd}`,
            `acl_file ${ACL}`,
            "",
        ].join("\n"),
    );
    const broker = spawn(mosquittoPath()!, ["-c", conf], { stdio: "ignore" });
    t.teardown(() => {
        broker.kill();
    });
    await listening(port);
    const url = `mqtt://127.0.0.1:${port}`;
    const box = await startPlane(url, {
        broker: { url, username: "cbk-branch1-cbk1", password: USERS["cbk-branch1-cbk1"]!, reconnectMs: 100 },
    });
    t.teardown(() => box.mgmt.stop());

    // Nobody gets in without an account.
    for (const [what, opts] of [
        ["anonymous", {}],
        ["a wrong password", { username: "ops", password: "guess" }],
    ] as const) {
        await t.rejects(
            mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 3000, ...opts }),
            `${what} is refused`,
        );
    }

    const connect = (user: string) =>
        Watcher.connect(url, ["callbackd/v1/#"], { username: user, password: USERS[user]!, reconnectPeriod: 0 });
    const monitor = await connect("monitor");
    const other = await connect("cbk-branch2-cbk1");
    const ops = await connect("ops");
    t.teardown(() => Promise.all([monitor, other, ops].map((w) => w.client.endAsync())));

    // The attackers try: cancel a call-back, change the configuration, restart the box.
    for (const w of [monitor, other]) {
        await w.client
            .publishAsync(`${BASE}/cmd/cancel-callback`, JSON.stringify({ id: "evil-1", args: { id: "cb1" } }), {
                qos: 1,
            })
            .catch(() => {});
        await w.client
            .publishAsync(`${BASE}/cmd/restart`, JSON.stringify({ id: "evil-2" }), { qos: 1 })
            .catch(() => {});
        await w.client
            .publishAsync(
                `${BASE}/config/desired`,
                JSON.stringify({ version: 99, config: { log: { level: "trace" } } }),
                {
                    qos: 1,
                    retain: true,
                },
            )
            .catch(() => {});
    }
    // The positive control: the operators cancel cb1 (responses go to res/ without a response topic).
    await ops.client.publishAsync(`${BASE}/cmd/cancel-callback`, JSON.stringify({ id: "ops-1", args: { id: "cb1" } }), {
        qos: 1,
    });
    const res = await ops.next((m) => m.topic === `${BASE}/res/cancel-callback`, HANG_MS);
    t.match(JSON.parse(res.text), { id: "ops-1", status: "ok" }, "the operators' command is carried out");
    await new Promise((r) => setTimeout(r, 300));

    t.same(box.service.calls, ["cancelCallback cb1"], "only the operators' cancel reached the service");
    t.same(box.restarts, [], "no restart");
    t.same(box.applied, [], "no configuration applied");
    t.notOk(
        ops.messages.some((m) => m.topic.endsWith("/res/restart") || m.text.includes("evil")),
        "no response to the refused commands",
    );
    t.notOk(
        ops.messages.some((m) => m.topic === `${BASE}/config/desired`),
        "no desired configuration was stored by the attackers",
    );
    // Reading: the monitor sees the reports but not the commands; another box sees nothing of this one.
    t.ok(
        monitor.messages.some((m) => m.topic === `${BASE}/status`),
        "the monitor reads the status",
    );
    t.notOk(
        monitor.messages.some((m) => /\/(cmd|res|config\/desired)/.test(m.topic)),
        "the monitor reads no commands, responses or desired configuration",
    );
    t.same(
        other.messages.map((m) => m.topic),
        [],
        "another box's account reads nothing of this box",
    );
});

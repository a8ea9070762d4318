/**
 * The console as an operator meets it (issue T items 4 and 10): forwarding shown only where a line
 * forwards, `show mqtt` without "[object Object]", `show debugging`, user mode listing no privileged
 * command, a lockout for every session, `set parameter` with every MQTT key and a did-you-mean,
 * `show running-config` / `show startup-config` differing until `write memory`.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t, { type Test } from "tap";
import { loadConfig } from "../../src/config/load.js";
import { SavedConfig } from "../../src/config/saved.js";
import { hashPassword } from "../../src/console/config.js";
import { type Consoles, startConsoles } from "../../src/console/index.js";
import { ConfigControl } from "../../src/mgmt/configControl.js";
import { needOffice, type Office, startOffice } from "../e2e/helpers.js";
import { login, Terminal } from "./helpers.js";

const HASH = hashPassword("pw", 1024);

async function setup(
    t: Test,
    extra: { control?: ConfigControl; mqttStatus?: Record<string, unknown>; lockoutS?: number } = {},
): Promise<{ o: Office; consoles: Consoles }> {
    const o = await startOffice([{ dn: "1001" }, { dn: "1002" }]);
    t.teardown(() => o.stop());
    const consoles = await startConsoles(o.service, {
        device: null,
        tcpPort: 0,
        passwordHash: HASH,
        maxFailures: 3,
        lockoutS: extra.lockoutS ?? 30,
        providers: {
            hostname: "cb",
            configControl: extra.control ?? new ConfigControl({ boot: o.service.config, apply: () => {} }),
            mqtt: { connected: true, status: () => extra.mqttStatus ?? {} },
            logLevels: false,
        },
    });
    t.teardown(() => consoles.close());
    return { o, consoles };
}

t.test(
    "show phone: forwarding only where a line forwards; show mqtt: no [object Object]",
    { skip: needOffice() },
    async (t) => {
        const { o, consoles } = await setup(t, {
            mqttStatus: {
                config: { appliedVersion: 3, pending: [{ key: "cti.port", running: 2748, configured: 2749 }] },
                alarms: { active: 0, bySeverity: {} },
            },
        });
        await o.until(() => o.service.model.allDevices().length === 2, "two phones registered");
        const term = await Terminal.tcp(consoles.tcpPort!);
        t.teardown(() => term.close());
        await login(term);
        const name = o.service.model.allDevices()[0]!.name!;
        const phone = await term.run(`show phone ${name}`);
        t.match(phone, /Line 1: 10\d\d/);
        t.notMatch(phone, /forward/, "a line that does not forward says nothing about it");
        const mqtt = await term.run("show mqtt");
        t.notMatch(mqtt, /\[object Object\]/);
        t.match(mqtt, /config\.pending: \{"key":"cti\.port","running":2748,"configured":2749\}/);
        t.match(mqtt, /alarms\.bySeverity: /);
    },
);

t.test("show debugging; user mode ? and Tab hide privileged commands", { skip: needOffice() }, async (t) => {
    const { consoles } = await setup(t);
    const term = await Terminal.tcp(consoles.tcpPort!);
    t.teardown(() => term.close());
    await login(term);
    t.match(await term.run("show debugging"), /No debugging is on in this session/);
    await term.run("debug callback");
    t.match(await term.run("show debugging"), /callback debugging is on \(log namespace callback at debug\)/);
    await term.run("undebug all");
    term.out = "";
    await term.send("?");
    const user = await term.expect(/cb>$/);
    for (const w of ["clear", "set", "test", "reload", "write"]) t.notMatch(user, new RegExp(`^\\s+${w}\\s`, "m"), w);
    t.match(user, /^\s+show\s/m);
    await term.send("\x15re\t");
    t.notMatch(await term.expect(/cb>re/), /reload/, "Tab does not complete a privileged command");
    await term.send("\x15");
    await term.run("");
    await term.send("enable\r");
    await term.expect(/Password: $/);
    await term.send("pw\r");
    await term.expect(/#$/);
    term.out = "";
    await term.send("?");
    const priv = await term.expect(/cb#$/);
    for (const w of ["clear", "set", "reload", "write"]) t.match(priv, new RegExp(`^\\s+${w}\\s`, "m"), w);
});

t.test("the lockout blocks every session, not only the one that failed", { skip: needOffice() }, async (t) => {
    const { consoles } = await setup(t, { lockoutS: 30 });
    const a = await Terminal.tcp(consoles.tcpPort!);
    t.teardown(() => a.close());
    await a.expect(/Password: $/);
    for (let i = 0; i < 3; i++) {
        await a.send("wrong\r");
        await a.expect(i < 2 ? /Login invalid[\s\S]*Password: $/ : /locked for 30 seconds/);
    }
    const b = await Terminal.tcp(consoles.tcpPort!);
    t.teardown(() => b.close());
    await b.expect(/Password: $/);
    await b.send("pw\r");
    t.match(
        await b.expect(/Password: $/),
        /% Login blocked for \d+ more seconds: too many failures/,
        "even the right password",
    );
    t.notMatch(b.out, /cb>/);
});

t.test(
    "set parameter takes every MQTT key, with a did-you-mean; values with spaces",
    { skip: needOffice() },
    async (t) => {
        const { o, consoles } = await setup(t);
        const term = await Terminal.tcp(consoles.tcpPort!);
        t.teardown(() => term.close());
        await login(term, true);
        t.match(await term.run("set parameter log.level debug"), /log\.level: silent -> debug \(in effect now/);
        t.match(await term.run("set parameter log.modules.wire trace"), /log\.modules\.wire: \(none\) -> trace/);
        t.match(
            await term.run("set parameter capture.filter tcp port 2000 or tcp port 2748"),
            /capture\.filter: null -> tcp port 2000 or tcp port 2748 \(takes effect after a restart: write memory, then reload\)/,
        );
        t.match(
            await term.run("set parameter phones.pushPassword n3w-Secret"),
            /phones\.pushPassword: \[Redacted\] -> \[Redacted\]/,
        );
        t.notMatch(term.out, /n3w-Secret/);
        t.match(
            await term.run("set parameter cti.prot 2749"),
            /% cti\.prot: unknown key \(did you mean "cti\.port"\?\)/,
        );
        t.match(await term.run("set parameter phones.pushUrl ftp://{ip}/x"), /% .*phones\.pushUrl: must be an http/);
        t.match(await term.run("set parameter phones null"), /is a section, not a parameter/);
        void o;
    },
);

t.test(
    "running and startup configuration differ until write memory (issue T item 4)",
    { skip: needOffice() },
    async (t) => {
        const dir = mkdtempSync(join(tmpdir(), "cbk-wrmem-"));
        t.teardown(() => rmSync(dir, { recursive: true, force: true }));
        const file = join(dir, "config.json");
        writeFileSync(file, JSON.stringify({ state: { dir: join(dir, "state") }, cti: { port: 2748 } }));
        const { mkdirSync } = await import("node:fs");
        mkdirSync(join(dir, "state"));
        const env = { CALLBACKD_CALLBACK_NOTIFY_ATTEMPTS: "4" };
        const saved = SavedConfig.locate({ file, env });
        const boot = loadConfig(saved.loadOptions());
        const control = new ConfigControl({ boot, apply: () => {}, store: saved });
        const { consoles } = await setup(t, { control });
        const term = await Terminal.tcp(consoles.tcpPort!);
        t.teardown(() => term.close());
        await login(term, true);
        await term.run("set parameter cti.port 2749");
        await term.run("set parameter callback.guardTimeMs 5000");
        await term.run("set parameter callback.notifyAttempts 5");
        await term.run("set parameter phones.pushPassword s3cret-Pw");
        const running = await term.run("show running-config");
        t.match(running, /^cti\.port 2749 {3}! after a restart$/m);
        t.match(running, /^callback\.guardTimeMs 5000$/m);
        t.match(running, /^phones\.pushPassword \[Redacted\]$/m);
        t.match(running, /4 change\(s\) not saved/);
        const before = await term.run("show startup-config");
        t.notMatch(before, /cti\.port/, "the start configuration does not have it yet");
        t.match(before, /callback\.notifyAttempts 4/, "the environment is part of the start");
        const wr = await term.run("write memory");
        t.match(wr, /Saved 3 change\(s\) to .*saved-config\.json: /);
        t.match(
            wr,
            /% Not saved: callback\.notifyAttempts: set by the environment variable CALLBACKD_CALLBACK_NOTIFY_ATTEMPTS/,
        );
        t.match(wr, /\[OK\]/);
        const after = await term.run("show startup-config");
        t.match(after, /^cti\.port 2749$/m);
        t.match(after, /^callback\.guardTimeMs 5000$/m);
        t.match(await term.run("show running-config"), /1 change\(s\) not saved \(callback\.notifyAttempts\)/);
        t.notMatch(term.out + wr + after, /s3cret-Pw/, "never echoed");
        // the file: mode 0600, the secret in it, loaded by the next start
        const savedFile = join(dir, "state", "saved-config.json");
        t.equal(statSync(savedFile).mode & 0o777, 0o600);
        t.match(readFileSync(savedFile, "utf8"), /s3cret-Pw/);
        const next = loadConfig(SavedConfig.locate({ file, env }).loadOptions());
        t.equal(next.cti.port, 2749, "a restart-only change takes effect at the next start");
        t.equal(next.callback.guardTimeMs, 5000);
        t.equal(next.callback.notifyAttempts, 4, "the environment still wins");
        t.equal(next.phones.pushPassword, "s3cret-Pw");
    },
);

import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import t from "tap";
import { brokerAddress, diagnose, runDoctor } from "../../src/cli/doctor.js";
import { main } from "../../src/cli/main.js";
import { needTool } from "../helpers/tools.js";

const dir = mkdtempSync(join(tmpdir(), "callbackd-doctor-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, body: Record<string, unknown>): string {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(body));
    return file;
}

function sink(): { out: PassThrough; text: () => string } {
    const out = new PassThrough();
    let text = "";
    out.on("data", (b: Buffer) => {
        text += b.toString();
    });
    return { out, text: () => text };
}

const byName = (results: { name: string; status: string }[]) =>
    Object.fromEntries(results.map((r) => [r.name, r.status]));

t.test("this machine: lo, a writable state dir and a listening broker are OK", async (t) => {
    const server = createServer((s) => s.destroy()).listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    t.teardown(() => server.close());
    const port = (server.address() as { port: number }).port;
    const file = configFile("ok.json", {
        capture: { interface: "lo" },
        state: { dir: join(dir, "state") },
        mqtt: { url: `mqtt://127.0.0.1:${port}` },
        phones: { pushUser: "cbpush", pushPassword: "x" },
    });
    const { out, text } = sink();
    const code = await main(["doctor", "--config", file], { out, err: new PassThrough(), env: {} });
    t.equal(code, 0, text());
    t.match(text(), /^OK {3}config: /m);
    t.match(text(), /^OK {3}capture source: interface lo/m);
    t.match(text(), /^WARN state directory: .* does not exist yet/m);
    t.match(text(), /^OK {3}MQTT broker: 127\.0\.0\.1:\d+ accepts TCP connections/m);
    t.match(text(), /^(OK|WARN) serial console: \/dev\/serial0/m, "the default device is checked");
    t.match(text(), /^WARN console login: console\.passwordHash is not set/m);
    t.match(text(), /^(OK|WARN) time sync/m);
    t.match(text(), /0 failed/);
    if (process.getuid?.() === 0) t.match(text(), /^OK {3}capture privilege: running as root/m);
});

t.test("what fails is named with a fix, and the exit code is 1", async (t) => {
    const server = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const file = configFile("bad.json", {
        capture: { interface: "nosuchnic0" },
        state: { dir },
        mqtt: { url: `mqtt://127.0.0.1:${port}` },
    });
    const { out, text } = sink();
    const code = await runDoctor({
        file,
        env: {},
        out,
        probes: { uid: () => 1000, effectiveCaps: () => 0n, ntpSynchronized: () => "no" },
    });
    t.equal(code, 1);
    t.match(text(), /^FAIL capture source: interface nosuchnic0 does not exist \(present: .*lo/m);
    t.match(text(), /^FAIL MQTT broker: .* not reachable/m);
    t.match(text(), /^WARN capture privilege: .* — fix: run doctor as root/m);
    t.match(text(), /^OK {3}state directory: .* is writable/m);
    t.match(text(), /^WARN phone push user/m);
    t.match(text(), /^WARN time sync: clock not synchronized/m);
});

t.test("probes: capabilities, time, pcap, file source, invalid config", async (t) => {
    const capture = join(dir, "c.pcap");
    writeFileSync(capture, "");
    const file = configFile("file.json", { capture: { file: capture }, state: { dir: join(dir, "a", "b") } });
    const r = byName(
        await diagnose({
            file,
            env: {},
            out: new PassThrough(),
            probes: {
                uid: () => 1000,
                effectiveCaps: () => 1n << 13n,
                ntpSynchronized: () => "yes",
                pcapAddon: () => ({ error: "no addon" }),
            },
        }),
    );
    t.same(
        [r["capture privilege"], r["capture source"], r["time sync"], r["pcap addon"], r["MQTT broker"]],
        ["OK", "OK", "OK", "WARN", "SKIP"],
    );
    const r2 = byName(
        await diagnose({
            file: configFile("iface.json", { capture: { interface: "lo" } }),
            env: {},
            out: new PassThrough(),
            probes: {
                uid: () => 1000,
                effectiveCaps: () => null,
                ntpSynchronized: () => null,
                pcapAddon: () => ({ error: "no addon" }),
                sysNet: join(dir, "nonet"),
            },
        }),
    );
    t.same(
        [r2["capture privilege"], r2["capture source"], r2["time sync"], r2["pcap addon"]],
        ["WARN", "FAIL", "WARN", "FAIL"],
    );
    const r3 = byName(
        await diagnose({
            file: configFile("invalid.json", { capture: { interface: 42 } }),
            env: {},
            out: new PassThrough(),
            probes: { uid: () => 1000, effectiveCaps: () => 0n },
        }),
    );
    t.equal(r3.config, "FAIL");
    // Root without CAP_NET_RAW (a container that dropped it) cannot capture: it was reported OK before.
    const rootless = byName(
        await diagnose({
            file: configFile("root-nocap.json", { capture: { interface: "lo" } }),
            env: {},
            out: new PassThrough(),
            probes: { uid: () => 0, effectiveCaps: () => 0n, sysNet: join(dir, "nonet") },
        }),
    );
    t.equal(rootless["capture privilege"], "WARN", "root without CAP_NET_RAW");
    const rooted = byName(
        await diagnose({
            file: configFile("root-cap.json", { capture: { interface: "lo" } }),
            env: {},
            out: new PassThrough(),
            probes: { uid: () => 0, effectiveCaps: () => 1n << 13n, sysNet: join(dir, "nonet") },
        }),
    );
    t.equal(rooted["capture privilege"], "OK", "root with CAP_NET_RAW");
    t.equal(r3["capture source"], "FAIL", "defaults have no source");
    t.equal(r3["capture privilege"], "SKIP");
    const r4 = byName(
        await diagnose({
            file: configFile("missing.json", { capture: { file: join(dir, "missing.pcap") } }),
            env: {},
            out: new PassThrough(),
        }),
    );
    t.equal(r4["capture source"], "FAIL");
    // The real /proc/self/status of an ordinary user view; a state "directory" that is a file.
    const asFile = join(dir, "state-file");
    writeFileSync(asFile, "");
    const r5 = byName(
        await diagnose({
            file: configFile("statefile.json", { capture: { interface: "lo" }, state: { dir: asFile } }),
            env: {},
            out: new PassThrough(),
            probes: { uid: () => 1000 },
        }),
    );
    t.match(r5["capture privilege"], /^(OK|WARN)$/);
    t.equal(r5["state directory"], "FAIL");
});

t.test("interface down, state dir not writable, bad broker URL", async (t) => {
    const net = join(dir, "net");
    rmSync(net, { recursive: true, force: true });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(net, "eth0"), { recursive: true });
    writeFileSync(join(net, "eth0", "operstate"), "down\n");
    mkdirSync(join(net, "eth1"), { recursive: true });
    const ro = join(dir, "ro");
    mkdirSync(ro, { recursive: true });
    chmodSync(ro, 0o500);
    t.teardown(() => chmodSync(ro, 0o700));
    const base = { env: {}, out: new PassThrough(), probes: { sysNet: net } };
    const r = await diagnose({
        ...base,
        file: configFile("down.json", { capture: { interface: "eth0" }, mqtt: { url: "mqtt://[::1" } }),
    });
    t.equal(byName(r)["capture source"], "WARN");
    t.equal(byName(r).config, "FAIL", "a broker URL that is no URL is a configuration error");
    t.equal(byName(r)["MQTT broker"], "SKIP", "and the broker check uses the default for it");
    const r2 = await diagnose({ ...base, file: configFile("up.json", { capture: { interface: "eth1" } }) });
    t.equal(byName(r2)["capture source"], "OK");
    // Root writes anywhere: the read-only cases are only checkable as an ordinary user.
    const asRoot = process.getuid?.() === 0;
    const r3 = byName(await diagnose({ ...base, file: configFile("ro.json", { state: { dir: ro } }) }))[
        "state directory"
    ];
    t.equal(r3, asRoot ? "OK" : "FAIL");
    const r4 = byName(await diagnose({ ...base, file: configFile("ro2.json", { state: { dir: join(ro, "x") } }) }))[
        "state directory"
    ];
    t.equal(r4, asRoot ? "WARN" : "FAIL");
    // As root the FAIL case is checked too: the doctor in a child without any capability (setpriv), still
    // uid 0, so only the directory's mode decides, as for the service's own user on a box.
    await t.test(
        "as root without capabilities, a state directory it may not write fails",
        {
            skip: !asRoot
                ? "not root: checked in process above"
                : needTool("setpriv", "util-linux", ["--version"]) ||
                  (existsSync(join(import.meta.dirname, "../../dist/cli/main.js"))
                      ? false
                      : "needs dist/: run npm run build"),
        },
        async (t) => {
            const doctor = (config: string) =>
                spawnSync(
                    "setpriv",
                    [
                        "--bounding-set=-all",
                        "--inh-caps=-all",
                        process.execPath,
                        join(import.meta.dirname, "../../bin/callbackd"),
                        "doctor",
                        "--config",
                        config,
                    ],
                    { encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } },
                );
            const ro1 = doctor(configFile("ro-cap.json", { state: { dir: ro } }));
            t.match(ro1.stdout, /^FAIL state directory/m, ro1.stdout + ro1.stderr);
            t.notMatch(ro1.stdout, /^OK {3}capture privilege/m, "and no capture privilege without CAP_NET_RAW");
            t.equal(ro1.status, 1);
            const ro2 = doctor(configFile("ro2-cap.json", { state: { dir: join(ro, "x") } }));
            t.match(ro2.stdout, /^FAIL state directory/m, ro2.stdout + ro2.stderr);
        },
    );
});

t.test("broker addresses", async (t) => {
    t.same(brokerAddress("mqtt://b.example"), { host: "b.example", port: 1883 });
    t.same(brokerAddress("mqtts://b.example"), { host: "b.example", port: 8883 });
    t.same(brokerAddress("wss://[::1]:9001/mqtt"), { host: "::1", port: 9001 });
    t.same(brokerAddress("foo://b"), { host: "b", port: 1883 });
});

t.test("a configuration waiting on the boot partition is reported", async (t) => {
    const boot = join(dir, "boot-firmware-callbackd.json");
    const check = async () => {
        const r = await diagnose({ env: {}, out: new PassThrough(), probes: { bootConfigFiles: [boot] } });
        return r.find((c) => c.name === "boot-partition config");
    };
    t.match(await check(), { status: "SKIP", detail: "no callbackd.json on the boot partition" });
    writeFileSync(boot, JSON.stringify({ capture: { interface: "eth1" } }));
    t.match(await check(), { status: "WARN", detail: /is valid and replaces the configuration at the next start/ });
    writeFileSync(boot, '{"capture": {"interfac": "eth1"}}');
    t.match(await check(), { status: "WARN", detail: /is invalid and is not applied \(CONFIG_INVALID: .*interfac/ });
    rmSync(boot);
});

t.test("phone knowledge: none yet, every phone known, and the phones that lack something named", async (t) => {
    const { encodeSlot } = await import("../../src/store/slots.js");
    const { encodeKnowledge, KNOWLEDGE_FORMAT } = await import("../../src/store/knowledgeCodec.js");
    const { readFileSync, mkdirSync } = await import("node:fs");
    const fixtures = join(import.meta.dirname, "../fixtures/store");
    const knowledge = JSON.parse(readFileSync(join(fixtures, "expected-knowledge.json"), "utf8"));
    const stateDir = join(dir, "knowledge-state");
    mkdirSync(stateDir);
    const file = configFile("knowledge.json", { state: { dir: stateDir } });
    const check = async () => {
        const results = await diagnose({ file, env: {}, out: new PassThrough() });
        return results.find((r) => r.name === "phone knowledge");
    };
    t.match(await check(), {
        status: "WARN",
        detail: /no phone learned yet/,
        fix: /reset these phones from CallManager/,
    });
    const write = (k: unknown) =>
        writeFileSync(
            join(stateDir, "knowledge.a"),
            encodeSlot({ formatVersion: KNOWLEDGE_FORMAT, generation: 1n, payload: encodeKnowledge(k as never) }),
        );
    // the fixture: one phone learned at registration, one anonymous phone with a number from a call whose
    // CallManager's template is known
    write(knowledge);
    t.match(await check(), { status: "OK", detail: "2 phone(s) known with their CallBack key and numbers" });
    // the CallManager's template unknown: the anonymous phone lacks the CallBack key
    write({ ...knowledge, callManagers: [knowledge.callManagers[0]] });
    t.match(await check(), {
        status: "WARN",
        detail: "1 of 2 phone(s) cannot be served fully: @10.102.10.77 lacks callback-key",
        fix: /reset these phones from CallManager/,
    });
});

t.test("one bad key: the other checks keep the operator's values (issue T item 9)", async (t) => {
    const results = await diagnose({
        file: configFile("one-bad.json", {
            capture: { interface: "lo" },
            cti: { port: 70000 },
            phones: { pushUrl: "ftp://{ip}/CGI/Execute", pushUser: "cbpush", pushPassword: "x" },
            console: { device: null, passwordHash: "not-a-hash" },
        }),
        env: {},
        out: new PassThrough(),
    });
    const r = byName(results);
    const config = results.find((x) => x.name === "config")!;
    t.equal(config.status, "FAIL");
    t.match(config.detail, /cti\.port/);
    t.match(config.detail, /phones\.pushUrl: must be an http:\/\/ or https:\/\/ URL/, "the push URL run refuses");
    t.match(config.detail, /console\.passwordHash: must be a hash made with `callbackd console --hash`/);
    t.notMatch(config.detail, /\^scrypt/, "no regular expression for the operator");
    t.match(config.fix, /the other checks use the default for them/);
    t.equal(r["capture source"], "OK", "capture.interface lo is still checked");
    t.equal(r["phone push user"], "OK", "the push user is still the operator's");
    t.equal(r["serial console"], "SKIP");
    t.equal(r["console login"], "WARN", "the bad hash is at its default (null): logins are refused");
});

t.test("serial console and console login (issue T items 9 and 12)", async (t) => {
    const regular = join(dir, "not-a-tty");
    writeFileSync(regular, "");
    const check = async (consoleSection: Record<string, unknown>, canOpenRw = true) => {
        const results = await diagnose({
            file: configFile("console.json", { console: consoleSection }),
            env: {},
            out: new PassThrough(),
            probes: { canOpenRw: () => canOpenRw },
        });
        const pick = (name: string) => results.find((x) => x.name === name)!;
        return { serial: pick("serial console"), login: pick("console login") };
    };
    const none = await check({ device: null, tcpEnabled: false });
    t.match(none.serial, { status: "SKIP", detail: /console\.device is null/ });
    t.match(none.login, { status: "SKIP" });
    const missing = await check({ device: join(dir, "ttyUSB9") });
    t.match(missing.serial, { status: "WARN", detail: /does not exist/ });
    t.match(missing.login, { status: "WARN", fix: /callbackd console --hash/ });
    t.match((await check({ device: regular })).serial, { status: "FAIL", detail: /not a character device/ });
    t.match((await check({ device: "/dev/null" }, false)).serial, { status: "WARN", fix: /dialout/ });
    const hash = "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=";
    const ok = await check({ device: "/dev/null", passwordHash: hash });
    t.match(ok.serial, { status: "OK", detail: "/dev/null at 115200 baud" });
    t.match(ok.login, { status: "OK" });
});

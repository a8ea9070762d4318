#!/usr/bin/env node
// Soak (issue M): a branch of 2,000 simulated phones (memory transport, manual clock) with random calls and
// CallBack presses, mirrored into the real CallbackService (capture time), for --minutes N of branch time,
// with random faults: phones not answering pushes / slow / HTTP 500 / garbage / CiscoIPPhoneError 4,
// a real Mosquitto (else the embedded broker) killed and restarted, snapshot writes failing (EIO/ENOSPC on the
// state directory), capture gaps (mirror frames dropped). Ends with a report: requests made, notified,
// ended by reason, lost (acknowledged durable but neither ended nor active: must be 0, checked again after
// a restart from the state directory), alarms raised and cleared, memory curve, event-loop lag.
// Time: --speed 1 (default) runs the branch in step with the wall clock (an hour takes an hour);
// --speed N runs it N times faster; --speed 0 as fast as the machine goes.
// Run after `npm run build`: node scripts/soak.mjs [--minutes 60] [--phones 2000] [--speed 1] [--seed N]
//   [--calls-per-hour 4] [--history 200] [--dist DIR] [--json FILE] [--markdown FILE]
// Exit code 1 when a request was lost or the service stopped serving.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
    options: {
        minutes: { type: "string", default: "60" },
        phones: { type: "string", default: "2000" },
        speed: { type: "string", default: "1" },
        seed: { type: "string" },
        "calls-per-hour": { type: "string", default: "4" },
        history: { type: "string", default: "200" },
        dist: { type: "string" },
        json: { type: "string" },
        markdown: { type: "string" },
        quiet: { type: "boolean", default: false },
    },
});
const dist = resolve(values.dist ?? join(root, "dist"));
if (!existsSync(join(dist, "service/callbackService.js"))) throw new Error(`${dist} not built: run npm run build`);
const { CallbackService } = await import(join(dist, "service/callbackService.js"));
const { serviceApi } = await import(join(dist, "service/serviceApi.js"));
const { loadConfig } = await import(join(dist, "config/load.js"));
const { configureLogging } = await import(join(dist, "logging/logger.js"));
const { Branch } = await import(join(dist, "sim/branch.js"));
const { frameSinkOutput } = await import(join(dist, "sim/synth.js"));
const { TrafficGenerator } = await import(join(dist, "sim/traffic.js"));
const { NodeFlashFs } = await import(join(dist, "store/flashFs.js"));
const { SlotStore } = await import(join(dist, "store/slots.js"));
const { decodePayload } = await import(join(dist, "store/snapshotCodec.js"));
const { MqttManagement } = await import(join(dist, "mgmt/mqttManagement.js"));
const { startEmbeddedBroker } = await import(join(dist, "mgmt/embeddedBroker.js"));

const MINUTES = Number(values.minutes);
const PHONES = Number(values.phones);
const SPEED = Number(values.speed);
const CALLS_PER_HOUR = Number(values["calls-per-hour"]);
const seed = Number(values.seed ?? Date.now() % 1_000_000);
const CM_PORT = 2000;
const SIM_MS = MINUTES * 60_000;
const log = (s) => {
    if (!values.quiet) process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
};

let rs = seed >>> 0 || 1;
/** xorshift32: a run can be replayed (as far as wall-clock timing allows) with --seed. */
function random() {
    rs ^= rs << 13;
    rs >>>= 0;
    rs ^= rs >>> 17;
    rs ^= rs << 5;
    rs >>>= 0;
    return rs / 0x1_0000_0000;
}
const between = (a, b) => a + (b - a) * random();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

configureLogging({ level: "silent" });
const stateDir = mkdtempSync(join(tmpdir(), "callbackd-soak-"));
mkdirSync(join(stateDir, "state"));
mkdirSync(join(stateDir, "mgmt"));

// ---------------------------------------------------------------------------------------------------------
// Faults

/** The state directory with injectable failures (a flash that stops taking writes, or fills up). */
class FaultyFs {
    fault = null;
    failures = 0;
    constructor(inner) {
        this.inner = inner;
    }
    #check(op) {
        if (this.fault === null) return;
        this.failures++;
        const err = new Error(`${op}: ${this.fault} (injected)`);
        err.code = this.fault;
        throw err;
    }
    read(n) {
        return this.inner.read(n);
    }
    async writeDurable(n, d) {
        this.#check("writeDurable");
        return this.inner.writeDurable(n, d);
    }
    async rename(a, b) {
        this.#check("rename");
        return this.inner.rename(a, b);
    }
    async syncDir() {
        this.#check("syncDir");
        return this.inner.syncDir();
    }
    remove(n) {
        return this.inner.remove(n);
    }
    list() {
        return this.inner.list();
    }
}

// Phones' answers to pushes: mostly a success; a background rate of failures, more during a push-fault episode.
const PUSH_MODES = ["hang", "slow", "http500", "garbage", "error4", "reset"];
const push = { total: 0, byMode: Object.fromEntries(["ok", ...PUSH_MODES].map((m) => [m, 0])) };
let pushFaultRate = 0.02;
/** Phones that do not answer at all for a while (unplugged): device names. */
const deadPhones = new Set();
const hung = new Set();
const pushServer = createServer((req, res) => {
    push.total++;
    const device = new URL(req.url ?? "/", "http://x").searchParams.get("d") ?? "";
    let mode = "ok";
    if (deadPhones.has(device)) mode = "hang";
    else if (random() < pushFaultRate) mode = PUSH_MODES[Math.floor(random() * PUSH_MODES.length)];
    push.byMode[mode]++;
    req.resume();
    const ok = () => {
        if (res.destroyed) return;
        res.writeHead(200, { "content-type": "text/xml" });
        res.end('<CiscoIPPhoneResponse><ResponseItem Status="0" Data="" URL=""/></CiscoIPPhoneResponse>');
    };
    switch (mode) {
        case "ok":
            req.on("end", ok);
            break;
        case "slow":
            setTimeout(ok, between(1000, 4000));
            break;
        case "http500":
            res.writeHead(500).end("Internal Server Error");
            break;
        case "garbage":
            res.writeHead(200, { "content-type": "text/xml" }).end("<<<\u0000\u0001not xml");
            break;
        case "error4":
            res.writeHead(200, { "content-type": "text/xml" }).end('<CiscoIPPhoneError Number="4"/>');
            break;
        case "reset":
            req.socket.destroy();
            break;
        default: {
            // no answer: the push client's timeout decides; the socket is dropped after 30 s either way
            hung.add(res);
            setTimeout(() => {
                hung.delete(res);
                req.socket.destroy();
            }, 30_000).unref();
        }
    }
});
await new Promise((r) => pushServer.listen(0, "127.0.0.1", r));
const pushPort = pushServer.address().port;

// The broker: a real Mosquitto when installed (killed with SIGKILL and restarted), else the embedded one.
async function freePort() {
    const s = createNetServer();
    await new Promise((r) => s.listen(0, "127.0.0.1", r));
    const { port } = s.address();
    await new Promise((r) => s.close(r));
    return port;
}
const brokerPort = await freePort();
const haveMosquitto = spawnSync("sh", ["-c", "command -v mosquitto"]).status === 0;
const brokerConf = join(stateDir, "mosquitto.conf");
writeFileSync(brokerConf, `listener ${brokerPort} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
let broker = null;
async function startBroker() {
    if (haveMosquitto) {
        const p = spawn("mosquitto", ["-c", brokerConf], { stdio: "ignore" });
        broker = { kill: () => p.kill("SIGKILL"), proc: p };
    } else {
        const b = await startEmbeddedBroker({ host: "127.0.0.1", port: brokerPort });
        broker = { kill: () => b.close(), proc: null };
    }
    await sleep(200);
}
async function stopBroker() {
    const b = broker;
    broker = null;
    if (b === null) return;
    if (b.proc !== null) {
        const closed = new Promise((r) => b.proc.once("exit", r));
        b.kill();
        await closed;
    } else await b.kill();
}
await startBroker();
// Ctrl-C / kill: take the broker down with us.
for (const sig of ["SIGINT", "SIGTERM"]) {
    process.once(sig, () => {
        broker?.kill();
        process.exit(130);
    });
}
const brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;

// ---------------------------------------------------------------------------------------------------------
// The service

const config = loadConfig({
    env: {},
    overrides: {
        http: { listen: "127.0.0.1:0" },
        capture: { sccpPorts: [CM_PORT] },
        phones: {
            pushUser: "soak",
            pushPassword: "soak-password",
            pushUrl: `http://127.0.0.1:${pushPort}/CGI/Execute?d={device}`,
        },
        state: { dir: join(stateDir, "state") },
        mqtt: { url: brokerUrl, site: "soak", node: "callbackd" },
        log: { level: "silent" },
    },
});

const flash = new FaultyFs(new NodeFlashFs(join(stateDir, "state")));
const acked = new Set();
const ended = new Map();
const endReasons = {};
const alarms = {};
/** Alarms currently raised. */
const raised = new Set();
let notified = 0;
let presses = 0;
let mgmt = null;
const onNotified = [];
const service = new CallbackService({
    config,
    fs: flash,
    timeMode: "capture",
    onAlarm: (id, action) => {
        alarms[id] ??= { raised: 0, cleared: 0 };
        if (action === "raise") {
            alarms[id].raised++;
            raised.add(id);
        } else {
            alarms[id].cleared++;
            raised.delete(id);
        }
        try {
            if (action === "raise") mgmt?.alarms.raise(id, { text: "soak" });
            else mgmt?.alarms.clear(id);
        } catch {}
    },
    onEvent: (e) => {
        if (e.type === "CallBackPressed") presses++;
        else if (e.type === "RequestChanged") {
            if (e.change === "activated") acked.add(e.id);
            else if (e.change === "notified") {
                notified++;
                for (const f of onNotified) f(e.request);
            }
        } else if (e.type === "RequestEnded") {
            ended.set(e.id, e.reason);
            endReasons[e.reason] = (endReasons[e.reason] ?? 0) + 1;
        }
    },
});
await service.start();
mgmt = new MqttManagement({
    site: "soak",
    node: "callbackd",
    broker: { url: brokerUrl, protocolVersion: haveMosquitto ? 5 : 4 },
    flash: new NodeFlashFs(join(stateDir, "mgmt")),
    config: { boot: config, apply: () => {} },
    version: "soak",
    service: serviceApi(service),
    telemetry: { intervalMs: 30_000 },
});
await mgmt.start();

// ---------------------------------------------------------------------------------------------------------
// The branch

let capturing = true;
let framesDropped = 0;
const sink = frameSinkOutput(service.onFrame);
const tap = {
    writeFrom(ts, buf, start, end) {
        if (capturing) sink.writeFrom(ts, buf, start, end);
        else framesDropped++;
    },
};
const t0 = Date.now();
// --history: messages each simulated phone keeps (the simulator's memory, not the service's)
const branch = Branch.startSync({
    phones: PHONES,
    cm: { port: CM_PORT },
    tap,
    seed: seed % 1000,
    history: Number(values.history),
});
log(`${PHONES} phones registered in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const clock = branch.clock;
const simStart = clock.now();
const traffic = new TrafficGenerator(branch.phones, clock, {
    seed,
    callsPerHour: CALLS_PER_HOUR,
    callBackProbability: 0.6,
    forwardChangesPerHour: 20,
});
traffic.start();

// A notified caller dials the number back (most of the time) a few seconds later.
let dialledBack = 0;
onNotified.push((r) => {
    if (random() > 0.7) return;
    clock.setTimer(between(2000, 8000), () => {
        let p;
        try {
            p = branch.phone(r.caller.name ?? r.caller.device);
        } catch {
            return;
        }
        if (!p.isIdle()) return;
        try {
            p.dial(r.calledDn);
            dialledBack++;
        } catch {}
    });
});

// ---------------------------------------------------------------------------------------------------------
// Fault episodes, on the branch clock

const faults = { pushErrors: 0, deadPhones: 0, flash: 0, gaps: 0, brokerRestarts: 0, adminCancels: 0 };
const faultLog = [];
function episode(kind, durationMs, start, stop) {
    faults[kind]++;
    const at = clock.now() - simStart;
    faultLog.push({ at, kind, durationMs: Math.round(durationMs) });
    start();
    clock.setTimer(durationMs, stop);
}
function scheduleFaults() {
    clock.setTimer(between(60_000, 180_000), () => {
        scheduleFaults();
        if (clock.now() - simStart > SIM_MS - 120_000) return; // the last two minutes are quiet: recovery
        const k = Math.floor(random() * 6);
        if (k === 0) {
            episode(
                "pushErrors",
                between(30_000, 120_000),
                () => {
                    pushFaultRate = 0.5;
                },
                () => {
                    pushFaultRate = 0.02;
                },
            );
        } else if (k === 1) {
            const n = Math.floor(between(5, 50));
            const set = [];
            for (let i = 0; i < n; i++) set.push(branch.phones[Math.floor(random() * branch.phones.length)].deviceName);
            episode(
                "deadPhones",
                between(60_000, 300_000),
                () => {
                    for (const d of set) deadPhones.add(d);
                },
                () => {
                    for (const d of set) deadPhones.delete(d);
                },
            );
        } else if (k === 2) {
            const code = random() < 0.5 ? "EIO" : "ENOSPC";
            episode(
                "flash",
                between(10_000, 60_000),
                () => {
                    flash.fault = code;
                },
                () => {
                    flash.fault = null;
                },
            );
        } else if (k === 3) {
            episode(
                "gaps",
                between(2000, 20_000),
                () => {
                    capturing = false;
                },
                () => {
                    capturing = true;
                },
            );
        } else if (k === 4) {
            episode(
                "brokerRestarts",
                between(2000, 15_000),
                () => {
                    void stopBroker();
                },
                () => {
                    void (async () => {
                        while (broker === null && !stopping) {
                            try {
                                await startBroker();
                            } catch {
                                await sleep(500);
                            }
                        }
                    })();
                },
            );
        } else {
            const active = service.state.requests.filter((r) => r.phase !== "pending");
            const r = active[Math.floor(random() * active.length)];
            if (r !== undefined) {
                faults.adminCancels++;
                service.cancel(r.id, "soak");
            }
        }
    });
}
let stopping = false;
scheduleFaults();

// ---------------------------------------------------------------------------------------------------------
// The run

const lag = monitorEventLoopDelay({ resolution: 20 });
lag.enable();
const memory = [];
function sample() {
    // with node --expose-gc: retained memory, not garbage waiting for the collector
    globalThis.gc?.();
    const m = process.memoryUsage();
    memory.push({
        wallS: Math.round((Date.now() - wallStart) / 1000),
        simMin: Math.round((clock.now() - simStart) / 6000) / 10,
        rssMB: Math.round(m.rss / 1048576),
        heapMB: Math.round(m.heapUsed / 1048576),
        active: service.state.requests.length,
        acked: acked.size,
        ended: ended.size,
    });
}
const wallStart = Date.now();
sample();
const sampler = setInterval(sample, 30_000);
let lastLog = 0;
const STEP = 250;
while (clock.now() - simStart < SIM_MS) {
    const simElapsed = clock.now() - simStart;
    if (SPEED > 0 && simElapsed >= (Date.now() - wallStart) * SPEED) {
        await sleep(Math.min(50, (simElapsed - (Date.now() - wallStart) * SPEED) / SPEED + 1));
        continue;
    }
    await branch.advance(STEP);
    service.tick();
    // let the pushes, the snapshot writes and the MQTT client run
    await new Promise((r) => setImmediate(r));
    if (Date.now() - lastLog > 60_000) {
        lastLog = Date.now();
        const m = memory[memory.length - 1];
        log(
            `branch ${(simElapsed / 60000).toFixed(1)} min: presses ${presses}, acked ${acked.size}, notified ${notified}, ended ${ended.size}, active ${service.state.requests.length}, rss ${m?.rssMB} MB`,
        );
    }
}
stopping = true;
traffic.stop();
flash.fault = null;
pushFaultRate = 0;
deadPhones.clear();
capturing = true;
if (broker === null) await startBroker();
// let the last pushes and snapshot writes finish
for (let i = 0; i < 100 && (service.writer.healthy === false || hung.size > 0); i++) await sleep(100);
await branch.advance(5000);
await sleep(1000);
clearInterval(sampler);
sample();
lag.disable();

// Accounting: every request acknowledged durable has ended with a reason or is still active.
const finalRequests = service.state.requests;
const activeIds = new Set(finalRequests.map((r) => r.id));
const lost = [...acked].filter((id) => !ended.has(id) && !activeIds.has(id));
const counters = { ...service.counters };
const pipeline = service.pipeline.counters;
await service.stop();
await mgmt.stop().catch(() => {});
// And after a restart from the state directory: the active requests are all there (or ended by the restore
// itself with a reason, e.g. replaced by a pending request that the restore activates).
const loaded = await new SlotStore(new NodeFlashFs(join(stateDir, "state"))).load();
const snapshotIds = new Set(
    loaded.record === null
        ? []
        : decodePayload(loaded.record.formatVersion, loaded.record.payload).engine.requests.map((r) => r.id),
);
const endedAtRestore = new Map();
const again = new CallbackService({
    config,
    fs: new NodeFlashFs(join(stateDir, "state")),
    timeMode: "capture",
    onEvent: (e) => {
        if (e.type === "RequestEnded") endedAtRestore.set(e.id, e.reason);
    },
});
const { restored } = await again.start();
const restoredIds = new Set(again.state.requests.map((r) => r.id));
const missing = [...activeIds].filter((id) => acked.has(id) && !restoredIds.has(id));
const lostAfterRestart = missing.filter((id) => !endedAtRestore.has(id));
const restartDetail = missing.map((id) => {
    const r = finalRequests.find((x) => x.id === id);
    return {
        id,
        inSnapshot: snapshotIds.has(id),
        endedAtRestore: endedAtRestore.get(id) ?? null,
        phase: r?.phase,
        suspended: r?.suspended,
        replacedBy: finalRequests.find((x) => x.replaces?.id === id)?.id ?? null,
    };
});
const notInMemory = [...snapshotIds].filter((id) => !activeIds.has(id));
await again.stop();
await branch.stop();
await stopBroker();
for (const res of hung) res.socket?.destroy();
pushServer.close();
// kept for a post-mortem when something was lost
const keepState = lost.length > 0 || lostAfterRestart.length > 0;
if (!keepState) rmSync(stateDir, { recursive: true, force: true });
else log(`state directory kept for inspection: ${stateDir}`);

const wallS = (Date.now() - wallStart) / 1000;
const ms = (ns) => Math.round(ns / 1e4) / 100;
const report = {
    command: `node scripts/soak.mjs ${process.argv.slice(2).join(" ")}`.trim(),
    seed,
    phones: PHONES,
    branchMinutes: MINUTES,
    wallMinutes: Math.round(wallS / 6) / 10,
    time: SPEED === 1 ? "real time" : SPEED > 0 ? `simulated, ${SPEED}x real time` : "simulated, as fast as possible",
    broker: haveMosquitto ? "mosquitto (SIGKILL + restart)" : "embedded aedes (close + restart)",
    traffic: traffic.stats,
    presses,
    requests: {
        acknowledged: acked.size,
        notified,
        dialledBack,
        ended: ended.size,
        endReasons,
        activeAtEnd: activeIds.size,
        restoredAfterRestart: restored,
        lost: lost.length,
        lostIds: lost.slice(0, 20),
        lostAfterRestart: lostAfterRestart.length,
        endedByTheRestore: Object.fromEntries(endedAtRestore),
        restartDetail,
        inSnapshotNotInMemory: notInMemory,
    },
    pushes: { ...push, serviceOk: counters.pushOk, serviceFailed: counters.pushFailed },
    faults,
    flashFailuresInjected: flash.failures,
    framesDropped,
    framesSeen: pipeline.frames,
    alarms,
    alarmsStillRaised: [...raised],
    historyPerPhone: Number(values.history),
    gcBeforeSample: typeof globalThis.gc === "function",
    eventLoopLagMs: { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max) },
    memory,
    machine: `${cpus()[0]?.model.trim() ?? "unknown"}, ${cpus().length} cores, Node ${process.version}`,
};

function markdown(r) {
    const lines = [];
    lines.push(`### Soak: ${r.phones} phones, ${r.branchMinutes} min of branch time (${r.time})`, "");
    lines.push(`Command: \`${r.command}\` (seed ${r.seed}); wall time ${r.wallMinutes} min; ${r.machine}.`, "");
    lines.push("| Figure | Value |", "|---|---|");
    const row = (k, v) => lines.push(`| ${k} | ${v} |`);
    row(
        "call attempts / answered / busy / reorder",
        `${r.traffic.attempts} / ${r.traffic.answered} / ${r.traffic.busy} / ${r.traffic.reorder}`,
    );
    row("CallBack presses seen by the service", r.presses);
    row("requests acknowledged durable (activated)", r.requests.acknowledged);
    row("notified", r.requests.notified);
    row("callers dialling back after the notification", r.requests.dialledBack);
    for (const [k, v] of Object.entries(r.requests.endReasons).sort()) row(`ended: ${k}`, v);
    row("still active at the end", r.requests.activeAtEnd);
    row("restored after a restart from the state directory", r.requests.restoredAfterRestart);
    row("**lost** (acknowledged, neither ended nor active)", `**${r.requests.lost}**`);
    row("**lost across the restart**", `**${r.requests.lostAfterRestart}**`);
    row(
        "pushes received by the phones (ok / hang / slow / 500 / garbage / error 4 / reset)",
        `${r.pushes.total} (${["ok", ...PUSH_MODES].map((m) => r.pushes.byMode[m]).join(" / ")})`,
    );
    row("pushes: service counted ok / failed", `${r.pushes.serviceOk} / ${r.pushes.serviceFailed}`);
    row(
        "fault episodes (push errors / dead phones / flash / capture gaps / broker restarts / admin cancels)",
        `${r.faults.pushErrors} / ${r.faults.deadPhones} / ${r.faults.flash} / ${r.faults.gaps} / ${r.faults.brokerRestarts} / ${r.faults.adminCancels}`,
    );
    row("snapshot operations failed by injection", r.flashFailuresInjected);
    row("mirror frames seen / dropped in capture gaps", `${r.framesSeen} / ${r.framesDropped}`);
    row(
        "event-loop lag p50 / p99 / max (ms)",
        `${r.eventLoopLagMs.p50} / ${r.eventLoopLagMs.p99} / ${r.eventLoopLagMs.max}`,
    );
    row("broker", r.broker);
    lines.push("", "| Alarm | raised | cleared |", "|---|---|---|");
    for (const [k, v] of Object.entries(r.alarms).sort()) lines.push(`| ${k} | ${v.raised} | ${v.cleared} |`);
    lines.push(
        "",
        `Alarms still raised at the end: ${r.alarmsStillRaised.length ? r.alarmsStillRaised.join(", ") : "none"}.`,
    );
    lines.push(
        "",
        `Memory of the whole process — service, simulated branch (${r.historyPerPhone} messages kept per phone) and broker client — sampled every 30 s of wall time${r.gcBeforeSample ? " after a full GC" : ""}; every 10th sample shown:`,
        "",
    );
    lines.push("| wall s | branch min | RSS MB | heap MB | active requests |", "|---|---|---|---|---|");
    r.memory.forEach((m, i) => {
        if (i % 10 === 0 || i === r.memory.length - 1)
            lines.push(`| ${m.wallS} | ${m.simMin} | ${m.rssMB} | ${m.heapMB} | ${m.active} |`);
    });
    return `${lines.join("\n")}\n`;
}

const md = markdown(report);
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
if (values.markdown) writeFileSync(values.markdown, md);
console.log(JSON.stringify({ ...report, memory: `${report.memory.length} samples` }, null, 2));
process.stderr.write(md);
process.exit(lost.length === 0 && lostAfterRestart.length === 0 ? 0 : 1);

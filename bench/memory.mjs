#!/usr/bin/env node
// Item 3 of the benchmark suite (issue L): memory of the whole CallbackService with 20,000 registered phones
// and 20,000 pending call-back requests, then a soak at 200 calls/s sampling RSS and heap every 10 s.
// The phones are a simulated branch in a child process (bench/mirror-sim.mjs) whose mirror frames arrive
// as a pcap stream on a pipe and feed CallbackService.onFrame in capture time, so this process holds the
// service and nothing else. The requests are restored from a snapshot the child writes to a temp dir (callers
// are the branch's phones, callees numbers outside the branch, so they stay pending). Pushes are off.
// Run after `npm run build`: node --expose-gc bench/memory.mjs [--phones N] [--requests N]
// [--calls-per-second N] [--soak-minutes M] [--sample-s S]. Prints one JSON object.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { int, machine, ROOT, requireDist } from "./lib.mjs";

requireDist();
const { CallbackService } = await import(join(ROOT, "dist/service/callbackService.js"));
const { CaptureFileParser } = await import(join(ROOT, "dist/capture/pcapFile.js"));
const { loadConfig } = await import(join(ROOT, "dist/config/load.js"));
const { configureLogging } = await import(join(ROOT, "dist/logging/logger.js"));
const { NodeFlashFs } = await import(join(ROOT, "dist/store/flashFs.js"));

const { values } = parseArgs({
    options: {
        phones: { type: "string", default: "20000" },
        requests: { type: "string", default: "20000" },
        "calls-per-second": { type: "string", default: "200" },
        "soak-minutes": { type: "string", default: "10" },
        "sample-s": { type: "string", default: "10" },
    },
});
const PHONES = Number(values.phones);
const REQUESTS = Number(values.requests);
const CPS = Number(values["calls-per-second"]);
const MINUTES = Number(values["soak-minutes"]);
const SAMPLE_MS = Number(values["sample-s"]) * 1000;
if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
configureLogging({ level: "silent" });

const MiB = 2 ** 20;
function sample(t0) {
    globalThis.gc();
    const m = process.memoryUsage();
    return {
        s: Math.round((Date.now() - t0) / 100) / 10,
        rssMiB: +(m.rss / MiB).toFixed(1),
        heapUsedMiB: +(m.heapUsed / MiB).toFixed(1),
        heapTotalMiB: +(m.heapTotal / MiB).toFixed(1),
        externalMiB: +(m.external / MiB).toFixed(1),
    };
}
const baseline = sample(Date.now());

// --- the branch, in a child ---
const stateDir = mkdtempSync(join(tmpdir(), "callbackd-bench-memory-"));
const sim = fork(
    join(ROOT, "bench/mirror-sim.mjs"),
    [
        JSON.stringify({
            phones: PHONES,
            callsPerSecond: CPS,
            minutes: MINUTES,
            talkTimeMs: 20_000,
            stateDir,
            requests: REQUESTS,
        }),
    ],
    { stdio: ["ignore", "pipe", "inherit", "ipc"] },
);
const registered = await new Promise((resolve, reject) => {
    sim.once("message", resolve);
    sim.once("exit", (code) => reject(new Error(`simulator exited ${code}`)));
});
const t0 = Date.now();

// --- the state on flash (written by the child): REQUESTS pending requests from the branch's phones ---
const fs = new NodeFlashFs(stateDir);

// --- the service ---
const config = loadConfig({
    env: {},
    overrides: { http: { listen: "127.0.0.1:0" }, capture: { sccpPorts: [2000] }, log: { level: "silent" } },
});
const service = new CallbackService({ config, fs, timeMode: "capture" });
const { restored } = await service.start();
const afterRestore = sample(t0); // the service with its requests, before any phone is seen
const parser = new CaptureFileParser();
let frames = 0;
const sink = (f) => {
    frames++;
    service.onFrame(f);
};
sim.stdout.on("data", (chunk) => parser.push(chunk, sink));
sim.send({ type: "start" });
while (frames < registered.frames) await new Promise((r) => setTimeout(r, 50));
const registerS = (Date.now() - t0) / 1000;
// the model's memory without the transient garbage of registration
await new Promise((r) => setTimeout(r, 200));
const loaded = sample(t0);
const modelStats = service.model.stats();
const pending = service.state.requests.length;
process.stderr.write(
    `memory: ${modelStats.devices} phones, ${pending} requests: RSS ${loaded.rssMiB} MiB, heap ${loaded.heapUsedMiB} MiB\n`,
);

// --- the soak ---
const samples = [];
const progress = [];
const soakT0 = Date.now();
sim.on("message", (m) => {
    if (m.type === "progress") progress.push({ s: (Date.now() - soakT0) / 1000, frames: m.frames });
});
const done = new Promise((resolve) => sim.on("message", (m) => m.type === "done" && resolve(m)));
sim.send({ type: "go" });
const timer = setInterval(() => {
    const s = sample(soakT0);
    s.frames = frames;
    s.liveCalls = service.model.liveCalls().length;
    s.requests = service.state.requests.length;
    samples.push(s);
    process.stderr.write(`soak ${s.s} s: RSS ${s.rssMiB} MiB, heap ${s.heapUsedMiB} MiB, ${s.liveCalls} live calls\n`);
}, SAMPLE_MS);
const end = await done;
clearInterval(timer);
await new Promise((r) => setTimeout(r, 300)); // the last frames on the pipe
const final = sample(soakT0);

/** Least-squares slope of y over x (per minute), on the samples after the warm-up. */
function slope(points, key) {
    const n = points.length;
    if (n < 2) return null;
    const xs = points.map((p) => p.s / 60);
    const ys = points.map((p) => p[key]);
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const my = ys.reduce((a, b) => a + b, 0) / n;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
        num += (xs[i] - mx) * (ys[i] - my);
        den += (xs[i] - mx) ** 2;
    }
    return den === 0 ? null : +(num / den).toFixed(3);
}
// The first minute fills the branch with live calls (talk time 20 s, ring up to 10 s): not a leak.
const steady = samples.filter((s) => s.s >= 60);
const fit = steady.length >= 3 ? steady : samples;
const soakFrames = frames - registered.frames;
const soakS = (Date.now() - soakT0) / 1000;
const result = {
    machine: machine(),
    phones: PHONES,
    registeredDevices: modelStats.devices,
    requestsRestored: restored,
    requestsPending: pending,
    registerS,
    baseline,
    afterRestore,
    loaded,
    soak: {
        minutes: MINUTES,
        callsPerSecondAsked: CPS,
        callsPlaced: end.traffic.attempts,
        callsPerSecond: +(end.traffic.attempts / soakS).toFixed(1),
        framesPerSecond: Math.round(soakFrames / soakS),
        samples,
        final,
        fitFromS: fit[0]?.s ?? null,
        rssSlopeMiBPerMin: slope(fit, "rssMiB"),
        heapSlopeMiBPerMin: slope(fit, "heapUsedMiB"),
        maxRssMiB: Math.max(loaded.rssMiB, ...samples.map((s) => s.rssMiB), final.rssMiB),
        traffic: end.traffic,
        simProgress: progress,
    },
    frames,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.stderr.write(`memory: ${int(frames)} frames, max RSS ${result.soak.maxRssMiB} MiB\n`);
await service.stop();
sim.kill();
rmSync(stateDir, { recursive: true, force: true });

#!/usr/bin/env node
// Item 5 of the benchmark suite (issue L): live capture on `lo` at increasing packet rates. A child
// (bench/inject.cjs) injects the generated capture's SCCP frames on lo with pcap_inject at a paced rate
// (they are addressed to 10.x hosts, so the kernel drops them after the capture taps: no replies, no RST);
// this process runs LiveCapture (libpcap in its child, filter "tcp port 2000") into the whole
// CallbackService (live clock, pushes off). Each step: `seconds` at one rate, then the libpcap counters
// (received, dropped by the buffer, dropped by the interface) and the frames that reached the service.
// Stops at the first rate with drops. Needs root or CAP_NET_RAW and the pcap addon.
// Run after `npm run build`: node bench/livecap.mjs [--rates 5000,10000,...] [--seconds S] [--file F]
import { fork } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchCapture, machine, ROOT, requireDist } from "./lib.mjs";

requireDist();
const { LiveCapture } = await import(join(ROOT, "dist/capture/liveCapture.js"));
const { CallbackService } = await import(join(ROOT, "dist/service/callbackService.js"));
const { loadConfig } = await import(join(ROOT, "dist/config/load.js"));
const { configureLogging } = await import(join(ROOT, "dist/logging/logger.js"));
const { MemoryFlashFs } = await import(join(ROOT, "dist/store/flashFs.js"));

const { values } = parseArgs({
    options: {
        rates: { type: "string", default: "5000,10000,20000,50000,100000,150000,200000,300000,400000" },
        seconds: { type: "string", default: "3" },
        packets: { type: "string", default: "300000" },
        phones: { type: "string", default: "2000" },
        "buffer-mib": { type: "string", default: "10" },
        "snap-length": { type: "string", default: "65535" },
    },
});
const RATES = values.rates.split(",").map(Number);
const SECONDS = Number(values.seconds);
configureLogging({ level: "silent" });
const { file } = await benchCapture(Number(values.packets), Number(values.phones));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const config = loadConfig({
    env: {},
    overrides: { http: { listen: "127.0.0.1:0" }, capture: { sccpPorts: [2000] }, log: { level: "silent" } },
});
const service = new CallbackService({ config, fs: new MemoryFlashFs(), timeMode: "live" });
await service.start();
const capture = new LiveCapture(
    {
        interface: "lo",
        filter: "tcp port 2000",
        snapLength: Number(values["snap-length"]),
        bufferSizeBytes: Number(values["buffer-mib"]) * 2 ** 20,
        promiscuous: false,
        retryMs: 1000,
        statsIntervalMs: 200,
    },
    service.onFrame,
);
capture.start();
for (let k = 0; k < 100 && capture.stats().state !== "open"; k++) await sleep(50);
if (capture.stats().state !== "open")
    throw new Error(`capture did not open: ${JSON.stringify(capture.stats().lastError)}`);

const injector = fork(join(ROOT, "bench/inject.cjs"), [JSON.stringify({ interface: "lo", file, frames: 100_000 })]);
const next = () => new Promise((resolve) => injector.once("message", resolve));
const loaded = await next();
const tick = setInterval(() => service.tick(), 1000);

const steps = [];
let firstDrop = null;
for (const rate of RATES) {
    const before = capture.stats();
    injector.send({ type: "run", rate, seconds: SECONDS });
    const ran = await next();
    await sleep(600); // the capture child's last stats report and the frames still in the pipe
    const after = capture.stats();
    const step = {
        rate,
        sent: ran.sent,
        injectFailed: ran.failed,
        sentPerSecond: Math.round(ran.sent / ran.seconds),
        received: after.received - before.received,
        dropped: after.dropped - before.dropped,
        ifDropped: after.ifDropped - before.ifDropped,
        frames: after.frames - before.frames,
    };
    steps.push(step);
    process.stderr.write(`live capture ${rate}/s: ${JSON.stringify(step)}\n`);
    if (step.dropped + step.ifDropped > 0 || step.frames < step.sent) {
        firstDrop = step;
        break;
    }
    if (step.sentPerSecond < rate * 0.9) break; // the injector cannot go faster on this machine
}
clearInterval(tick);
injector.send({ type: "stop" });
capture.stop();
await service.stop();
const clean = steps.filter((s) => s !== firstDrop);
const result = {
    machine: machine(),
    file,
    framesLoaded: loaded.frames,
    seconds: SECONDS,
    bufferMiB: Number(values["buffer-mib"]),
    snapLength: Number(values["snap-length"]),
    steps,
    highestDropFree: clean.length ? clean[clean.length - 1] : null,
    firstDrop,
    injectorLimited:
        firstDrop === null &&
        steps.length > 0 &&
        steps[steps.length - 1].sentPerSecond < steps[steps.length - 1].rate * 0.9,
    service: { frames: service.pipeline.counters.frames, devices: service.model.stats().devices },
};
process.stdout.write(`${JSON.stringify(result)}\n`);

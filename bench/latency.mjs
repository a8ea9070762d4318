#!/usr/bin/env node
// Call Back notification latency (issue F): from the frame that frees the callee (its on-hook, as the
// mirror delivers it) entering CallbackService.onFrame to the push request leaving the box, with the guard
// time at 0, in a branch of 5,000 phones with background calls. The simulated branch runs on the memory
// transport and a manual clock (Branch.startSync), its mirror frames feed the service in capture time; the
// pushes go to an HTTP server on loopback in this process. Three instants per sample (process.hrtime):
// the engine's Notify effect, the push's HTTP request created (diagnostics channel
// "http.client.request.start"), and the request's arrival at the loopback server (it has left the box).
// Run after `npm run build`: node bench/latency.mjs [--phones N] [--samples N] [--warmup N] [--calls-per-hour N].
// Prints one JSON object, and the Markdown rows on stderr.
import diagnostics from "node:diagnostics_channel";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
if (!existsSync(join(root, "dist/service/callbackService.js"))) throw new Error("dist/ not found: run npm run build");
const { CallbackService } = await import(join(root, "dist/service/callbackService.js"));
const { loadConfig } = await import(join(root, "dist/config/load.js"));
const { configureLogging } = await import(join(root, "dist/logging/logger.js"));
const { Branch } = await import(join(root, "dist/sim/branch.js"));
const { frameSinkOutput } = await import(join(root, "dist/sim/synth.js"));
const { TrafficGenerator } = await import(join(root, "dist/sim/traffic.js"));
const { MemoryFlashFs } = await import(join(root, "dist/store/flashFs.js"));

const { values } = parseArgs({
    options: {
        phones: { type: "string", default: "5000" },
        samples: { type: "string", default: "300" },
        "calls-per-hour": { type: "string", default: "20" },
        warmup: { type: "string", default: "30" },
    },
});
const PHONES = Number(values.phones);
const SAMPLES = Number(values.samples);
const CALLS_PER_HOUR = Number(values["calls-per-hour"]);
const WARMUP = Number(values.warmup);
const CM_PORT = 2000;

configureLogging({ level: "silent" });
const now = () => process.hrtime.bigint();

// --- the loopback "phones": one HTTP server answers every push ---
let arrived = null;
let arrivals = 0;
const server = createServer((req, res) => {
    const t = now();
    arrivals++;
    if (arrived !== null) arrived(t);
    req.resume();
    req.on("end", () => {
        res.writeHead(200, { "content-type": "text/xml" });
        res.end(
            '<CiscoIPPhoneResponse><ResponseItem Status="0" Data="" URL="Play:CallBack.raw"/></CiscoIPPhoneResponse>',
        );
    });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;

// --- the service ---
const config = loadConfig({
    env: {},
    overrides: {
        http: { listen: "127.0.0.1:0" },
        capture: { sccpPorts: [CM_PORT] },
        phones: {
            pushUser: "bench",
            pushPassword: "bench",
            pushUrl: `http://127.0.0.1:${port}/CGI/Execute?d={device}`,
        },
        callback: { guardTimeMs: 0, maxQueuePerCallee: 5, protectionWindowMs: 1000 },
        log: { level: "silent" },
    },
});
let notifyAt = null;
const service = new CallbackService({
    config,
    fs: new MemoryFlashFs(),
    timeMode: "capture",
    onEvent: (e) => {
        if (e.type === "Notify" && notifyAt === null) notifyAt = now();
    },
});
await service.start();
let requestAt = null;
// the push handed to the push client (the service's last step before the HTTP request)
let pushCalledAt = null;
const client = service.push;
const clientPush = client.push.bind(client);
let pushCalls = 0;
client.push = (target, doc) => {
    pushCalls++;
    if (pushCalledAt === null) pushCalledAt = now();
    return clientPush(target, doc);
};
diagnostics.subscribe("http.client.request.start", () => {
    if (requestAt === null) requestAt = now();
});

// --- the branch: mirror frames go straight into the service, except in the measured step, where they are
// held and then fed one per event-loop turn (as a live capture hands over a batch): the settle of the
// memory network runs the whole branch synchronously, and a push waiting for that would measure the
// simulator, not the box ---
const sink = frameSinkOutput(service.onFrame);
let held = null;
let lastTs = 0;
let backwards = 0;
const tap = {
    writeFrom(ts, buf, start, end) {
        if (ts < lastTs) backwards++;
        else lastTs = ts;
        if (held !== null) held.push({ ts, bytes: buf.slice(start, end) });
        else sink.writeFrom(ts, buf, start, end);
    },
};
const t0 = Date.now();
const branch = Branch.startSync({ phones: PHONES, cm: { port: CM_PORT }, tap });
const registerS = (Date.now() - t0) / 1000;
const phones = branch.phones;
// The last 3 × SAMPLES phones are the measured trios; the others make the background calls.
const trios = Math.min(SAMPLES + WARMUP, Math.floor(phones.length / 6));
const measured = phones.slice(phones.length - 3 * trios);
const background = phones.slice(0, phones.length - 3 * trios);
const traffic = new TrafficGenerator(background, branch.clock, {
    seed: 7,
    callsPerHour: CALLS_PER_HOUR,
    callBackProbability: 0,
    talkTimeMs: 120_000,
});
traffic.start();
// Let the background traffic reach its steady state (a few talk times).
await branch.advance(10 * 60_000);

const liveCalls = () => service.model.liveCalls().length;
const dn = (p) => p.lines[0];
const lat = { notify: [], push: [], request: [], arrival: [] };
let backgroundCalls = 0;
let heldFrames = 0;
const skipped = [];
for (let i = 0; i < trios; i++) {
    const [a, b, c] = measured.slice(3 * i, 3 * i + 3);
    // b is busy with c; a calls b, hears busy, presses CallBack and hangs up.
    c.dial(dn(b));
    await branch.advance(2000);
    b.answer();
    await branch.advance(500);
    a.dial(dn(b));
    await branch.advance(2000);
    a.pressSoftKey("CallBack");
    await branch.advance(500);
    a.hangUp();
    await branch.advance(500);
    // The snapshot writer's flash-wear bucket (3,600 writes/hour of wall time, bursts of 60) paces the
    // activations when the bench runs faster than an office: wait in wall time, not simulated time.
    for (
        let w = 0;
        w < 300 && !service.state.requests.some((r) => r.calledDn === dn(b) && r.phase === "waiting");
        w++
    ) {
        await new Promise((r) => setTimeout(r, 10));
    }
    if (!service.state.requests.some((r) => r.calledDn === dn(b) && r.phase === "waiting")) {
        // e.g. a background caller reached a measured phone first: skip this trio
        skipped.push(
            `${dn(a)}→${dn(b)}: a tone ${a.tone}, b idle ${b.isIdle()}, c idle ${c.isIdle()}, requests ${service.state.requests.length}`,
        );
        for (const p of [a, b, c]) p.hangUp();
        await branch.advance(2000);
        continue;
    }
    backgroundCalls += liveCalls();
    // Earlier pushes (the "activated" screen) must have arrived: the next arrival is the notification's.
    for (let w = 0; w < 300 && arrivals < pushCalls; w++) await new Promise((r) => setTimeout(r, 5));
    // The measured step: b hangs up; with guard time 0 its on-hook notifies a at once.
    notifyAt = null;
    requestAt = null;
    pushCalledAt = null;
    const gotArrival = new Promise((resolve) => {
        arrived = resolve;
    });
    held = [];
    b.hangUp();
    await branch.settle();
    const frames = held;
    held = null;
    let start = null;
    let k = 0;
    for (; k < frames.length && notifyAt === null; k++) {
        const f = frames[k];
        start = now();
        sink.writeFrom(f.ts, f.bytes, 0, f.bytes.length);
    }
    const arrival = await Promise.race([gotArrival, new Promise((r) => setTimeout(() => r(null), 2000))]);
    arrived = null;
    for (; k < frames.length; k++) sink.writeFrom(frames[k].ts, frames[k].bytes, 0, frames[k].bytes.length);
    if (notifyAt === null || arrival === null || requestAt === null) {
        const r = service.state.requests.find((x) => x.calledDn === dn(b));
        skipped.push(
            `${dn(a)}→${dn(b)}: notify ${notifyAt !== null}, request ${requestAt !== null}, arrival ${arrival !== null}, ${r?.phase}/${r?.suspended}, a idle ${a.isIdle()}`,
        );
        c.hangUp();
        await branch.advance(2000);
        continue;
    }
    heldFrames += frames.length;
    if (i < WARMUP) {
        // the first samples warm the JIT up: not counted
        await branch.advance(1000);
        c.hangUp();
        await branch.advance(1000);
        continue;
    }
    lat.notify.push(Number(notifyAt - start) / 1e6);
    lat.push.push(Number(pushCalledAt - start) / 1e6);
    lat.request.push(Number(requestAt - start) / 1e6);
    lat.arrival.push(Number(arrival - start) / 1e6);
    // a dials nothing: the request ends with the recall window; move on (and let c hang up)
    await branch.advance(1000);
    c.hangUp();
    await branch.advance(1000);
}
traffic.stop?.();

function pct(xs, p) {
    const s = [...xs].sort((x, y) => x - y);
    return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const stats = (xs) => ({ p50: pct(xs, 50), p99: pct(xs, 99), max: Math.max(...xs) });
const result = {
    phones: PHONES,
    samples: lat.notify.length,
    warmup: WARMUP,
    skipped,
    registerS,
    meanBackgroundCalls: Math.round(backgroundCalls / trios),
    meanFramesInMeasuredStep: Math.round(heldFrames / trios),
    framesSeen: service.pipeline.counters.frames,
    framesBackInTime: backwards,
    trafficCallsPerPhoneHour: CALLS_PER_HOUR,
    notifyMs: stats(lat.notify),
    pushCalledMs: stats(lat.push),
    requestStartMs: stats(lat.request),
    arrivalMs: stats(lat.arrival),
    machine: `${cpus()[0]?.model.trim() ?? "unknown"}, ${cpus().length} cores, Node ${process.version}`,
};
console.log(JSON.stringify(result, null, 2));
const row = (name, s) => `| ${name} | ${s.p50.toFixed(3)} | ${s.p99.toFixed(3)} | ${s.max.toFixed(3)} |`;
console.error(row("frame in → Notify effect (engine decision)", result.notifyMs));
console.error(row("frame in → PushClient.push called (screen ticket issued, Execute built)", result.pushCalledMs));
console.error(row("frame in → push HTTP request created", result.requestStartMs));
console.error(row("frame in → push request received on loopback (left the box)", result.arrivalMs));
await service.stop();
await branch.stop();
server.close();

#!/usr/bin/env node
// Hostile mirror traffic, measured (docs/RELIABILITY.md, "Hostile traffic on the mirror port"): what the
// reliability tests assert by counts and caps — connections tracked, buffered bytes, cap hits — this
// measures in time and memory: frames per second, the longest synchronous batch, the event-loop delay, and
// the heap + array buffers retained after a full GC. Run after `npm run build`:
//   node --expose-gc bench/hostile.mjs [--json]
// Each scenario runs on a bare CallbackService (capture time, state in memory), fed in 1,000-frame batches
// (about one 64 KiB pipe read of the live capture child) with a yield to the event loop between batches.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setImmediate as yieldLoop } from "node:timers/promises";
import { parseArgs } from "node:util";
import { machine, machineLine, ROOT, requireDist } from "./lib.mjs";

requireDist();
const { values } = parseArgs({ options: { json: { type: "boolean", default: false } } });
if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc bench/hostile.mjs");
const dist = (p) => import(`${ROOT}/dist/${p}`);
const { loadConfig } = await dist("config/load.js");
const { configureLogging } = await dist("logging/logger.js");
const { CallbackService } = await dist("service/callbackService.js");
const { MemoryFlashFs } = await dist("store/flashFs.js");
const { garbage, hugeLengths, interleave, synFlood, tinyOutOfOrder } = await dist("sim/hostile.js");
configureLogging({ level: "silent" });
const MiB = 1024 * 1024;

function retained() {
    globalThis.gc();
    globalThis.gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
}

async function service(reassembly) {
    const config = loadConfig({
        env: {},
        overrides: { http: { listen: "127.0.0.1:0" }, reassembly, log: { level: "silent" } },
    });
    const s = new CallbackService({ config, fs: new MemoryFlashFs(), timeMode: "capture" });
    await s.start();
    return s;
}

/** Plays an attack into the service in batches; time, longest batch and loop delay. */
async function feed(attack, sink, tsStep) {
    const buf = new Uint8Array(2048);
    const frame = { ts: 1_700_000_000, linkType: 1, bytes: buf, origLen: 0, ifIndex: 0 };
    let frames = 0;
    const emit = (b, seq, flags, payload) => {
        const n = b.writeInto(buf, 0, seq, 0, flags, payload, 0, payload?.length ?? 0, frames & 0xffff);
        frame.bytes = buf.subarray(0, n);
        frame.origLen = n;
        frames++;
        sink(frame);
    };
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const t0 = performance.now();
    let maxBatchMs = 0;
    const it = attack(emit);
    for (let done = false; !done; ) {
        frame.ts += tsStep;
        const b0 = performance.now();
        for (let i = 0; i < 1000; i++) {
            if (it.next().done === true) {
                done = true;
                break;
            }
        }
        maxBatchMs = Math.max(maxBatchMs, performance.now() - b0);
        await yieldLoop();
    }
    h.disable();
    const wallMs = performance.now() - t0;
    return { frames, wallMs, framesPerS: frames / (wallMs / 1000), maxBatchMs, lagP99Ms: h.percentile(99) / 1e6 };
}

const results = {};

// The mixed flood of the reliability test (without the office around it).
{
    const s = await service({ maxConnections: 5000, memoryCapBytes: 4 * MiB });
    const before = retained();
    const r = await feed(
        interleave(
            synFlood(30_000, 2000),
            synFlood(10_000, 2748, "10.1.1.2", 50_000),
            garbage(200, 20, 200, 2000),
            garbage(100, 20, 200, 2748, 150_000),
            tinyOutOfOrder(500, 200, 2000),
            hugeLengths(500, 2000, 2748),
        ),
        s.onFrame,
        0.001,
    );
    results.mixedFlood = { ...r, retainedMiB: (retained() - before) / MiB };
    await s.stop();
}

// 600,000 tiny out-of-order segments on 1,000 connections: memory after 200,000 and after 600,000.
{
    const s = await service({ memoryCapBytes: 2 * MiB, maxConnections: 4096 });
    const before = retained();
    const r1 = await feed(tinyOutOfOrder(1000, 200, 2000, 0), s.onFrame, 0.05);
    const after200k = (retained() - before) / MiB;
    const r2 = await feed(tinyOutOfOrder(1000, 200, 2000, 0, 200), s.onFrame, 0.05);
    const r3 = await feed(tinyOutOfOrder(1000, 200, 2000, 0, 400), s.onFrame, 0.05);
    const frames = r1.frames + r2.frames + r3.frames;
    results.tinySegments = {
        frames,
        framesPerS: frames / ((r1.wallMs + r2.wallMs + r3.wallMs) / 1000),
        maxBatchMs: Math.max(r1.maxBatchMs, r2.maxBatchMs, r3.maxBatchMs),
        lagP99Ms: Math.max(r1.lagP99Ms, r2.lagP99Ms, r3.lagP99Ms),
        retainedAfter200kMiB: after200k,
        retainedAfter600kMiB: (retained() - before) / MiB,
    };
    await s.stop();
}

// 42,000 segments of random bytes on 4,000 connections to the SCCP and QBE ports.
{
    const s = await service({});
    const before = retained();
    const r = await feed(
        interleave(garbage(2000, 10, 500, 2000), garbage(2000, 10, 500, 2748, 10_000)),
        s.onFrame,
        0.5,
    );
    s.pipeline.finish();
    results.garbage = { ...r, retainedMiB: (retained() - before) / MiB };
    await s.stop();
}

const host = machine();
if (values.json) {
    console.log(JSON.stringify({ machine: host, results }));
} else {
    const f = (x, d = 1) => (x === undefined ? "—" : x.toFixed(d));
    const k = (x) => Math.round(x).toLocaleString("en-US");
    console.log(`hostile traffic on ${machineLine(host)}`);
    console.log(
        "| Scenario | Frames | Throughput (frames/s) | Longest batch (ms) | Loop delay p99 (ms) | Retained (MiB) |",
    );
    console.log("|---|---:|---:|---:|---:|---|");
    const m = results.mixedFlood;
    console.log(
        `| mixed flood | ${k(m.frames)} | ${k(m.framesPerS)} | ${f(m.maxBatchMs)} | ${f(m.lagP99Ms)} | +${f(m.retainedMiB)} |`,
    );
    const t = results.tinySegments;
    console.log(
        `| tiny out-of-order segments | ${k(t.frames)} | ${k(t.framesPerS)} | ${f(t.maxBatchMs)} | ${f(t.lagP99Ms)} | ${f(t.retainedAfter200kMiB)} after 200 k, ${f(t.retainedAfter600kMiB)} after 600 k |`,
    );
    const g = results.garbage;
    console.log(
        `| garbage | ${k(g.frames)} | ${k(g.framesPerS)} | ${f(g.maxBatchMs)} | ${f(g.lagP99Ms)} | +${f(g.retainedMiB)} |`,
    );
}

#!/usr/bin/env node
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
    machine,
    median,
    pendingRequest,
    percentile,
    ROOT,
    requireDist,
    runToReady,
    snapshotContent,
    syntheticPhone,
} from "./lib.mjs";

requireDist();
const { CallbackService } = await import(join(ROOT, "dist/service/callbackService.js"));
const { loadConfig } = await import(join(ROOT, "dist/config/load.js"));
const { configureLogging } = await import(join(ROOT, "dist/logging/logger.js"));
const { NodeFlashFs } = await import(join(ROOT, "dist/store/flashFs.js"));
const { SlotStore } = await import(join(ROOT, "dist/store/slots.js"));
const { decodePayload, encodeSnapshot, FORMAT_PROTOBUF } = await import(join(ROOT, "dist/store/snapshotCodec.js"));

const { values } = parseArgs({
    options: {
        requests: { type: "string", default: "20000" },
        runs: { type: "string", default: "5" },
        "no-live": { type: "boolean", default: false },
    },
});
const REQUESTS = Number(values.requests);
const RUNS = Number(values.runs);
configureLogging({ level: "silent" });

/** A state directory holding a snapshot of n pending requests. */
async function stateDir(n) {
    const dir = mkdtempSync(join(tmpdir(), "callbackd-bench-start-"));
    if (n > 0) {
        const now = Date.now();
        const requests = Array.from({ length: n }, (_, k) =>
            pendingRequest(k + 1, syntheticPhone(k), String(5_000_000 + k), now),
        );
        const store = new SlotStore(new NodeFlashFs(dir));
        await store.load();
        await store.write(FORMAT_PROTOBUF, encodeSnapshot(snapshotContent(requests, now)));
    }
    return dir;
}

/** Spawns `callbackd run` on lo; resolves with ms from spawn to "capture open", then stops it. */
async function startToReady(dir) {
    const { ms, text, spawnedAt } = await runToReady({ dir, timeoutMs: 20_000 });
    const m = /"restored":(\d+)/.exec(text);
    // where the time went: the log lines' own timestamps (ms) since the spawn
    const phases = {};
    for (const line of text.split("\n")) {
        const p = /"time":"([^"]+)".*"msg":"([^"]+)"/.exec(line);
        if (p && phases[p[2]] === undefined) phases[p[2]] = Date.parse(p[1]) - spawnedAt;
    }
    return { ms, restored: m ? Number(m[1]) : null, phases };
}

const result = { machine: machine(), requests: REQUESTS, runs: RUNS };

// --- restore in process ---
{
    const dir = await stateDir(REQUESTS);
    const load = [];
    const service = [];
    let restored = 0;
    const config = loadConfig({
        env: {},
        overrides: { http: { listen: "127.0.0.1:0" }, capture: { sccpPorts: [2000] }, log: { level: "silent" } },
    });
    for (let k = 0; k < RUNS + 1; k++) {
        const t0 = process.hrtime.bigint();
        const loaded = await new SlotStore(new NodeFlashFs(dir)).load();
        const content = decodePayload(loaded.record.formatVersion, loaded.record.payload);
        const t1 = process.hrtime.bigint();
        const s = new CallbackService({ config, fs: new NodeFlashFs(dir), timeMode: "live" });
        const t2 = process.hrtime.bigint();
        const r = await s.start();
        const t3 = process.hrtime.bigint();
        await s.stop();
        if (content.engine.requests.length !== REQUESTS || r.restored !== REQUESTS) {
            throw new Error(`restored ${r.restored} of ${REQUESTS}`);
        }
        restored = r.restored;
        if (k === 0) continue; // the first run loads the code (protobuf schemas, JIT)
        load.push(Number(t1 - t0) / 1e6);
        service.push(Number(t3 - t2) / 1e6);
    }
    rmSync(dir, { recursive: true, force: true });
    const st = (xs) => ({ p50: median(xs), p99: percentile(xs, 99), all: xs });
    result.restore = { restored, loadDecodeMs: st(load), serviceStartMs: st(service) };
    process.stderr.write(
        `restore of ${restored}: load + decode ${median(load).toFixed(1)} ms, service start ${median(service).toFixed(1)} ms\n`,
    );
}

// --- start to ready ---
if (!values["no-live"]) {
    for (const n of [0, REQUESTS]) {
        const dir = await stateDir(n);
        const times = [];
        let restored = null;
        const phases = [];
        try {
            for (let k = 0; k < RUNS; k++) {
                const r = await startToReady(dir);
                times.push(r.ms);
                restored = r.restored;
                phases.push(r.phases);
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
        result[n === 0 ? "readyEmpty" : "readyRestoring"] = {
            requests: n,
            restored,
            p50: median(times),
            max: Math.max(...times),
            all: times,
            phases,
        };
        process.stderr.write(`start to ready (${n} requests): ${median(times).toFixed(0)} ms\n`);
    }
}
process.stdout.write(`${JSON.stringify(result)}\n`);

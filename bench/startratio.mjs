#!/usr/bin/env node
// Start-up against bare Node (issue R): `callbackd decode --summary` of a one-call capture and `callbackd run`
// to READY (live capture on lo, empty state), each timed as a whole process beside a bare `node -e 0` in the
// same rounds (the three alternate, so a loaded machine slows all alike), plus the CPU profile of each start
// (`node --cpu-prof`, 5 profiles of each: the median self time per function and per module or package).
// Run after `npm run build`:
//   node bench/startratio.mjs [--runs N] [--capture FILE] [--no-live] [--no-profile] [--compare DIR]
// --compare DIR: also time DIR/bin/callbackd (another built checkout, e.g. main) in the same rounds.
// Prints one JSON object.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { machine, median, ROOT, requireDist, runToReady } from "./lib.mjs";

requireDist();
const { values } = parseArgs({
    options: {
        runs: { type: "string", default: "11" },
        capture: {
            type: "string",
            default: join(ROOT, "test/fixtures/captures/pyskinny_cm_call_from_pyskinny_to_7912.pcapng"),
        },
        "no-live": { type: "boolean", default: false },
        "no-profile": { type: "boolean", default: false },
        compare: { type: "string" },
    },
});
const RUNS = Number(values.runs);
const CAPTURE = resolve(values.capture);
const trees = [{ name: "this", root: ROOT }];
if (values.compare) trees.push({ name: "compare", root: resolve(values.compare) });

/** Wall ms of a whole process run to its end. */
function timed(args) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return ms;
}

/** `callbackd run` on lo with a fresh state directory: ms from spawn to its "capture open" line (READY=1). */
async function toReady(root, nodeArgs = []) {
    const dir = mkdtempSync(join(tmpdir(), "callbackd-bench-ready-"));
    try {
        const { ms, pid } = await runToReady({ root, dir, nodeArgs });
        return nodeArgs.length > 0 ? { ms, pid } : ms;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** Self time (µs) per function and per module of a .cpuprofile in dir (of process `pid` when given). */
function profileOf(dir, pid = null) {
    // run's capture child inherits --cpu-prof: its profile lies beside the service's
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile") && (pid === null || f.includes(`.${pid}.`)));
    const p = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const dt = new Map();
    for (let i = 0; i < p.samples.length; i++)
        dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
    const byFn = new Map();
    const byModule = new Map();
    for (const node of p.nodes) {
        const t = dt.get(node.id) ?? 0;
        if (t === 0) continue;
        const cf = node.callFrame;
        const url = cf.url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, "$1/");
        const where = url === "" ? "" : `${url}:${cf.lineNumber + 1}`;
        const key = `${cf.functionName || "(anonymous)"}\t${where}`;
        byFn.set(key, (byFn.get(key) ?? 0) + t);
        const mod = url.startsWith("node_modules/")
            ? url
                  .split("/")
                  .slice(0, url.startsWith("node_modules/@") ? 3 : 2)
                  .join("/")
            : url.startsWith("node:")
              ? "Node internals (bootstrap, module loader)"
              : url.startsWith("dist/")
                ? url
                : cf.functionName.startsWith("(")
                  ? cf.functionName
                  : "native (file reads, compiling modules)";
        byModule.set(mod, (byModule.get(mod) ?? 0) + t);
    }
    return { total: p.endTime - p.startTime, byFn, byModule };
}

/**
 * The median over several profiles of each function's and module's self time (one profile on a loaded
 * machine charges a descheduled interval to whatever ran last), the top n of each, in ms.
 */
function profileTop(profiles, n = 12) {
    const med = (key, field) => median(profiles.map((p) => p[field].get(key) ?? 0)) / 1000;
    const totalMs = median(profiles.map((p) => p.total)) / 1000;
    const top = (field) => {
        const keys = new Set(profiles.flatMap((p) => [...p[field].keys()]));
        return [...keys]
            .map((key) => ({ key, ms: med(key, field) }))
            .sort((a, b) => b.ms - a.ms)
            .slice(0, n)
            .map((r) => ({ ...r, pct: (100 * r.ms) / totalMs }));
    };
    return { profiles: profiles.length, totalMs, functions: top("byFn"), modules: top("byModule") };
}

const result = { machine: machine(), runs: RUNS, capture: CAPTURE, trees: trees.map((t) => t.name) };

// Can this box capture on lo (root or CAP_NET_RAW, the pcap addon)? One try decides.
let live = !values["no-live"];
if (live) {
    try {
        await toReady(ROOT);
    } catch (err) {
        live = false;
        result.liveSkipped = err.message.split("\n").slice(0, 3).join(" ");
        process.stderr.write(`run → READY not measured: ${result.liveSkipped}\n`);
    }
}

// Warm-up round (file cache, the first spawn), then the measured rounds.
timed(["-e", "0"]);
for (const t of trees) timed([join(t.root, "bin/callbackd"), "decode", "--summary", CAPTURE]);
const samples = { bare: [] };
for (const t of trees) {
    samples[`decode:${t.name}`] = [];
    if (live) samples[`run:${t.name}`] = [];
}
for (let i = 0; i < RUNS; i++) {
    samples.bare.push(timed(["-e", "0"]));
    for (const t of trees) {
        samples[`decode:${t.name}`].push(timed([join(t.root, "bin/callbackd"), "decode", "--summary", CAPTURE]));
    }
    if (live) for (const t of trees) samples[`run:${t.name}`].push(await toReady(t.root));
    process.stderr.write(`round ${i + 1}/${RUNS}: bare ${samples.bare.at(-1).toFixed(0)} ms\n`);
}
const bare = median(samples.bare);
result.bare = { p50: bare, all: samples.bare };
for (const [k, xs] of Object.entries(samples)) {
    if (k === "bare") continue;
    // the ratio of the medians, and the median of each round's own ratio (robust to a slow round)
    const perRound = xs.map((x, i) => x / samples.bare[i]);
    result[k] = { p50: median(xs), all: xs, ratio: median(xs) / bare, roundRatio: median(perRound) };
    process.stderr.write(`${k}: ${median(xs).toFixed(1)} ms = ${(median(xs) / bare).toFixed(2)}× bare node\n`);
}

if (!values["no-profile"]) {
    const dir = mkdtempSync(join(tmpdir(), "callbackd-bench-prof-"));
    const PROFILES = 5;
    try {
        const decodes = [];
        const runs = [];
        for (let k = 0; k < PROFILES; k++) {
            const decodeDir = join(dir, `decode${k}`);
            const args = ["--cpu-prof", `--cpu-prof-dir=${decodeDir}`, "--cpu-prof-interval=100"];
            timed([...args, join(ROOT, "bin/callbackd"), "decode", "--summary", CAPTURE]);
            decodes.push(profileOf(decodeDir));
            if (live) {
                const runDir = join(dir, `run${k}`);
                const { pid } = await toReady(ROOT, [
                    "--cpu-prof",
                    `--cpu-prof-dir=${runDir}`,
                    "--cpu-prof-interval=100",
                ]);
                runs.push(profileOf(runDir, pid));
            }
        }
        result.profileDecode = profileTop(decodes);
        if (live) result.profileRun = profileTop(runs);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
process.stdout.write(`${JSON.stringify(result)}\n`);

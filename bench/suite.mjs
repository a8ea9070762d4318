#!/usr/bin/env node
// The benchmark suite of issue L (`npm run bench`, after `npm run build`): every measurement side by side in
// one run, each item in its own child process, its raw figures in bench/results/<YYYY-MM-DD>.json and its
// tables in docs/BENCHMARKS.md between the <!-- bench:NAME:begin/end --> markers.
//   item1    pcap file → wire → SCCP → ClusterModel vs reading the records, tshark, the `pcap` package (run.mjs)
//   item2    notification latency (latency.mjs)
//   item3    memory with 20,000 phones and 20,000 requests, and a soak at 200 calls/s (memory.mjs)
//   item4    start to ready, restore of 20,000 requests (startup.mjs)
//   item5    live capture on lo at increasing packet rates (livecap.mjs; root or CAP_NET_RAW)
//   start    start-up against bare Node: decode of a one-call capture, run to READY, their CPU profiles (startratio.mjs)
//   profile  CPU profile of item 1's path (profile.mjs under --cpu-prof): the functions with the most self time
// Usage: node bench/suite.mjs [--quick] [--only item1,item3] [--soak-minutes M] [--no-write]
// --quick: smaller inputs, fewer runs, a 1-minute soak (≤ 4 minutes in all); full mode ≤ 25 minutes.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { int, machine, machineLine, median, ROOT, requireDist, writeTables } from "./lib.mjs";

const ITEMS = ["item1", "item2", "item3", "item4", "item5", "profile", "start"];
const { values } = parseArgs({
    options: {
        quick: { type: "boolean", default: false },
        only: { type: "string" },
        "soak-minutes": { type: "string" },
        "no-write": { type: "boolean", default: false },
    },
});
requireDist();
const quick = values.quick;
const only = values.only ? values.only.split(",").map((s) => s.trim()) : ITEMS;
for (const o of only) if (!ITEMS.includes(o)) throw new Error(`unknown item ${o} (known: ${ITEMS.join(", ")})`);
const soakMinutes = Number(values["soak-minutes"] ?? (quick ? 1 : 10));
const mode = quick ? "quick" : "full";
const started = new Date();
const host = machine();
process.stderr.write(`bench suite (${mode}): ${only.join(", ")} on ${machineLine(host)}\n`);

/** Runs a bench script as a child; resolves with its JSON (the last JSON object on stdout). */
function child(script, args, nodeArgs = []) {
    return new Promise((resolve, reject) => {
        const t0 = Date.now();
        const p = spawn(process.execPath, [...nodeArgs, join(ROOT, "bench", script), ...args], {
            stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        p.stdout.on("data", (d) => {
            out += d;
        });
        p.on("exit", (code) => {
            if (code !== 0) return reject(new Error(`${script} exited ${code}`));
            try {
                const text = out.trim();
                // latency.mjs prints one pretty JSON object; the others one line
                const json = JSON.parse(
                    text.startsWith("{") && !text.includes("\n{") ? text : text.slice(text.lastIndexOf("\n{") + 1),
                );
                json.wallS = (Date.now() - t0) / 1000;
                resolve(json);
            } catch (err) {
                reject(new Error(`${script}: no JSON on stdout (${err.message})`));
            }
        });
    });
}

const f1 = (x) => (x === null || x === undefined || Number.isNaN(x) ? "n/a" : x.toFixed(1));
const f3 = (x) => (x === null || x === undefined || Number.isNaN(x) ? "n/a" : x.toFixed(3));
const met = (ok) => (ok === null ? "n/a" : ok ? "yes" : "**no**");
const results = { mode, started: started.toISOString(), machine: host, items: {} };
const tables = {};
const failures = {};

async function item(name, fn) {
    if (!only.includes(name)) return;
    process.stderr.write(`--- ${name} ---\n`);
    try {
        results.items[name] = await fn();
    } catch (err) {
        failures[name] = err.message;
        process.stderr.write(`${name} failed: ${err.message}\n`);
    }
}

// --- item 1: throughput ---
await item("item1", async () => {
    const r = await child("run.mjs", [
        "--json",
        "--no-write",
        "--packets",
        quick ? "300000" : "1200000",
        "--runs",
        quick ? "3" : "5",
        "--tshark-runs",
        quick ? "1" : "3",
    ]);
    Object.assign(tables, r.tables);
    delete r.tables;
    return r;
});

// --- item 2: notification latency ---
await item("item2", async () => {
    const r = await child(
        "latency.mjs",
        quick ? ["--phones", "1000", "--samples", "60", "--warmup", "10"] : ["--phones", "5000", "--samples", "300"],
    );
    const row = (name, s) => `| ${name} | ${f3(s.p50)} | ${f3(s.p99)} | ${f3(s.max)} |`;
    tables.latency = [
        `Samples: ${r.samples} (warm-up ${r.warmup} dropped, ${r.skipped.length} skipped), ${int(r.phones)} phones, ~${int(r.meanBackgroundCalls)} live background calls, ${int(r.framesSeen)} frames fed; ${mode} run of \`bench/suite.mjs\`.`,
        `Machine: ${machineLine(host)}.`,
        "",
        "| frame in → | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|",
        row("Notify effect (engine decision)", r.notifyMs),
        row("`PushClient.push` called (screen ticket issued, `CiscoIPPhoneExecute` built)", r.pushCalledMs),
        row("push HTTP request created and flushed (leaves the box)", r.requestStartMs),
        row("push request received on loopback (connect + the receiving server's turn)", r.arrivalMs),
        "",
        `Target p99 ≤ 2 ms to the request leaving the box: ${met(r.requestStartMs.p99 <= 2)} (${f3(r.requestStartMs.p99)} ms).`,
    ].join("\n");
    return r;
});

// --- item 3: memory and soak ---
await item("item3", async () => {
    const r = await child("memory.mjs", ["--soak-minutes", String(soakMinutes)], ["--expose-gc"]);
    // the design point of a branch box, for comparison: 2,000 phones, 100 requests, 20 calls/s
    const small = await child(
        "memory.mjs",
        ["--phones", "2000", "--requests", "100", "--calls-per-second", "20", "--soak-minutes", quick ? "0.25" : "0.5"],
        ["--expose-gc"],
    );
    r.designPoint = small;
    const s = r.soak;
    const l = r.loaded;
    tables.memory = [
        `${int(r.registeredDevices)} phones registered (simulated branch in a child process, its mirror frames fed to the service), ${int(r.requestsPending)} pending requests restored from flash; soak ${s.minutes} min at ${s.callsPerSecondAsked} calls/s asked (${f1(s.callsPerSecond)} placed/s measured, ${int(s.framesPerSecond)} frames/s); ${mode} run of \`bench/suite.mjs\`.`,
        `Machine: ${machineLine(host)}.`,
        "",
        "| state | RSS MiB | heap used MiB | heap total MiB | external MiB |",
        "|---|---:|---:|---:|---:|",
        `| Node + the code loaded (no service) | ${f1(r.baseline.rssMiB)} | ${f1(r.baseline.heapUsedMiB)} | ${f1(r.baseline.heapTotalMiB)} | ${f1(r.baseline.externalMiB)} |`,
        `| service started, ${int(r.requestsRestored)} requests restored | ${f1(r.afterRestore.rssMiB)} | ${f1(r.afterRestore.heapUsedMiB)} | ${f1(r.afterRestore.heapTotalMiB)} | ${f1(r.afterRestore.externalMiB)} |`,
        `| + ${int(r.registeredDevices)} phones registered | ${f1(l.rssMiB)} | ${f1(l.heapUsedMiB)} | ${f1(l.heapTotalMiB)} | ${f1(l.externalMiB)} |`,
        `| end of the soak (${int(s.samples.at(-1)?.liveCalls ?? 0)} live calls) | ${f1(s.final.rssMiB)} | ${f1(s.final.heapUsedMiB)} | ${f1(s.final.heapTotalMiB)} | ${f1(s.final.externalMiB)} |`,
        `| for comparison: 2,000 phones + 100 requests, after ${small.soak.minutes * 60} s at 20 calls/s | ${f1(small.soak.final.rssMiB)} | ${f1(small.soak.final.heapUsedMiB)} | ${f1(small.soak.final.heapTotalMiB)} | ${f1(small.soak.final.externalMiB)} |`,
        "",
        `Soak: ${s.samples.length} samples every 10 s (heap after a forced GC); slope from ${f1(s.fitFromS)} s on: RSS ${f3(s.rssSlopeMiBPerMin)} MiB/min, heap ${f3(s.heapSlopeMiBPerMin)} MiB/min; highest RSS ${f1(s.maxRssMiB)} MiB.`,
        "",
        "| target | measured | met |",
        "|---|---:|:---:|",
        `| RSS ≤ 100 MB with 20,000 phones and 20,000 requests | ${f1((l.rssMiB * 2 ** 20) / 1e6)} MB (${f1(l.rssMiB)} MiB) | ${met((l.rssMiB * 2 ** 20) / 1e6 <= 100)} |`,
        `| no growth in the soak (heap slope < 0.5 MiB/min after the first minute) | ${f3(s.heapSlopeMiBPerMin)} MiB/min${steadyFit(s) ? "" : " (ramp included: soak too short)"} | ${met(steadyFit(s) ? s.heapSlopeMiBPerMin < 0.5 : null)} |`,
    ].join("\n");
    return r;
});

// --- start-up against bare Node (issue R) ---
await item("start", async () => {
    const r = await child("startratio.mjs", ["--runs", quick ? "5" : "11"]);
    const lines = [
        `${r.runs} rounds, each timing a bare \`node -e 0\`, then \`callbackd decode --summary\` of a one-call capture (${r.capture.replace(`${ROOT}/`, "")}), then \`callbackd run\` to READY (live capture on lo, empty state), as whole processes; medians; ${mode} run of \`bench/suite.mjs\`.`,
        `Machine: ${machineLine(host)}.`,
        "",
        "| start | median ms | × bare `node -e 0` | per-round median × | target | met |",
        "|---|---:|---:|---:|---:|:---:|",
        `| bare \`node -e 0\` | ${f1(r.bare.p50)} | 1.00 | 1.00 | | |`,
        `| \`callbackd decode --summary\` of a one-call capture | ${f1(r["decode:this"].p50)} | ${r["decode:this"].ratio.toFixed(2)} | ${r["decode:this"].roundRatio.toFixed(2)} | ≤ 2.5× | ${met(r["decode:this"].ratio <= 2.5)} |`,
    ];
    if (r["run:this"]) {
        lines.push(
            `| \`callbackd run\` spawned → READY ("capture open"), empty state | ${f1(r["run:this"].p50)} | ${r["run:this"].ratio.toFixed(2)} | ${r["run:this"].roundRatio.toFixed(2)} | ≤ 3× | ${met(r["run:this"].ratio <= 3)} |`,
        );
    } else lines.push(`| \`callbackd run\` → READY | n/a | | | ≤ 3× | n/a (${r.liveSkipped}) |`);
    const profile = (title, p) => {
        if (!p) return;
        lines.push(
            "",
            `${title} (\`node --cpu-prof\`, 100 µs sampling, median of ${p.profiles} profiles: ${f1(p.totalMs)} ms profiled):`,
            "",
            "| self ms | share | function | where |",
            "|---:|---:|---|---|",
            ...p.functions.slice(0, 10).map((f) => {
                const [fn, where] = f.key.split("\t");
                return `| ${f1(f.ms)} | ${f1(f.pct)} % | \`${fn}\` | ${where} |`;
            }),
            "",
            `By module or package (self): ${p.modules
                .slice(0, 8)
                .map((m) => `${m.key} ${f1(m.ms)} ms`)
                .join(", ")}.`,
        );
    };
    profile("Where `decode` spends its start", r.profileDecode);
    profile(
        "Where `run` spends its start (the service's process, from its start to its exit after READY)",
        r.profileRun,
    );
    tables.startratio = lines.join("\n");
    return r;
});

// --- item 4: start to ready, restore ---
await item("item4", async () => {
    const r = await child("startup.mjs", ["--runs", quick ? "3" : "5"]);
    const re = r.restore;
    const lines = [
        `${r.runs} runs each (median; the restore's first run, loading the code, not counted); ${mode} run of \`bench/suite.mjs\`.`,
        `Machine: ${machineLine(host)}.`,
        "",
        "| measurement | median ms | worst ms | target | met |",
        "|---|---:|---:|---:|:---:|",
    ];
    if (r.readyEmpty) {
        lines.push(
            `| \`callbackd run\` spawned → "capture open" (READY=1), empty state | ${f1(r.readyEmpty.p50)} | ${f1(r.readyEmpty.max)} | ≤ 1000 | ${met(r.readyEmpty.p50 <= 1000)} |`,
            `| \`callbackd run\` spawned → "capture open", restoring ${int(r.requests)} requests | ${f1(r.readyRestoring.p50)} | ${f1(r.readyRestoring.max)} | ≤ 1000 | ${met(r.readyRestoring.p50 <= 1000)} |`,
        );
    }
    lines.push(
        `| restore of ${int(re.restored)} requests: \`SlotStore.load\` + \`decodePayload\` (real files) | ${f1(re.loadDecodeMs.p50)} | ${f1(Math.max(...re.loadDecodeMs.all))} | ≤ 100 | ${met(re.loadDecodeMs.p50 <= 100)} |`,
        `| restore of ${int(re.restored)} requests through \`CallbackService.start\` (load, decode, engine \`Restored\`, HTTP listening) | ${f1(re.serviceStartMs.p50)} | ${f1(Math.max(...re.serviceStartMs.all))} | ≤ 100 | ${met(re.serviceStartMs.p50 <= 100)} |`,
    );
    const phase = (x, msg) => median(x.phases.map((p) => p[msg]).filter((v) => v !== undefined));
    if (r.readyEmpty) {
        lines.push(
            "",
            `Where the start goes (medians, from the log lines' timestamps): empty state — service started (Node, modules, config, restore, phone HTTP) at ${f1(phase(r.readyEmpty, "call-back service started"))} ms, capture open (the libpcap child forked and open) at ${f1(phase(r.readyEmpty, "capture open"))} ms; restoring ${int(r.requests)} requests — ${f1(phase(r.readyRestoring, "call-back service started"))} ms and ${f1(phase(r.readyRestoring, "capture open"))} ms.`,
        );
    }
    tables.startup = lines.join("\n");
    return r;
});

// --- item 5: live capture ---
await item("item5", async () => {
    const runs = [];
    const rates = quick
        ? "5000,20000,50000,100000,200000"
        : "5000,10000,20000,35000,50000,75000,100000,150000,200000,300000";
    for (const snap of ["65535", "2048"]) {
        runs.push(
            await child("livecap.mjs", [
                "--snap-length",
                snap,
                "--seconds",
                quick ? "2" : "5",
                "--rates",
                rates,
                "--packets",
                quick ? "300000" : "1200000",
            ]),
        );
    }
    const lines = [
        `Frames of the generated capture injected on \`lo\` with \`pcap_inject\` at each rate for ${runs[0].seconds} s, captured by \`LiveCapture\` (libpcap in its child, immediate mode, ${runs[0].bufferMiB} MiB buffer, filter \`tcp port 2000\`) into the whole \`CallbackService\`; stops at the first rate with drops; ${mode} run of \`bench/suite.mjs\`.`,
        `Machine: ${machineLine(host)}.`,
        "",
        "| snap length | rate asked /s | sent /s | frames to the service | libpcap received | dropped (buffer) | dropped (interface) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ];
    for (const r of runs) {
        for (const s of r.steps) {
            lines.push(
                `| ${int(r.snapLength ?? 0)} | ${int(s.rate)} | ${int(s.sentPerSecond)} | ${int(s.frames)} of ${int(s.sent)} | ${int(s.received)} | ${int(s.dropped)} | ${int(s.ifDropped)} |`,
            );
        }
    }
    lines.push("");
    for (const r of runs) {
        lines.push(
            `- snap length ${int(r.snapLength ?? 0)}: highest drop-free rate ${r.highestDropFree ? `${int(r.highestDropFree.rate)} packets/s` : "none"}` +
                (r.firstDrop
                    ? `; first drops at ${int(r.firstDrop.rate)}/s (${int(r.firstDrop.dropped + r.firstDrop.ifDropped)} dropped of ${int(r.firstDrop.sent)}).`
                    : r.injectorLimited
                      ? "; the injector could not go faster (no drops seen)."
                      : "; no drops up to the highest rate tried."),
        );
    }
    tables.livecap = lines.join("\n");
    return { runs };
});

// --- profile of item 1's path ---
await item("profile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "callbackd-bench-prof-"));
    try {
        await child(
            "profile.mjs",
            ["--packets", quick ? "300000" : "1200000", "--runs", quick ? "4" : "5"],
            ["--cpu-prof", `--cpu-prof-dir=${dir}`],
        );
        const file = readdirSync(dir).find((x) => x.endsWith(".cpuprofile"));
        const profile = JSON.parse(readFileSync(join(dir, file), "utf8"));
        const top = summarizeProfile(profile, 15);
        const modules = summarizeModules(profile, 10);
        tables.profile = [
            `\`node --cpu-prof bench/profile.mjs\`: item 1's path (file → wire → reassembly → SCCP → ClusterModel) run ${quick ? 4 : 5} times on the ${quick ? "300,000" : "1,200,000"}-packet capture; self time per function (the first run, loading and optimising, included); ${mode} run of \`bench/suite.mjs\`.`,
            "",
            "| self time | function | where |",
            "|---:|---|---|",
            ...top.map((t) => `| ${t.pct.toFixed(1)} % | \`${t.fn}\` | ${t.where} |`),
            "",
            `By module (self time): ${modules.map((m) => `${m.module} ${m.pct.toFixed(1)} %`).join(", ")}.`,
        ].join("\n");
        return { top, modules };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});

/** Every target of issue L with its latest figure (items not run this time: from the day's earlier run). */
function targetsTable(items, runs) {
    const rows = [];
    const today = started.toISOString().slice(0, 10);
    const when = (k) => {
        const at = runs[k]?.started ?? "";
        return `${runs[k]?.mode ?? "?"} ${at.slice(0, 10) === today ? "" : `${at.slice(0, 10)} `}${at.slice(11, 16)}`;
    };
    const i1 = items.item1;
    if (i1) {
        for (const t of i1.targets) rows.push(["1 file → model", t.target, t.text, met(t.met), when("item1")]);
    }
    const i2 = items.item2;
    if (i2) {
        const p99 = i2.requestStartMs.p99;
        rows.push([
            "2 latency",
            "p99 ≤ 2 ms, frame in → push request out",
            `${f3(p99)} ms`,
            met(p99 <= 2),
            when("item2"),
        ]);
    }
    const i3 = items.item3;
    if (i3) {
        const mb = (i3.loaded.rssMiB * 2 ** 20) / 1e6;
        rows.push([
            "3 memory",
            "RSS ≤ 100 MB, 20,000 phones + 20,000 requests",
            `${f1(mb)} MB`,
            met(mb <= 100),
            when("item3"),
        ]);
        const sl = i3.soak.heapSlopeMiBPerMin;
        rows.push([
            "3 memory",
            `no growth in a ${i3.soak.minutes}-min soak at 200 calls/s`,
            `heap ${f3(sl)} MiB/min, RSS ${f3(i3.soak.rssSlopeMiBPerMin)} MiB/min`,
            met(steadyFit(i3.soak) ? sl < 0.5 : null),
            when("item3"),
        ]);
    }
    const i4 = items.item4;
    if (i4) {
        if (i4.readyEmpty) {
            rows.push([
                "4 start",
                "start to ready ≤ 1 s (empty state)",
                `${f1(i4.readyEmpty.p50)} ms`,
                met(i4.readyEmpty.p50 <= 1000),
                when("item4"),
            ]);
            rows.push([
                "4 start",
                "start to ready ≤ 1 s (20,000 requests restored)",
                `${f1(i4.readyRestoring.p50)} ms`,
                met(i4.readyRestoring.p50 <= 1000),
                when("item4"),
            ]);
        }
        const re = i4.restore;
        rows.push([
            "4 restore",
            "restore of 20,000 requests ≤ 100 ms (load + decode)",
            `${f1(re.loadDecodeMs.p50)} ms`,
            met(re.loadDecodeMs.p50 <= 100),
            when("item4"),
        ]);
        rows.push([
            "4 restore",
            "… and through `CallbackService.start`",
            `${f1(re.serviceStartMs.p50)} ms`,
            met(re.serviceStartMs.p50 <= 100),
            when("item4"),
        ]);
    }
    const st = items.start;
    if (st) {
        const d = st["decode:this"];
        rows.push([
            "R start",
            "`decode` of a one-call capture ≤ 2.5× bare `node -e 0`",
            `${d.ratio.toFixed(2)}× (${f1(d.p50)} vs ${f1(st.bare.p50)} ms)`,
            met(d.ratio <= 2.5),
            when("start"),
        ]);
        const r = st["run:this"];
        rows.push([
            "R start",
            "`run` to READY (empty state) ≤ 3× bare `node -e 0`",
            r ? `${r.ratio.toFixed(2)}× (${f1(r.p50)} vs ${f1(st.bare.p50)} ms)` : "n/a",
            met(r ? r.ratio <= 3 : null),
            when("start"),
        ]);
    }
    const i5 = items.item5;
    if (i5) {
        for (const r of i5.runs) {
            rows.push([
                "5 live capture",
                `highest drop-free rate on lo (snap length ${int(r.snapLength ?? 0)})`,
                r.highestDropFree ? `${int(r.highestDropFree.rate)} packets/s` : "none",
                "(no target)",
                when("item5"),
            ]);
        }
    }
    return [
        "| item | target | measured | met | run (UTC) |",
        "|---|---|---:|:---:|---|",
        ...rows.map((r) => `| ${r.join(" | ")} |`),
    ].join("\n");
}

/** True when the soak's slope was fitted after the first minute (the branch filling with calls). */
function steadyFit(soak) {
    return soak.heapSlopeMiBPerMin !== null && soak.fitFromS !== null && soak.fitFromS >= 60;
}

/** Self time per source file (dist/… or node internals) in a V8 CPU profile, the `n` largest. */
function summarizeModules(p, n) {
    const byId = new Map(p.nodes.map((x) => [x.id, x]));
    const self = new Map();
    let total = 0;
    for (let i = 0; i < p.samples.length; i++) {
        const cf = byId.get(p.samples[i]).callFrame;
        const dt = p.timeDeltas[i] ?? 0;
        const key = cf.url ? cf.url.replace(/^.*\/dist\//, "").replace(/^node:.*/, "node internals") : cf.functionName;
        self.set(key, (self.get(key) ?? 0) + dt);
        total += dt;
    }
    return [...self]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([module, t]) => ({ module, pct: (100 * t) / total }));
}

/** The `n` functions with the most self time in a V8 CPU profile. */
function summarizeProfile(p, n) {
    const byId = new Map(p.nodes.map((x) => [x.id, x]));
    const self = new Map();
    let total = 0;
    for (let i = 0; i < p.samples.length; i++) {
        const node = byId.get(p.samples[i]);
        const dt = p.timeDeltas[i] ?? 0;
        const cf = node.callFrame;
        const where = cf.url ? `${cf.url.replace(/^.*\/(dist|node_modules)\//, "$1/")}:${cf.lineNumber + 1}` : "";
        const key = `${cf.functionName || "(anonymous)"}\t${where}`;
        self.set(key, (self.get(key) ?? 0) + dt);
        total += dt;
    }
    return [...self]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, t]) => {
            const [fn, where] = k.split("\t");
            return { fn, where, ms: Math.round(t / 1000), pct: (100 * t) / total };
        });
}

// --- results ---
results.finished = new Date().toISOString();
results.wallS = (Date.now() - started.getTime()) / 1000;
results.failures = failures;

const outDir = join(ROOT, "bench/results");
mkdirSync(outDir, { recursive: true });
const outFile = join(outDir, `${started.toISOString().slice(0, 10)}.json`);
// Items not run this time (--only) keep their figures from an earlier run of the same day.
// On a day's first run, they keep those of the latest earlier day (the targets table says which run).
const runs = Object.fromEntries(Object.keys(results.items).map((k) => [k, { mode, started: results.started }]));
let allTables = tables;
const earlier = readdirSync(outDir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f) && f <= `${started.toISOString().slice(0, 10)}.json`)
    .sort()
    .at(-1);
if (earlier !== undefined) {
    try {
        const prev = JSON.parse(readFileSync(join(outDir, earlier), "utf8"));
        for (const [k, v] of Object.entries(prev.items ?? {})) {
            if (results.items[k] !== undefined) continue;
            results.items[k] = v;
            runs[k] = prev.runs?.[k] ?? { mode: prev.mode, started: prev.started };
        }
        allTables = { ...prev.tables, ...tables };
    } catch {
        // an unreadable earlier file is replaced
    }
}
results.runs = runs;
allTables.targets = tables.targets = targetsTable(results.items, runs);
// Which run produced which tables (items not run this time keep the table of their earlier run).
const byRun = new Map();
for (const [k, r] of Object.entries(runs)) {
    const key = `${r.mode} run started ${(r.started ?? "").slice(0, 16).replace("T", " ")} UTC`;
    byRun.set(key, [...(byRun.get(key) ?? []), k]);
}
allTables.suite = tables.suite = [
    `Figures from: ${[...byRun].map(([run, items]) => `${items.join(", ")} — ${run}`).join("; ")}. Latest invocation: \`node bench/suite.mjs${quick ? " --quick" : ""}${values.only ? ` --only ${values.only}` : ""}\` (${f1(results.wallS / 60)} min). Raw figures in \`bench/results/${started.toISOString().slice(0, 10)}.json\`.`,
    ...(Object.keys(failures).length
        ? [
              "",
              `Failed items: ${Object.entries(failures)
                  .map(([k, v]) => `${k} (${v})`)
                  .join("; ")}.`,
          ]
        : []),
].join("\n");
writeFileSync(outFile, `${JSON.stringify({ ...results, tables: allTables }, null, 2)}\n`);
// In the repository's own JSON style (biome), so `npm run lint` stays clean when the file is committed.
const biome = join(ROOT, "node_modules/.bin/biome");
if (existsSync(biome)) spawnSync(biome, ["format", "--write", outFile], { stdio: "ignore" });
process.stderr.write(`raw figures: ${outFile}\n`);
if (!values["no-write"]) {
    const missing = writeTables(tables);
    process.stderr.write(
        `docs/BENCHMARKS.md: ${Object.keys(tables).length - missing.length} tables written${missing.length ? `; no markers for ${missing.join(", ")}` : ""}\n`,
    );
}
process.stderr.write(`suite done in ${f1(results.wallS / 60)} min\n`);
if (Object.keys(failures).length) process.exitCode = 1;

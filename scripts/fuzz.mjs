#!/usr/bin/env node
/**
 * Long fuzz runs: `npm run fuzz -- --minutes N [--area sccp[,qbe]] [--seed S]`.
 *
 * Runs the same targets as the test suite (test/fuzz/<area>.test.ts, through tap so TypeScript needs no
 * extra loader) with a time budget instead of a fixed number of runs and a fresh seed, then prints what ran:
 * executions per target, failures, and the crash inputs written to test/fixtures/fuzz/<area>/ (each one is
 * replayed by every later `npm test`). Exit code 1 when a property failed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const fuzzDir = join(root, "test", "fuzz");
const fixtures = join(root, "test", "fixtures", "fuzz");

/** Parses `--name value` and `--name=value` options. */
function options(argv) {
    const out = { minutes: 5, area: "", seed: String(Date.now() % 2 ** 31) };
    for (let i = 0; i < argv.length; i++) {
        const m = /^--([a-z]+)(?:=(.*))?$/.exec(argv[i]);
        if (m === null || !(m[1] in out)) {
            console.error(`usage: node scripts/fuzz.mjs [--minutes N] [--area a,b] [--seed S]  (unknown: ${argv[i]})`);
            process.exit(2);
        }
        out[m[1]] = m[2] ?? argv[++i] ?? "";
    }
    return out;
}

/** Saved crash inputs, as "area/file". */
function savedInputs() {
    if (!existsSync(fixtures)) return new Set();
    const all = [];
    for (const area of readdirSync(fixtures, { withFileTypes: true })) {
        if (!area.isDirectory()) continue;
        for (const f of readdirSync(join(fixtures, area.name))) all.push(`${area.name}/${f}`);
    }
    return new Set(all);
}

const opts = options(process.argv.slice(2));
const minutes = Number(opts.minutes);
if (!(minutes > 0)) {
    console.error("--minutes must be a positive number");
    process.exit(2);
}
const known = readdirSync(fuzzDir)
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => f.slice(0, -".test.ts".length))
    .sort();
const areas = opts.area === "" ? known : opts.area.split(",").filter((a) => a !== "");
for (const a of areas) {
    if (!known.includes(a)) {
        console.error(`unknown area ${a} (known: ${known.join(", ")})`);
        process.exit(2);
    }
}

const perArea = Math.max(5, Math.floor((minutes * 60) / areas.length));
const work = mkdtempSync(join(tmpdir(), "callbackd-fuzz-"));
const report = join(work, "report.jsonl");
const before = savedInputs();
const started = Date.now();
console.log(`fuzzing ${areas.join(", ")} for ${minutes} min (${perArea} s per area), seed ${opts.seed}`);

for (const area of areas) {
    const r = spawnSync(
        "npx",
        [
            "tap",
            "--disable-coverage",
            "--reporter=terse",
            `--timeout=${perArea + 600}`,
            join("test", "fuzz", `${area}.test.ts`),
        ],
        {
            cwd: root,
            stdio: ["ignore", "inherit", "inherit"],
            env: { ...process.env, FUZZ_SECONDS: String(perArea), FUZZ_SEED: opts.seed, FUZZ_REPORT: report },
        },
    );
    if (r.status !== 0) console.log(`area ${area}: tap exited with ${r.status ?? r.signal}`);
}

const rows = existsSync(report)
    ? readFileSync(report, "utf8")
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => JSON.parse(l))
    : [];
rmSync(work, { recursive: true, force: true });
const fresh = [...savedInputs()].filter((f) => !before.has(f));
const total = rows.reduce((n, r) => n + r.runs, 0);
const failed = rows.filter((r) => r.failed);

console.log("");
console.log(`| area | target | executions | seconds | result |`);
console.log(`|---|---|---:|---:|---|`);
for (const r of rows) {
    const result = r.failed ? `FAILED${r.saved ? ` → ${r.saved}` : ""}` : "ok";
    console.log(`| ${r.area} | ${r.target} | ${r.runs} | ${(r.ms / 1000).toFixed(0)} | ${result} |`);
}
console.log("");
console.log(
    `${rows.length} targets, ${total} executions in ${((Date.now() - started) / 60000).toFixed(1)} min, seed ${opts.seed}: ` +
        `${failed.length} failed, ${fresh.length} new crash file(s)${fresh.length > 0 ? `: ${fresh.join(", ")}` : ""}`,
);
process.exit(failed.length > 0 || rows.length === 0 ? 1 : 0);

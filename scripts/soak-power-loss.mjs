#!/usr/bin/env node
// Power-loss soak (issue G): the loop of test/store/powerLoss.test.ts, run many more times. A child
// (test/store/powerLossChild.mjs) activates call-backs in a loop on real fsync'd files and prints each
// request id once durable; it is killed with SIGKILL at a random moment; the slots must then hold a valid
// snapshot containing every id acknowledged before the kill.
// Run after `npm run build`: node scripts/soak-power-loss.mjs [--rounds 1000] [--seed N] [--dir DIR]
// Exit code 1 when any round lost an acknowledged request or found no valid snapshot.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
if (!existsSync(join(root, "dist/store/snapshotWriter.js"))) throw new Error("dist/ not found: run npm run build");
const { NodeFlashFs } = await import(join(root, "dist/store/flashFs.js"));
const { SlotStore } = await import(join(root, "dist/store/slots.js"));
const { decodePayload } = await import(join(root, "dist/store/snapshotCodec.js"));
const child = join(root, "test/store/powerLossChild.mjs");

const { values } = parseArgs({
    options: {
        rounds: { type: "string", default: "1000" },
        seed: { type: "string" },
        dir: { type: "string" },
    },
});
const rounds = Number(values.rounds);
const seed = Number(values.seed ?? Date.now() % 1_000_000);
let x = seed >>> 0 || 1;
/** xorshift32, so a failing run can be replayed with --seed. */
function random() {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
}

/** One child, killed `delay` ms after it is ready (or after it was spawned, when `early`). */
function runOnce(dir, delay, early) {
    return new Promise((resolve, reject) => {
        const proc = spawn(process.execPath, [child, dir], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        let ready = false;
        let timer = null;
        const kill = () => proc.kill("SIGKILL");
        if (early) timer = setTimeout(kill, delay);
        proc.stdout.setEncoding("utf8");
        proc.stdout.on("data", (chunk) => {
            out += chunk;
            if (!ready && out.startsWith("ready\n")) {
                ready = true;
                if (!early) timer = setTimeout(kill, delay);
            }
        });
        proc.on("error", reject);
        proc.on("close", (code, signal) => {
            if (timer !== null) clearTimeout(timer);
            if (signal !== "SIGKILL") reject(new Error(`child ended by itself (code ${code}, signal ${signal})`));
            const lines = out.split("\n");
            lines.pop();
            resolve(lines.filter((l) => l !== "ready"));
        });
    });
}

const dir = mkdtempSync(join(values.dir ?? tmpdir(), "callbackd-soak-"));
const started = Date.now();
let acked = 0;
let empty = 0;
let early = 0;
let maxGeneration = 0n;
const failures = [];
try {
    for (let round = 0; round < rounds; round++) {
        const isEarly = random() < 0.1;
        const delay = isEarly ? Math.floor(random() * 60) : 1 + Math.floor(random() * 24);
        if (isEarly) early++;
        const ids = await runOnce(dir, delay, isEarly);
        acked += ids.length;
        if (ids.length === 0) empty++;
        const loaded = await new SlotStore(new NodeFlashFs(dir)).load();
        const problems = [];
        if (loaded.quarantined.length > 0) problems.push(`torn slot: ${loaded.quarantined.join(", ")}`);
        const have = new Set();
        if (loaded.record === null) {
            if (ids.length > 0) problems.push("no snapshot after acknowledgements");
        } else {
            if (loaded.record.generation < maxGeneration) problems.push("the snapshot went back in time");
            maxGeneration = loaded.record.generation;
            try {
                const c = decodePayload(loaded.record.formatVersion, loaded.record.payload);
                for (const r of c.engine.requests) have.add(r.id);
            } catch (err) {
                problems.push(`invalid payload: ${err.message}`);
            }
        }
        const lost = ids.filter((id) => !have.has(id));
        if (lost.length > 0) problems.push(`lost ${lost.length}: ${lost.slice(0, 5).join(", ")}`);
        if (problems.length > 0) failures.push({ round, delay, early: isEarly, problems });
        if ((round + 1) % 100 === 0) {
            process.stderr.write(`${round + 1}/${rounds} rounds, ${acked} acknowledged, ${failures.length} failed\n`);
        }
    }
} finally {
    rmSync(dir, { recursive: true, force: true });
}
const summary = {
    seed,
    rounds,
    killedDuringStartup: early,
    roundsWithoutAck: empty,
    acknowledged: acked,
    finalGeneration: Number(maxGeneration),
    failedRounds: failures.length,
    failures: failures.slice(0, 20),
    seconds: Math.round((Date.now() - started) / 100) / 10,
};
console.log(JSON.stringify(summary, null, 2));
process.exitCode = failures.length === 0 ? 0 : 1;

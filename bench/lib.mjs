// Shared helpers of the benchmark scripts: machine description, medians, Markdown tables between
// <!-- bench:NAME:begin/end --> markers in docs/BENCHMARKS.md, and the generated capture.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, freemem, loadavg, release, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (bench/..). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Throws unless `npm run build` has produced dist/. */
export function requireDist() {
    if (!existsSync(join(ROOT, "dist/service/callbackService.js")))
        throw new Error("dist/ not found: run npm run build");
}

/** CPU, cores, RAM, Node, kernel and load average right now. */
export function machine() {
    const cpu = cpus();
    return {
        cpu: cpu[0]?.model.trim() ?? "unknown CPU",
        cores: cpu.length,
        ramMiB: Math.round(totalmem() / 2 ** 20),
        freeMiB: Math.round(freemem() / 2 ** 20),
        node: process.version,
        kernel: release(),
        loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    };
}

/** One line for the tables. */
export function machineLine(m = machine()) {
    return `${m.cpu}, ${m.cores} cores, ${(m.ramMiB / 1024).toFixed(0)} GiB RAM, Node ${m.node}, Linux ${m.kernel}, load average ${m.loadavg.join(" / ")} at start`;
}

/** Median of numbers. */
export function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    if (s.length === 0) return Number.NaN;
    const k = s.length >> 1;
    return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

/** Percentile p (0–100) by nearest rank. */
export function percentile(xs, p) {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Replaces the text between the bench:key markers; throws if they are missing. */
export function replaceSection(text, key, table) {
    const begin = `<!-- bench:${key}:begin -->`;
    const end = `<!-- bench:${key}:end -->`;
    const i = text.indexOf(begin);
    const j = text.indexOf(end);
    if (i < 0 || j < 0) throw new Error(`docs/BENCHMARKS.md lacks the bench:${key} markers`);
    return `${text.slice(0, i + begin.length)}\n${table}\n${text.slice(j)}`;
}

/** Writes tables ({ key: markdown }) into docs/BENCHMARKS.md; returns the keys whose markers are missing. */
export function writeTables(tables) {
    const docs = join(ROOT, "docs/BENCHMARKS.md");
    let text = readFileSync(docs, "utf8");
    const missing = [];
    for (const [key, table] of Object.entries(tables)) {
        if (!text.includes(`<!-- bench:${key}:begin -->`)) missing.push(key);
        else text = replaceSection(text, key, table);
    }
    writeFileSync(docs, text);
    return missing;
}

/** The generated benchmark capture for `packets` and `phones` (made once, kept in the temp folder). */
export async function benchCapture(packets, phones) {
    const dir = join(tmpdir(), "callbackd-bench");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `sccp-${packets}-${phones}.pcap`);
    if (!existsSync(file)) {
        process.stderr.write(`generating ${file} ...\n`);
        const { generate } = await import("./generate.mjs");
        generate(file, packets, phones);
    }
    return { file, size: statSync(file).size };
}

/** "1,234,567" */
export const int = (x) => Math.round(x).toLocaleString("en-US");
/** "1.23 M" */
export const mega = (x, d = 2) => `${(x / 1e6).toFixed(d)} M`;

/**
 * A pending call-back request as the engine keeps it (phase "waiting"), from caller `p` ({ name, ip, dn })
 * to `calledDn`, made a minute before `now` and expiring `expiresInMs` after it.
 */
export function pendingRequest(i, p, calledDn, now, expiresInMs = 3_540_000) {
    return {
        id: `cb-${i}`,
        seq: i,
        caller: { device: p.name, name: p.name, ip: p.ip, line: 1, dn: p.dn, model: "Cisco 7960" },
        calledDn,
        trigger: i % 3 === 0 ? "no-answer" : "busy",
        heard: i % 3 === 0 ? "ringback" : "busy",
        createdAt: now - 60_000,
        activeSince: now - 59_850,
        expiresAt: now + expiresInMs,
        phase: "waiting",
        suspended: false,
        generation: i,
        reply: null,
        replaces: null,
        calleeInUseSeen: true,
        callerUnregisteredAt: null,
        notifiedAt: null,
        notifyPhoneTime: null,
        delivery: null,
    };
}

/** Snapshot content (engine state + MQTT session fields) holding `requests`, their callees busy. */
export function snapshotContent(requests, now) {
    const n = requests.length;
    return {
        engine: {
            version: 1,
            seq: n,
            now,
            generation: n,
            durable: n,
            requests,
            offers: [],
            callees: requests.map((r) => ({
                dn: r.calledDn,
                state: "busy",
                since: now - 120_000,
                firstNotifiedAt: null,
            })),
            alarms: [],
        },
        session: 1,
        outboxAckedEseq: 0,
    };
}

/** A caller for request i when no branch is simulated. */
export function syntheticPhone(i) {
    const hex = (0x001e4a000000 + i).toString(16).toUpperCase().padStart(12, "0");
    return { name: `SEP${hex}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, dn: String(10000 + i) };
}

/**
 * The environment of a `callbackd run` timed to READY: capture on lo (a port nothing uses), state in `dir`,
 * any free HTTP port, no console, info logs (READY is read from them).
 */
export function readyRunEnv(dir) {
    return {
        PATH: process.env.PATH,
        CALLBACKD_CAPTURE_INTERFACE: "lo",
        CALLBACKD_CAPTURE_SCCP_PORTS: "[2999]",
        CALLBACKD_STATE_DIR: dir,
        CALLBACKD_HTTP_LISTEN: "127.0.0.1:0",
        CALLBACKD_CONSOLE_TCP_ENABLED: "false",
        CALLBACKD_LOG_LEVEL: "info",
    };
}

/**
 * Spawns `callbackd run` (of the tree at `root`, with `nodeArgs` before the script) with readyRunEnv(dir) and
 * resolves once it has exited after its "capture open" line (the moment run.ts sends READY=1): ms from spawn
 * to that line, the pid, the output and the spawn's wall-clock time (for the log lines' own timestamps).
 */
export function runToReady({ root = ROOT, dir, nodeArgs = [], timeoutMs = 30_000 }) {
    return new Promise((resolve, reject) => {
        const t0 = process.hrtime.bigint();
        const spawnedAt = Date.now();
        const child = spawn(process.execPath, [...nodeArgs, join(root, "bin/callbackd"), "run"], {
            env: readyRunEnv(dir),
            stdio: ["ignore", "pipe", "pipe"],
        });
        let text = "";
        let ms = null;
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        const onData = (chunk) => {
            text += chunk;
            if (ms === null && text.includes("capture open")) {
                ms = Number(process.hrtime.bigint() - t0) / 1e6;
                child.kill("SIGTERM");
            }
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", onData);
        child.on("exit", () => {
            clearTimeout(timer);
            if (ms === null) reject(new Error(`callbackd run never became ready:\n${text.slice(-2000)}`));
            else resolve({ ms, pid: child.pid, text, spawnedAt });
        });
    });
}

#!/usr/bin/env node
// Redundancy (issue J): replication lag and failover time, two boxes in one process on a real Mosquitto
// (spawned on a free loopback port). The boxes are RedundancyManagers with a small service whose state is
// an opaque payload of the size a snapshot of N requests has (bench/snapshot.mjs: ~180 bytes a request),
// so the lag is the broker round trip: active publishes (QoS 1, retained) → standby has applied it.
// Failover: the active leaves cleanly (its departure message), or its socket dies without a DISCONNECT
// (kill -9: the broker publishes its Will, believed after the Will grace), until the standby is active;
// handback: the lower address starts again until it is active (settle time, sync, safe point).
// Run after `npm run build`: node bench/redundancy.mjs [--samples N] [--rounds N]
// Prints one JSON object, and the Markdown rows on stderr.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
if (!existsSync(join(root, "dist/redundancy/manager.js"))) throw new Error("dist/ not found: run npm run build");
const { RedundancyManager } = await import(join(root, "dist/redundancy/manager.js"));
const { configureLogging } = await import(join(root, "dist/logging/logger.js"));
configureLogging({ level: process.env.LOG ?? "silent" });

const { values } = parseArgs({
    options: {
        samples: { type: "string", default: "200" },
        rounds: { type: "string", default: "10" },
        nagle: { type: "boolean", default: false },
    },
});
const SAMPLES = Number(values.samples);
const ROUNDS = Number(values.rounds);
const TIMING = { heartbeatMs: 200, staleAfterMs: 1500, settleMs: 600 };

const port = await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
        const p = s.address().port;
        s.close(() => resolve(p));
    });
});
// set_tcp_nodelay: Mosquitto otherwise lets Nagle hold small messages to subscribers for up to ~40 ms
const conf = join(mkdtempSync(join(tmpdir(), "cbk-bench-mosq-")), "mosquitto.conf");
writeFileSync(
    conf,
    `listener ${port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay ${values.nagle ? "false" : "true"}\n`,
);
const broker = spawn("mosquitto", ["-c", conf], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 500));
const url = `mqtt://127.0.0.1:${port}`;

class Box {
    role = "standby";
    payload = new Uint8Array(0);
    applied = null;
    setRole(role) {
        this.role = role;
        this.roleAt = performance.now();
    }
    replicaPayload() {
        return this.payload;
    }
    applyReplica(_format, payload) {
        this.appliedAt = performance.now();
        this.applied = payload;
    }
    atSafePoint() {
        return true;
    }
}

let incarnation = 0;
function start(node, address) {
    const service = new Box();
    const mgr = new RedundancyManager({
        site: "bench",
        node,
        address,
        priority: 100,
        ...TIMING,
        url: null,
        // a new client id per incarnation: the killed one must not take the session back
        broker: { url, clientId: `${node}-${++incarnation}` },
        service,
    });
    mgr.start();
    return { service, mgr };
}

async function until(cond, ms = 10_000) {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) throw new Error("timeout");
        await new Promise((r) => setTimeout(r, 1));
    }
}

const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const r2 = (x) => Math.round(x * 100) / 100;

let a = start("a", "10.0.0.1");
await until(() => a.service.role === "active");
const b = start("b", "10.0.0.2");
await until(() => b.mgr.status().active === "a");
await new Promise((r) => setTimeout(r, TIMING.settleMs + 100)); // b settled

const lag = [];
for (const requests of [10, 100, 1000]) {
    const ms = [];
    for (let i = 0; i < SAMPLES; i++) {
        a.service.payload = randomBytes(180 * requests);
        const t0 = performance.now();
        const acked = a.mgr.replicate();
        await until(
            () =>
                b.service.applied === a.service.payload ||
                (b.service.applied?.length === a.service.payload.length && b.service.appliedAt > t0),
        );
        ms.push(b.service.appliedAt - t0);
        await acked;
    }
    lag.push({ requests, bytes: 180 * requests, p50: r2(pct(ms, 50)), p99: r2(pct(ms, 99)), max: r2(Math.max(...ms)) });
}

const failover = { clean: [], will: [], handback: [] };
for (let i = 0; i < ROUNDS; i++) {
    const will = i % 2 === 1;
    const t0 = performance.now();
    if (will) {
        a.mgr.connection.options.reconnectPeriod = 0;
        a.mgr.connection.stream.destroy();
    } else await a.mgr.stop();
    await until(() => b.service.role === "active");
    (will ? failover.will : failover.clean).push(b.service.roleAt - t0);
    if (will) await a.mgr.stop();
    const t1 = performance.now();
    a = start("a", "10.0.0.1");
    await until(() => a.service.role === "active" && b.service.role === "standby");
    failover.handback.push(a.service.roleAt - t1);
}
await a.mgr.stop();
await b.mgr.stop();
broker.kill();

const summary = (xs) => ({ n: xs.length, p50: r2(pct(xs, 50)), max: r2(Math.max(...xs)) });
const result = {
    machine: `${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}`,
    timing: TIMING,
    brokerTcpNoDelay: !values.nagle,
    lag,
    failover: { clean: summary(failover.clean), will: summary(failover.will), handback: summary(failover.handback) },
};
console.log(JSON.stringify(result, null, 2));
for (const l of lag)
    console.error(`| ${l.requests} | ${l.bytes.toLocaleString("en")} | ${l.p50} | ${l.p99} | ${l.max} |`);
for (const [k, v] of Object.entries(result.failover)) console.error(`| ${k} | ${v.n} | ${v.p50} | ${v.max} |`);

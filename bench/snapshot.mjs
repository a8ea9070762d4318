#!/usr/bin/env node
// Snapshots on flash (issue G): slot size, encode + durable write time (real files: temp file, fsync,
// rename, directory fsync, in a temp dir on this machine's disk) and restore time (read both slots, CRC,
// protobuf decode + validation) for 10, 1,000 and 20,000 active requests; then the bytes written per day
// at 100 activations/hour, from the measured bytes per write and the number of writes the coalescing
// writer makes at that rate.
// Run after `npm run build`: node bench/snapshot.mjs [--dir DIR] [--writes N]
// Prints one JSON object, and the Markdown rows on stderr.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
if (!existsSync(join(root, "dist/store/snapshotWriter.js"))) throw new Error("dist/ not found: run npm run build");
const { NodeFlashFs } = await import(join(root, "dist/store/flashFs.js"));
const { SlotStore } = await import(join(root, "dist/store/slots.js"));
const { decodePayload, encodeSnapshot, FORMAT_PROTOBUF } = await import(join(root, "dist/store/snapshotCodec.js"));

const { values } = parseArgs({
    options: { dir: { type: "string" }, writes: { type: "string", default: "40" } },
});
const WRITES = Number(values.writes);

/** A request as the engine keeps it, with every optional field a busy office would fill in. */
function request(i, now) {
    const dn = String(10000 + (i % 90000));
    return {
        id: `cb-${i}`,
        seq: i,
        caller: {
            device: `SEP00112233${String(i % 10000).padStart(4, "0")}`,
            name: `SEP00112233${String(i % 10000).padStart(4, "0")}`,
            ip: `10.1.${(i >> 8) & 255}.${i & 255}`,
            line: 1 + (i % 2),
            dn,
            model: "Cisco 8841",
        },
        calledDn: String(20000 + ((i * 7) % 5000)),
        trigger: i % 3 === 0 ? "no-answer" : "busy",
        heard: i % 3 === 0 ? "ringback" : "busy",
        createdAt: now - 60_000,
        activeSince: now - 59_850,
        expiresAt: now + 3_540_000,
        phase: i % 5 === 0 ? "notified" : "waiting",
        suspended: i % 17 === 0,
        generation: i,
        reply: null,
        replaces: null,
        calleeInUseSeen: true,
        callerUnregisteredAt: null,
        notifiedAt: i % 5 === 0 ? now - 1000 : null,
        notifyPhoneTime: i % 5 === 0 ? { epochMs: now - 1000, utcOffsetMinutes: 60, dateTemplate: "D.M.Y" } : null,
        delivery: i % 5 === 0 ? { attempts: 1, inFlight: false, retryAt: null, lastCode: "PUSH_OK" } : null,
    };
}

function content(n) {
    const now = 1_764_122_400_000;
    const requests = [];
    const callees = new Map();
    for (let i = 1; i <= n; i++) {
        const r = request(i, now);
        requests.push(r);
        callees.set(r.calledDn, { dn: r.calledDn, state: "busy", since: now - 120_000, firstNotifiedAt: null });
    }
    return {
        engine: {
            version: 1,
            seq: n,
            now,
            generation: n,
            durable: n,
            requests,
            offers: [],
            callees: [...callees.values()],
            alarms: [],
        },
        session: 3,
        outboxAckedEseq: 100,
    };
}

const ms = (a, b) => Number(b - a) / 1e6;
function stats(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return { p50: q(0.5), p99: q(0.99), max: s[s.length - 1] };
}
const r3 = (x) => Math.round(x * 1000) / 1000;

const base = values.dir ?? tmpdir();
const results = [];
for (const n of [10, 100, 1000, 20000]) {
    const c = content(n);
    const dir = mkdtempSync(join(base, "callbackd-bench-snapshot-"));
    try {
        const store = new SlotStore(new NodeFlashFs(dir));
        await store.load();
        const encode = [];
        const write = [];
        let payloadBytes = 0;
        const writes = n >= 20000 ? Math.max(10, WRITES >> 2) : WRITES;
        for (let k = 0; k < writes; k++) {
            c.engine.generation++;
            const t0 = process.hrtime.bigint();
            const payload = encodeSnapshot(c);
            const t1 = process.hrtime.bigint();
            await store.write(FORMAT_PROTOBUF, payload);
            const t2 = process.hrtime.bigint();
            encode.push(ms(t0, t1));
            write.push(ms(t1, t2));
            payloadBytes = payload.length;
        }
        const restore = [];
        let restored = 0;
        for (let k = 0; k < Math.min(writes, 20); k++) {
            const t0 = process.hrtime.bigint();
            const loaded = await new SlotStore(new NodeFlashFs(dir)).load();
            const got = decodePayload(loaded.record.formatVersion, loaded.record.payload);
            restore.push(ms(t0, process.hrtime.bigint()));
            restored = got.engine.requests.length;
        }
        if (restored !== n) throw new Error(`restored ${restored} of ${n}`);
        results.push({
            requests: n,
            payloadBytes,
            slotBytes: store.stats.bytesWritten / store.stats.writes,
            encodeMs: stats(encode),
            writeMs: stats(write),
            restoreMs: stats(restore),
            writes,
        });
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

// Flash budget at 100 activations/hour. Each request is written when it is activated (the durable ack), when
// the callee becomes free and it is notified, and when it ends (served, cancelled or expired): 3 snapshot
// writes per request. At 100/hour activations arrive ~36 s apart on average, far slower than a write takes
// (ms), so coalescing rarely merges two of them: count all 3 (an upper bound). Requests live at most the
// busy expiry (60 min), so at most ~100 are active at once (the steady state of 100/h × 1 h).
const perHour = 100;
const writesPerDay = perHour * 24 * 3;
const at100 = results.find((r) => r.requests === 100);
const at10 = results.find((r) => r.requests === 10);
const BLOCK = 4096;
const blocks = (b) => Math.ceil(b / BLOCK) * BLOCK;
// What the disk sees per write, at least: the data blocks of the temp file, plus ext4's journal commits
// for the inode and the directory (≈ 3 metadata blocks per fsync'd create + rename + directory fsync).
const diskPerWrite = (slot) => blocks(slot) + 3 * BLOCK;
const day = {
    activationsPerHour: perHour,
    writesPerDay,
    slotBytesAt10: at10.slotBytes,
    slotBytesAt100: at100.slotBytes,
    payloadBytesPerDayAt100: writesPerDay * at100.slotBytes,
    diskBytesPerDayAt100: writesPerDay * diskPerWrite(at100.slotBytes),
};

const out = {
    machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, dir: base },
    results,
    day,
};
console.log(JSON.stringify(out, null, 2));
const f = (x) => x.toLocaleString("en-US");
const rows = [
    "| requests | slot bytes | encode p50 / p99 ms | durable write p50 / p99 ms | restore p50 / p99 ms |",
    "|---:|---:|---:|---:|---:|",
    ...results.map(
        (r) =>
            `| ${f(r.requests)} | ${f(r.slotBytes)} | ${r3(r.encodeMs.p50)} / ${r3(r.encodeMs.p99)} | ` +
            `${r3(r.writeMs.p50)} / ${r3(r.writeMs.p99)} | ${r3(r.restoreMs.p50)} / ${r3(r.restoreMs.p99)} |`,
    ),
    "",
    `At ${perHour} activations/hour: ${f(writesPerDay)} writes/day × ${f(at100.slotBytes)} B (100 active) = ` +
        `${f(day.payloadBytesPerDayAt100)} B/day of snapshots; ≈ ${f(day.diskBytesPerDayAt100)} B/day at the disk ` +
        "(4 KiB blocks + 3 journal blocks per write).",
];
process.stderr.write(`${rows.join("\n")}\n`);

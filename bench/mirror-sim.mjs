#!/usr/bin/env node
// Child of bench/memory.mjs: a simulated branch (memory transport, manual clock) whose mirror frames are
// written to stdout as a classic pcap stream, so the measured process holds the service and nothing else.
// Protocol (IPC): → { type: "registered", frames, now } once every phone has
// registered (frames held until ← { type: "start" }); ← { type: "go" } starts the traffic (callsPerSecond across the
// branch) paced on the wall clock for `minutes`; → { type: "progress" | "done", frames, traffic }.
// Args (JSON): { phones, callsPerSecond, minutes, talkTimeMs, callBackProbability, seed, stateDir, requests }:
// with stateDir, a snapshot of `requests` pending requests from the branch's phones is written there first.
import { writeSync } from "node:fs";
import { Branch } from "../dist/sim/branch.js";
import { TrafficGenerator } from "../dist/sim/traffic.js";
import { NodeFlashFs } from "../dist/store/flashFs.js";
import { SlotStore } from "../dist/store/slots.js";
import { encodeSnapshot, FORMAT_PROTOBUF } from "../dist/store/snapshotCodec.js";
import { pendingRequest, snapshotContent } from "./lib.mjs";

const opts = JSON.parse(process.argv[2] ?? "{}");
const CHUNK = 1 << 20;
let out = Buffer.allocUnsafe(CHUNK);
let used = 0;
let frames = 0;
let hold = true;
const held = [];

/** Writes all of buf to stdout (a pipe: blocks while the parent is behind). */
function writeAll(buf) {
    let off = 0;
    while (off < buf.length) {
        try {
            off += writeSync(1, buf, off);
        } catch (err) {
            if (err.code !== "EAGAIN") throw err;
        }
    }
}

function flush() {
    if (used === 0) return;
    const chunk = out.subarray(0, used);
    if (hold) {
        held.push(Buffer.from(chunk));
    } else writeAll(chunk);
    out = Buffer.allocUnsafe(CHUNK);
    used = 0;
}

/** The branch's mirror port: every frame as a pcap record. */
const tap = {
    writeFrom(ts, buf, start, end) {
        const len = end - start;
        if (used + 16 + len > out.length) flush();
        const sec = Math.floor(ts);
        out.writeUInt32LE(sec, used);
        out.writeUInt32LE(Math.round((ts - sec) * 1e6) % 1e6, used + 4);
        out.writeUInt32LE(len, used + 8);
        out.writeUInt32LE(len, used + 12);
        out.set(buf.subarray(start, end), used + 16);
        used += 16 + len;
        frames++;
    },
};

const header = Buffer.alloc(24);
header.writeUInt32LE(0xa1b2c3d4, 0);
header.writeUInt16LE(2, 4);
header.writeUInt16LE(4, 6);
header.writeUInt32LE(65535, 16);
header.writeUInt32LE(1, 20);
writeAll(header);

const branch = Branch.startSync({ phones: opts.phones, seed: opts.seed ?? 1, tap, history: 0, registerBatch: 500 });
flush();
if (opts.stateDir && opts.requests > 0) {
    // The state the service restores: written here, so the measured process only loads it (as after a restart).
    const now = branch.clock.now();
    const requests = Array.from({ length: opts.requests }, (_, k) => {
        const p = branch.phones[k % branch.phones.length];
        // a number outside the branch as the callee: the request stays pending
        const caller = { name: p.deviceName, ip: p.ip, dn: p.lines[0] };
        return pendingRequest(k + 1, caller, String(5_000_000 + k), now, 3_540_000 + opts.minutes * 60_000);
    });
    const store = new SlotStore(new NodeFlashFs(opts.stateDir));
    await store.load();
    await store.write(FORMAT_PROTOBUF, encodeSnapshot(snapshotContent(requests, now)));
}
process.send({
    type: "registered",
    frames,
    now: branch.clock.now(),
});

process.on("message", (msg) => {
    if (msg.type === "start") {
        // the parent reads stdout now: hand over the registration
        hold = false;
        for (const b of held.splice(0)) writeAll(b);
        return;
    }
    if (msg.type !== "go") return;
    const traffic = new TrafficGenerator(branch.phones, branch.clock, {
        seed: opts.seed ?? 1,
        callsPerHour: (opts.callsPerSecond * 3600) / branch.phones.length,
        talkTimeMs: opts.talkTimeMs ?? 20_000,
        callBackProbability: opts.callBackProbability ?? 0,
    });
    traffic.start();
    const endAt = Date.now() + opts.minutes * 60_000;
    let last = Date.now();
    let lastProgress = last;
    const step = () => {
        const now = Date.now();
        // simulated time follows the wall clock (at most 1 s per step if the simulator falls behind)
        branch.clock.advance(Math.min(1000, now - last));
        last = now;
        flush();
        if (now - lastProgress >= 10_000) {
            lastProgress = now;
            process.send({ type: "progress", frames, traffic: traffic.stats });
        }
        if (now < endAt) setTimeout(step, 50);
        else {
            traffic.stop();
            flush();
            process.send({ type: "done", frames, traffic: traffic.stats }, () => process.exit(0));
        }
    };
    setTimeout(step, 50);
});
process.on("disconnect", () => process.exit(0));

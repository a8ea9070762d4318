#!/usr/bin/env node
// Generates a large synthetic SCCP capture for the benchmarks with the branch-office simulator: `phones`
// phones registered with a simulated CallManager (CM 4.x registration exchange), keepalives, and a seeded
// call mix (ringback, busy, answered calls, CallBack presses, holds) — the real message sequences, as
// Ethernet/IPv4/TCP frames with correct sequence numbers, synthesised without sockets on a manual clock.
// Usage: node bench/generate.mjs OUT.pcap [packets] [phones] [--rate calls/phone/hour] [--seed n]
//        [--loss p] [--reorder p] [--duplicate p] [--start-at seconds] [--mss bytes] [--v20 fraction]
import { parseArgs } from "node:util";
import { PcapFileWriter } from "../dist/capture/pcapWriter.js";
import { Branch } from "../dist/sim/branch.js";
import { TrafficGenerator } from "../dist/sim/traffic.js";

const MODELS = ["7960", "7960", "7940", "7940", "7912", "7905"];

/**
 * Writes `path` with at least `packets` frames from `phones` phones (the simulation runs until the capture
 * holds that many). Synchronous. Returns the frames written and the SCCP messages they carry.
 */
export function generate(path, packets = 1_200_000, phones = 2000, options = {}) {
    const seed = options.seed ?? 1;
    const v20 = options.v20 ?? 0.25;
    const writer = new PcapFileWriter(path, 1, 65535, 4 << 20, { fsync: false });
    const start = 1_780_473_600_000; // 2026-06-03 08:00 UTC, the manual clock's default start
    const branch = Branch.startSync({
        phones,
        seed,
        models: v20 > 0 ? [...MODELS, ...Array(Math.round((MODELS.length * v20) / (1 - v20))).fill("7961")] : MODELS,
        history: 0,
        registerBatch: phones,
        tap: writer,
        tapOptions: {
            seed,
            mss: options.mss ?? 1460,
            loss: options.loss ?? 0,
            reorder: options.reorder ?? 0,
            duplicate: options.duplicate ?? 0,
            startAt: start + (options.startAt ?? 0) * 1000,
        },
    });
    const traffic = new TrafficGenerator(branch.phones, branch.clock, {
        seed,
        callsPerHour: options.rate ?? 4,
        holdProbability: 0.05,
    });
    traffic.start();
    const tap = branch.tap;
    while (tap.stats.frames < packets) branch.clock.advance(1000);
    traffic.stop();
    writer.close();
    const messages = branch.cm.stats.messagesOut + branch.phones.reduce((n, p) => n + p.stats.messagesSent, 0);
    return {
        packets: writer.frames,
        messages,
        simulatedSeconds: (branch.clock.now() - start) / 1000,
        traffic: traffic.stats,
    };
}

if (import.meta.url === `file://${process.argv[1]}`) {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: {
            rate: { type: "string" },
            seed: { type: "string" },
            loss: { type: "string" },
            reorder: { type: "string" },
            duplicate: { type: "string" },
            "start-at": { type: "string" },
            mss: { type: "string" },
            v20: { type: "string" },
        },
    });
    const [path, packets, phones] = positionals;
    if (!path) {
        process.stderr.write(
            "usage: node bench/generate.mjs OUT.pcap [packets] [phones] [--rate n] [--seed n] [--loss p] [--reorder p] [--duplicate p] [--start-at s] [--mss n] [--v20 f]\n",
        );
        process.exit(2);
    }
    const num = (v) => (v === undefined ? undefined : Number(v));
    const t0 = process.hrtime.bigint();
    const r = generate(path, Number(packets ?? 1_200_000), Number(phones ?? 2000), {
        rate: num(values.rate),
        seed: num(values.seed),
        loss: num(values.loss),
        reorder: num(values.reorder),
        duplicate: num(values.duplicate),
        startAt: num(values["start-at"]),
        mss: num(values.mss),
        v20: num(values.v20),
    });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stdout.write(
        `${path}: ${r.packets} packets, ${r.messages} SCCP messages, ${r.simulatedSeconds.toFixed(0)} simulated s, ${s.toFixed(1)} s wall\n`,
    );
}

#!/usr/bin/env node
// Runs the benchmarks side by side on one generated capture and records the results in
// docs/BENCHMARKS.md (between the <!-- bench:... --> markers). Usage: npm run bench [-- --packets N]
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readCaptureFile } from "../dist/capture/pcapFile.js";
import { decodeFrame } from "../dist/wire/decodeFrame.js";
import { WirePipeline } from "../dist/wire/pipeline.js";
import { newWireCounters } from "../dist/wire/types.js";
import { generate } from "./generate.mjs";

const { values } = parseArgs({
    options: {
        packets: { type: "string", default: "1200000" },
        phones: { type: "string", default: "2000" },
        runs: { type: "string", default: "3" },
        "no-write": { type: "boolean", default: false },
    },
});
const packets = Number(values.packets);
const runs = Number(values.runs);
const dir = join(tmpdir(), "callbackd-bench");
mkdirSync(dir, { recursive: true });
const file = join(dir, `sccp-${packets}-${values.phones}.pcap`);
if (!existsSync(file)) {
    process.stderr.write(`generating ${file} ...\n`);
    generate(file, packets, Number(values.phones));
}
const size = statSync(file).size;

const nullConsumer = { onOpen() {}, onData() {}, onGap() {}, onClose() {} };

/** Median of `runs` timings of an async job; the job resolves with the number of frames it handled. */
async function measure(name, job) {
    const times = [];
    let frames = 0;
    let rss = 0;
    for (let i = 0; i < runs; i++) {
        globalThis.gc?.();
        const t0 = process.hrtime.bigint();
        frames = await job();
        times.push(Number(process.hrtime.bigint() - t0) / 1e9);
        rss = Math.max(rss, process.memoryUsage().rss);
    }
    times.sort((a, b) => a - b);
    const s = times[Math.floor(times.length / 2)];
    const row = { name, seconds: s, framesPerS: frames / s, mbPerS: size / s / 1e6, rssMiB: rss / 2 ** 20 };
    process.stderr.write(`${name}: ${(row.framesPerS / 1e6).toFixed(2)} M frames/s, ${row.mbPerS.toFixed(0)} MB/s\n`);
    return row;
}

const rows = [];
rows.push(
    await measure("bare file read (fs stream, no parsing)", async () => {
        await new Promise((resolve, reject) => {
            const s = createReadStream(file, { highWaterMark: 1 << 20 });
            s.on("data", () => {});
            s.on("end", resolve);
            s.on("error", reject);
        });
        return packets;
    }),
);
rows.push(
    await measure("pcap reader", async () => {
        let n = 0;
        await readCaptureFile(file, () => n++);
        return n;
    }),
);
rows.push(
    await measure("pcap reader + wire decode (link/IP/TCP)", async () => {
        const counters = newWireCounters();
        await readCaptureFile(file, (f) => decodeFrame(f, counters));
        return counters.frames;
    }),
);
rows.push(
    await measure("pcap reader + wire decode + TCP reassembly", async () => {
        const p = new WirePipeline(nullConsumer);
        await readCaptureFile(file, p.onFrame);
        p.finish();
        return p.counters.frames;
    }),
);

const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}`;
const table = [
    `Capture: ${packets.toLocaleString("en")} packets (${(size / 1e6).toFixed(0)} MB, ${values.phones} phone connections), median of ${runs} runs, one process.`,
    `Machine: ${machine}.`,
    "",
    "| stage | frames/s | MB/s | seconds | peak RSS MiB |",
    "|---|---:|---:|---:|---:|",
    ...rows.map(
        (r) =>
            `| ${r.name} | ${(r.framesPerS / 1e6).toFixed(2)} M | ${r.mbPerS.toFixed(0)} | ${r.seconds.toFixed(3)} | ${r.rssMiB.toFixed(0)} |`,
    ),
].join("\n");
process.stdout.write(`${table}\n`);

if (!values["no-write"]) {
    const docs = new URL("../docs/BENCHMARKS.md", import.meta.url);
    const text = readFileSync(docs, "utf8");
    const begin = "<!-- bench:pipeline:begin -->";
    const end = "<!-- bench:pipeline:end -->";
    const i = text.indexOf(begin);
    const j = text.indexOf(end);
    if (i < 0 || j < 0) throw new Error("docs/BENCHMARKS.md lacks the bench:pipeline markers");
    writeFileSync(docs, `${text.slice(0, i + begin.length)}\n${table}\n${text.slice(j)}`);
    process.stderr.write("docs/BENCHMARKS.md updated\n");
}

#!/usr/bin/env node
// Runs the benchmarks side by side on one generated capture and records the results in
// docs/BENCHMARKS.md (between the <!-- bench:... --> markers). Usage: npm run bench [-- --packets N]
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readCaptureFile } from "../dist/capture/pcapFile.js";
import { ProtocolDispatcher } from "../dist/protocol/dispatcher.js";
import { decodeSccpBodyAt } from "../dist/sccp/codec.js";
import { SccpConnectionContext } from "../dist/sccp/context.js";
import { SccpFramer } from "../dist/sccp/framer.js";
import { sccpRoute } from "../dist/sccp/stream.js";
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
        "no-tshark": { type: "boolean", default: false },
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

// --- SCCP (issue B): framer + codec alone, the whole decode pipeline, and tshark on the same file ---

/** The capture's reassembled streams, each direction as its list of in-order chunks (copied). */
async function collectStreams() {
    const streams = [];
    const consumer = {
        onOpen(conn) {
            conn.userData = [[], []];
            streams.push(conn.userData);
        },
        onData(conn, dir, bytes) {
            conn.userData[dir].push(bytes.slice());
        },
        onGap() {},
        onClose() {},
    };
    const p = new WirePipeline(consumer);
    await readCaptureFile(file, p.onFrame);
    p.finish();
    return streams;
}
const streams = await collectStreams();
const sccpRows = [];
let messages = 0;
sccpRows.push(
    await measure("SCCP framer + codec alone (in-memory streams, fields decoded)", async () => {
        let n = 0;
        for (const dirs of streams) {
            const ctx = new SccpConnectionContext();
            for (const chunks of dirs) {
                const framer = new SccpFramer();
                const sink = {
                    onMessage(hv, id, buf, start, end) {
                        decodeSccpBodyAt(id, hv, buf, start, end, ctx, false);
                        n++;
                    },
                };
                for (const c of chunks) framer.push(c, sink);
            }
        }
        messages = n;
        return n;
    }),
);
async function pipelineRun(decodeFields) {
    let n = 0;
    const dispatcher = new ProtocolDispatcher([sccpRoute([2000], { decodeFields })], () => n++);
    const p = new WirePipeline(dispatcher);
    await readCaptureFile(file, p.onFrame);
    p.finish();
    return n;
}
sccpRows.push(
    await measure("decode pipeline: file → wire → reassembly → SCCP names (--summary)", () => pipelineRun(false)),
);
sccpRows.push(await measure("decode pipeline: file → wire → reassembly → SCCP fields", () => pipelineRun(true)));

/** Wall time of a command (stdout discarded), as a row. */
function command(name, cmd, args) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "ignore"] });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}`);
    process.stderr.write(`${name}: ${(messages / s / 1e6).toFixed(3)} M messages/s (${s.toFixed(2)} s)\n`);
    return { name, seconds: s, framesPerS: messages / s, mbPerS: size / s / 1e6, rssMiB: Number.NaN };
}
const bin = new URL("../bin/callbackd", import.meta.url).pathname;
sccpRows.push(
    command("`callbackd decode --summary` (whole process)", process.execPath, [bin, "decode", "--summary", file]),
);
sccpRows.push(
    command("`callbackd decode --json > /dev/null` (whole process)", process.execPath, [bin, "decode", "--json", file]),
);
let tshark = null;
if (!values["no-tshark"] && spawnSync("tshark", ["--version"], { stdio: "ignore" }).status === 0) {
    tshark = command("`tshark -r FILE -Y skinny -T fields -e skinny.messageId`", "tshark", [
        "-r",
        file,
        "-Y",
        "skinny",
        "-T",
        "fields",
        "-e",
        "skinny.messageId",
    ]);
    sccpRows.push(tshark);
}

const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}`;
const header = [
    `Capture: ${packets.toLocaleString("en")} packets (${(size / 1e6).toFixed(0)} MB, ${values.phones} phone connections, ${messages.toLocaleString("en")} SCCP messages), median of ${runs} runs in one process (commands: one run each).`,
    `Machine: ${machine}.`,
    "",
];
const pipelineTable = [
    ...header,
    "| stage | frames/s | MB/s | seconds | peak RSS MiB |",
    "|---|---:|---:|---:|---:|",
    ...rows.map(
        (r) =>
            `| ${r.name} | ${(r.framesPerS / 1e6).toFixed(2)} M | ${r.mbPerS.toFixed(0)} | ${r.seconds.toFixed(3)} | ${r.rssMiB.toFixed(0)} |`,
    ),
].join("\n");
const sccpTable = [
    ...header,
    "| stage | SCCP messages/s | × tshark | seconds |",
    "|---|---:|---:|---:|",
    ...sccpRows.map((r) => {
        const perS =
            r.name.startsWith("SCCP framer") || r.name.startsWith("decode pipeline") || r.name.startsWith("`")
                ? messages / r.seconds
                : r.framesPerS;
        const x = tshark ? (tshark.seconds / r.seconds).toFixed(1) : "n/a";
        return `| ${r.name} | ${(perS / 1e6).toFixed(3)} M | ${x} | ${r.seconds.toFixed(3)} |`;
    }),
].join("\n");
process.stdout.write(`${pipelineTable}\n\n${sccpTable}\n`);

function replaceSection(text, key, table) {
    const begin = `<!-- bench:${key}:begin -->`;
    const end = `<!-- bench:${key}:end -->`;
    const i = text.indexOf(begin);
    const j = text.indexOf(end);
    if (i < 0 || j < 0) throw new Error(`docs/BENCHMARKS.md lacks the bench:${key} markers`);
    return `${text.slice(0, i + begin.length)}\n${table}\n${text.slice(j)}`;
}
if (!values["no-write"]) {
    const docs = new URL("../docs/BENCHMARKS.md", import.meta.url);
    let text = readFileSync(docs, "utf8");
    text = replaceSection(text, "pipeline", pipelineTable);
    text = replaceSection(text, "sccp", sccpTable);
    writeFileSync(docs, text);
    process.stderr.write("docs/BENCHMARKS.md updated\n");
}

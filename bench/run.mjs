#!/usr/bin/env node
// Item 1 of the benchmark suite (issues A, B and L): pcap file → wire → reassembly → SCCP → cluster model,
// side by side on one generated capture with the bare cost of reading its records, tshark, and the `pcap`
// package's own decoder + TCPTracker. Writes the pipeline, sccp and throughput tables of docs/BENCHMARKS.md
// (between the <!-- bench:... --> markers) unless --no-write; --json prints every figure as one JSON object.
// Usage: node bench/run.mjs [--packets N] [--phones N] [--runs N] [--tshark-runs N] [--no-tshark] [--json]
import { spawnSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { readCaptureFile } from "../dist/capture/pcapFile.js";
import { ClusterModel } from "../dist/cluster/model.js";
import { ProtocolDispatcher } from "../dist/protocol/dispatcher.js";
import { decodeSccpBodyAt } from "../dist/sccp/codec.js";
import { SccpConnectionContext } from "../dist/sccp/context.js";
import { SccpFramer } from "../dist/sccp/framer.js";
import { sccpRoute } from "../dist/sccp/stream.js";
import { decodeFrame } from "../dist/wire/decodeFrame.js";
import { WirePipeline } from "../dist/wire/pipeline.js";
import { newWireCounters } from "../dist/wire/types.js";
import { benchCapture, int, machine, machineLine, median, writeTables } from "./lib.mjs";

const { values } = parseArgs({
    options: {
        packets: { type: "string", default: "1200000" },
        phones: { type: "string", default: "2000" },
        runs: { type: "string", default: "3" },
        warmup: { type: "string", default: "1" },
        "tshark-runs": { type: "string", default: "1" },
        "no-write": { type: "boolean", default: false },
        "no-tshark": { type: "boolean", default: false },
        "no-node-pcap": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
    },
});
const packetsAsked = Number(values.packets);
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const host = machine();
const { file, size } = await benchCapture(packetsAsked, Number(values.phones));
let packets = 0;
await readCaptureFile(file, () => packets++);

const nullConsumer = { onOpen() {}, onData() {}, onGap() {}, onClose() {} };

/** Median of `runs` timings of an async job; the job resolves with the number of frames it handled. */
async function measure(name, job) {
    const times = [];
    let frames = 0;
    let rss = 0;
    for (let i = -warmup; i < runs; i++) {
        globalThis.gc?.();
        const t0 = process.hrtime.bigint();
        frames = await job();
        if (i >= 0) times.push(Number(process.hrtime.bigint() - t0) / 1e9);
        rss = Math.max(rss, process.memoryUsage().rss);
    }
    const s = median(times);
    const row = { name, seconds: s, times, framesPerS: frames / s, mbPerS: size / s / 1e6, rssMiB: rss / 2 ** 20 };
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

/** The `pcap` package (node_pcap): its offline session (libpcap reads the file), decoder and TCPTracker. */
function nodePcapJob() {
    const require = createRequire(import.meta.url);
    const pcap = require("pcap");
    return () =>
        new Promise((resolve, reject) => {
            let n = 0;
            let bytes = 0;
            const tracker = new pcap.TCPTracker();
            tracker.on("session", (session) => {
                session.on("data send", (_s, data) => {
                    bytes += data.length;
                });
                session.on("data recv", (_s, data) => {
                    bytes += data.length;
                });
            });
            const session = pcap.createOfflineSession(file);
            session.on("packet", (raw) => {
                n++;
                tracker.track_packet(pcap.decode.packet(raw));
            });
            session.on("complete", () => {
                session.close();
                if (bytes === 0) reject(new Error("node_pcap's TCPTracker reassembled nothing"));
                else resolve(n);
            });
        });
}
let nodePcap = null;
let nodePcapError = null;
if (!values["no-node-pcap"]) {
    try {
        nodePcap = await measure("`pcap` package: offline session + decode.packet + TCPTracker", nodePcapJob());
    } catch (err) {
        nodePcapError = err.message.split("\n")[0];
        process.stderr.write(`node_pcap not measured: ${nodePcapError}\n`);
    }
}

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
let streams = await collectStreams();
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
streams = null; // the rows below must not pay for a heap holding the whole capture
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

/** The whole path of the service's data: file → wire → reassembly → SCCP fields → ClusterModel. */
let modelStats = null;
const modelRow = await measure(
    "file → wire → reassembly → SCCP fields → ClusterModel (the service's path)",
    async () => {
        let events = 0;
        const model = new ClusterModel({ onEvent: () => events++ });
        const dispatcher = new ProtocolDispatcher(
            [sccpRoute([2000], { observer: model, records: false })],
            () => {},
            null,
        );
        const p = new WirePipeline(dispatcher);
        await readCaptureFile(file, p.onFrame);
        p.finish();
        modelStats = { ...model.stats(), events };
        return p.counters.frames;
    },
);
sccpRows.push(modelRow);

/** Wall time of a command (stdout discarded), median of `n` runs, as a row. */
function command(name, cmd, args, n = 1) {
    const times = [];
    for (let i = 0; i < n; i++) {
        const t0 = process.hrtime.bigint();
        const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "ignore"] });
        times.push(Number(process.hrtime.bigint() - t0) / 1e9);
        if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}`);
    }
    const s = median(times);
    process.stderr.write(`${name}: ${(messages / s / 1e6).toFixed(3)} M messages/s (${s.toFixed(2)} s)\n`);
    return { name, seconds: s, times, framesPerS: packets / s, mbPerS: size / s / 1e6, rssMiB: Number.NaN };
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
    tshark = command(
        "`tshark -r FILE -Y skinny -T fields -e skinny.messageId`",
        "tshark",
        ["-r", file, "-Y", "skinny", "-T", "fields", "-e", "skinny.messageId"],
        Number(values["tshark-runs"]),
    );
    sccpRows.push(tshark);
}

const tsharkRuns = Number(values["tshark-runs"]);
const header = [
    `Capture: ${int(packets)} packets (${(size / 1e6).toFixed(0)} MB, ${values.phones} phone connections, ${int(messages)} SCCP messages), median of ${runs} runs in one process (commands: ${tsharkRuns > 1 ? `tshark median of ${tsharkRuns}, the others one run each` : "one run each"}).`,
    `Machine: ${machineLine(host)}.`,
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
        const x = tshark ? (tshark.seconds / r.seconds).toFixed(1) : "n/a";
        return `| ${r.name} | ${(messages / r.seconds / 1e6).toFixed(3)} M | ${x} | ${r.seconds.toFixed(3)} |`;
    }),
].join("\n");

// Item 1 of issue L: the service's path against (a) reading the records, (b) tshark, (c) node_pcap.
const records = rows[1];
const ratio = (r, base) => (base ? base.seconds / r.seconds : Number.NaN);
const fx = (x, d = 1) => (Number.isFinite(x) ? `${x.toFixed(d)}×` : "n/a");
const throughputRows = [
    ["(a) reading the file's records (our pcap reader, nothing else)", records],
    ["(b) `tshark -r FILE -Y skinny -T fields -e skinny.messageId` (whole process)", tshark],
    ["(c) `pcap` package: offline session + `decode.packet` + `TCPTracker`", nodePcap],
    ["ours: file → wire → TCP reassembly (what (c) does)", rows[3]],
    ["ours: file → wire → reassembly → SCCP fields", sccpRows[2]],
    ["**ours: file → wire → reassembly → SCCP → ClusterModel (the service)**", modelRow],
].filter(([, r]) => r !== null);
const targets = [
    {
        target: "≥ 1,000,000 packets/s",
        measured: packets / modelRow.seconds,
        goal: 1e6,
        text: `${(packets / modelRow.seconds / 1e6).toFixed(2)} M packets/s`,
    },
    { target: "≥ 30× tshark", measured: ratio(modelRow, tshark), goal: 30, text: fx(ratio(modelRow, tshark)) },
    {
        target: "≥ 10× the `pcap` package (c)",
        measured: ratio(modelRow, nodePcap),
        goal: 10,
        text: fx(ratio(modelRow, nodePcap)),
    },
    {
        target: "≥ 40 % of reading the records (a)",
        measured: ratio(modelRow, records),
        goal: 0.4,
        text: `${(100 * ratio(modelRow, records)).toFixed(1)} %`,
    },
];
for (const t of targets) t.met = Number.isFinite(t.measured) ? t.measured >= t.goal : null;
const throughputTable = [
    ...header,
    "| path | packets/s | MB/s | SCCP messages/s | seconds | ours ÷ this |",
    "|---|---:|---:|---:|---:|---:|",
    ...throughputRows.map(
        ([name, r]) =>
            `| ${name} | ${(packets / r.seconds / 1e6).toFixed(2)} M | ${r.mbPerS.toFixed(0)} | ${(messages / r.seconds / 1e6).toFixed(2)} M | ${r.seconds.toFixed(3)} | ${r === modelRow ? "—" : ratio(modelRow, r) >= 1 ? fx(ratio(modelRow, r)) : `${(100 * ratio(modelRow, r)).toFixed(1)} %`} |`,
    ),
    "",
    "| target (the service's path) | measured | met |",
    "|---|---:|:---:|",
    ...targets.map((t) => `| ${t.target} | ${t.text} | ${t.met === null ? "n/a" : t.met ? "yes" : "**no**"} |`),
    ...(nodePcapError ? ["", `The \`pcap\` package could not be measured: ${nodePcapError}.`] : []),
].join("\n");
const tables = { pipeline: pipelineTable, sccp: sccpTable, throughput: throughputTable };
const result = {
    machine: host,
    capture: { file, bytes: size, packets, messages, phones: Number(values.phones) },
    runs,
    pipeline: rows,
    sccp: sccpRows,
    model: modelStats,
    nodePcap: nodePcap ?? { error: nodePcapError },
    tshark,
    targets,
    tables,
};
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else process.stdout.write(`${pipelineTable}\n\n${sccpTable}\n\n${throughputTable}\n`);
if (!values["no-write"]) {
    const missing = writeTables(tables);
    process.stderr.write(
        `docs/BENCHMARKS.md updated${missing.length ? ` (no markers for ${missing.join(", ")})` : ""}\n`,
    );
}

#!/usr/bin/env node
// Cluster knowledge on flash (issue N): a branch of N phones (default 2,000) registers with a CallManager
// through the real ClusterModel (RegisterReq/Ack, button, softkey template and sets, a line or two with
// LineStatRes, forwarding, DefineTimeDate); then
//   - the knowledge slot's size, a full encode, an encode after one phone changed (the per-device cache),
//     and a restore (decode + restoreKnowledge into a fresh model), each the median of R runs;
//   - a simulated day on a fake clock through the real SnapshotWriter policy (cluster.knowledgeWriteDelayMs
//     5 s, one WriteBudget shared with the request snapshots): a registration storm of every phone in 10
//     minutes (a CallManager restart), 20 phone resets and 100 forwarding changes spread over the day, the
//     daily refresh, and 100 call-back activations per hour (3 request writes each): writes and bytes per
//     day against the write-rate ceiling (3,600/hour).
// Run after `npm run build`: node bench/knowledge.mjs [--phones N] [--runs R]
// Prints one JSON object, and the Markdown rows on stderr.
import { parseArgs } from "node:util";
import { machineLine, median, ROOT, requireDist } from "./lib.mjs";

requireDist();
const { values } = parseArgs({
    options: { phones: { type: "string", default: "2000" }, runs: { type: "string", default: "9" } },
});
const PHONES = Number(values.phones);
const RUNS = Number(values.runs);
const load = (p) => import(`${ROOT}/dist/${p}`);
const { ClusterModel } = await load("cluster/model.js");
const { decodeSccpFrame, encodeSccp } = await load("sccp/codec.js");
const { SCCP_MESSAGE_TABLE } = await load("sccp/tables/messages.js");
const { TcpConnection } = await load("wire/reassembly.js");
const { decodeKnowledge, encodeKnowledge, KNOWLEDGE_FORMAT, KnowledgeEncoder } = await load("store/knowledgeCodec.js");
const { MemoryFlashFs } = await load("store/flashFs.js");
const { KNOWLEDGE_SLOT_NAMES, SlotStore } = await load("store/slots.js");
const { SnapshotWriter, WriteBudget } = await load("store/snapshotWriter.js");
const { FakeClock, settle } = await load("util/fakeClock.js");

const ID = new Map();
for (const [id, name] of SCCP_MESSAGE_TABLE) if (!ID.has(name)) ID.set(name, id);
const msg = (name, fields) => decodeSccpFrame(encodeSccp({ hv: 0, id: ID.get(name), fields }));
const TEMPLATE = [
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
    [5, 5],
    [8, 8],
    [9, 9],
    [10, 10],
    [11, 11],
    [0x41, 35],
];

/** One phone's registration as CallManager 4.x/8.x sends it; a second line on every fifth phone. */
function register(model, i, t) {
    const ip = `10.20.${i >> 8}.${i & 255}`;
    const conn = new TcpConnection(
        i + 1,
        4,
        { addr: ip, port: 50000 + (i % 10000) },
        { addr: "10.20.0.1", port: 2000 },
        0,
        false,
    );
    const ctx = { conn, names: [`${ip}:5000`, "10.20.0.1:2000"], emit: () => {} };
    const up = (name, f) => model.onSccpMessage(ctx, 0, msg(name, f), t);
    const down = (name, f) => model.onSccpMessage(ctx, 1, msg(name, f), t);
    const dns = i % 5 === 0 ? [String(20000 + i), String(40000 + i)] : [String(20000 + i)];
    const name = `SEP00AB${String(i).padStart(8, "0")}`;
    up("RegisterReq", {
        deviceName: name,
        stationIpAddr: ip,
        deviceType: 7,
        maxStreams: 0,
        activeStreams: 0,
        protocolVer: 6,
        phoneFeatures: 0,
        maxConferences: 0,
    });
    down("RegisterAck", {
        keepAliveInterval: 30,
        dateTemplate: "D.M.Y",
        secondaryKeepAliveInterval: 60,
        maxProtocolVer: 6,
        phoneFeatures: 0,
    });
    down("ButtonTemplateRes", {
        buttonOffset: 0,
        buttonCount: dns.length,
        totalButtonCount: dns.length,
        definition: dns.map((_, k) => ({ instanceNumber: k + 1, buttonDefinition: 9 })),
    });
    down("SoftKeyTemplateRes", {
        softKeyOffset: 0,
        softKeyCount: TEMPLATE.length,
        totalSoftKeyCount: TEMPLATE.length,
        definition: TEMPLATE.map(([code, ev]) => ({
            softKeyLabel: `\u0080${String.fromCharCode(code)}`,
            softKeyEvent: ev,
        })),
    });
    const pad = (a) => [...a, ...new Array(16 - a.length).fill(0)];
    down("SoftKeySetRes", {
        softKeySetOffset: 0,
        softKeySetCount: 9,
        totalSoftKeySetCount: 9,
        definition: [[1, 2, 5, 10], [3, 7, 4], [8, 2], [9], [1, 7], [7, 4], [6, 7], [7], [7, 10]].map((s) => ({
            softKeyTemplateIndex: pad(s),
            softKeyInfoIndex: pad(s.map((x) => 300 + x)),
        })),
    });
    for (const [k, dn] of dns.entries())
        down("LineStatRes", {
            lineNumber: k + 1,
            lineDirNumber: dn,
            lineFullyQualifiedDisplayName: `Employee ${dn}`,
            lineTextLabel: dn,
            lineDisplayOptions: 9,
        });
    down("ForwardStatRes", {
        activeForward: 0,
        lineNumber: 1,
        forwardAllActive: 0,
        forwardAllNumber: "",
        forwardBusyActive: i % 20 === 0 ? 1 : 0,
        forwardBusyNumber: i % 20 === 0 ? "29999" : "",
        forwardNoAnswerActive: 0,
        forwardNoAnswerNumber: "",
    });
    down("TimeDateRes", {
        wYear: 2026,
        wMonth: 12,
        wDayOfWeek: 1,
        wDay: 7,
        wHour: 14,
        wMinute: 5,
        wSecond: 0,
        wMilliseconds: 0,
        systemTime: Date.UTC(2026, 11, 7, 13, 5, 0) / 1000,
    });
    return { ctx, down };
}

function timed(fn) {
    const t0 = performance.now();
    const r = fn();
    return { ms: performance.now() - t0, r };
}

// --- size, encode, restore ---
const model = new ClusterModel();
const links = [];
for (let i = 0; i < PHONES; i++) links.push(register(model, i, 1000 + i * 0.01));
const full = [];
const incremental = [];
const restore = [];
let bytes = 0;
for (let r = 0; r < RUNS; r++) {
    const enc = new KnowledgeEncoder();
    const first = timed(() => enc.encode(model.knowledgeExport()));
    full.push(first.ms);
    bytes = first.r.length;
    // one phone's forwarding changes: only it is encoded again
    links[r % PHONES].down("ForwardStatRes", {
        activeForward: 1,
        lineNumber: 1,
        forwardAllActive: 1,
        forwardAllNumber: `3${r}`,
        forwardBusyActive: 0,
        forwardBusyNumber: "",
        forwardNoAnswerActive: 0,
        forwardNoAnswerNumber: "",
    });
    incremental.push(timed(() => enc.encode(model.knowledgeExport())).ms);
    restore.push(timed(() => new ClusterModel().restoreKnowledge(decodeKnowledge(first.r))).ms);
}
const plain = timed(() => encodeKnowledge(model.exportKnowledge()));

// --- a simulated day of writes ---
const clock = new FakeClock(0);
const budget = new WriteBudget(3600, clock);
const fs = new MemoryFlashFs();
const kstore = new SlotStore(fs, () => clock.now(), KNOWLEDGE_SLOT_NAMES);
const rstore = new SlotStore(fs, () => clock.now());
const knowledgeBytes = bytes;
const requestBytes = 1861; // a request snapshot with 10 requests (docs/BENCHMARKS.md, snapshots)
const kwriter = new SnapshotWriter(
    kstore,
    { snapshot: () => ({ formatVersion: KNOWLEDGE_FORMAT, payload: new Uint8Array(knowledgeBytes) }) },
    { timers: clock, budget },
);
let rateAlarms = 0;
const rwriter = new SnapshotWriter(
    rstore,
    { snapshot: () => ({ formatVersion: 2, payload: new Uint8Array(requestBytes) }) },
    {
        timers: clock,
        budget,
        onHealth: (e) => {
            if (e.type === "write-rate-exceeded") rateAlarms++;
        },
    },
);
const DAY = 86_400_000;
const events = [];
for (let i = 0; i < PHONES; i++) events.push({ at: 6 * 3_600_000 + (i * 600_000) / PHONES, kind: "knowledge" });
let seed = 7;
const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
};
for (let i = 0; i < 120; i++) events.push({ at: Math.floor(rnd() * DAY), kind: "knowledge" }); // 20 resets, 100 forwarding changes
events.push({ at: DAY - 1, kind: "knowledge" }); // the daily refresh
for (let h = 0; h < 24; h++)
    for (let k = 0; k < 100; k++)
        for (let w = 0; w < 3; w++) events.push({ at: h * 3_600_000 + k * 36_000 + w * 60_000, kind: "request" });
events.sort((a, b) => a.at - b.at);
const stormWritesBefore = { k: 0 };
for (const e of events) {
    if (e.at > clock.now()) await clock.advance(e.at - clock.now());
    if (e.kind === "knowledge") kwriter.persistLater(5000);
    else void rwriter.persist();
    if (e.at >= 6 * 3_600_000 + 600_000 && stormWritesBefore.k === 0) stormWritesBefore.k = kwriter.stats.writes;
    await settle();
}
await clock.advance(60_000);
await settle();
const k = kwriter.stats;
const q = rwriter.stats;
const out = {
    machine: machineLine(),
    phones: PHONES,
    devicesBytes: bytes,
    bytesPerPhone: Math.round(bytes / PHONES),
    fullEncodeMs: median(full),
    plainEncodeMs: plain.ms,
    oneChangedEncodeMs: median(incremental),
    restoreMs: median(restore),
    day: {
        knowledgeWrites: k.writes,
        stormWrites: stormWritesBefore.k,
        knowledgeBytes: k.bytesWritten,
        requestWrites: q.writes,
        requestBytes: q.bytesWritten,
        totalWrites: k.writes + q.writes,
        ceilingPerDay: 3600 * 24,
        rateAlarms,
    },
};
console.log(JSON.stringify(out));
const mb = (n) => (n / 1e6).toFixed(1);
process.stderr.write(
    [
        `| phones | knowledge slot bytes | per phone | full encode ms | one phone changed ms | restore ms |`,
        `|---:|---:|---:|---:|---:|---:|`,
        `| ${PHONES.toLocaleString("en")} | ${bytes.toLocaleString("en")} | ${out.bytesPerPhone} | ${out.fullEncodeMs.toFixed(1)} | ${out.oneChangedEncodeMs.toFixed(1)} | ${out.restoreMs.toFixed(1)} |`,
        "",
        `| writes per day | knowledge | of which the storm | requests | total | ceiling | bytes/day (knowledge + requests) |`,
        `|---|---:|---:|---:|---:|---:|---:|`,
        `| ${PHONES.toLocaleString("en")} phones | ${k.writes} | ${out.day.stormWrites} | ${q.writes} | ${out.day.totalWrites} | ${out.day.ceilingPerDay.toLocaleString("en")} | ${mb(k.bytesWritten)} MB + ${mb(q.bytesWritten)} MB |`,
        "",
    ].join("\n"),
);

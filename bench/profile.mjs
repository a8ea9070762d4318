#!/usr/bin/env node
// The hot path of item 1 (file → wire → reassembly → SCCP → ClusterModel) in a loop, for a CPU profile:
// node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.mjs [--packets N] [--runs N]
import { parseArgs } from "node:util";
import { readCaptureFile } from "../dist/capture/pcapFile.js";
import { ClusterModel } from "../dist/cluster/model.js";
import { ProtocolDispatcher } from "../dist/protocol/dispatcher.js";
import { sccpRoute } from "../dist/sccp/stream.js";
import { WirePipeline } from "../dist/wire/pipeline.js";
import { benchCapture } from "./lib.mjs";

const { values } = parseArgs({
    options: {
        packets: { type: "string", default: "300000" },
        phones: { type: "string", default: "2000" },
        runs: { type: "string", default: "5" },
    },
});
const { file } = await benchCapture(Number(values.packets), Number(values.phones));
const runs = [];
for (let i = 0; i < Number(values.runs); i++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const model = new ClusterModel({ onEvent: () => {} });
    const p = new WirePipeline(new ProtocolDispatcher([sccpRoute([2000], { observer: model })], () => {}, null));
    await readCaptureFile(file, p.onFrame);
    p.finish();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(c0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    runs.push({ seconds: s, cpuSeconds: cpuS, packets: p.counters.frames });
    process.stderr.write(
        `run ${i}: ${(p.counters.frames / s / 1e6).toFixed(2)} M packets/s (${s.toFixed(3)} s wall, ${cpuS.toFixed(3)} s CPU: ${(p.counters.frames / cpuS / 1e6).toFixed(2)} M packets/CPU-s)\n`,
    );
}
process.stdout.write(`${JSON.stringify({ runs })}\n`);

#!/usr/bin/env node
// Item 1's model row (file → wire → reassembly → SCCP fields → ClusterModel) for two builds in one process,
// alternating round by round so that the machine's load hits both alike; CPU time, paired ratios. For a
// change meant not to alter speed (a refactoring), where two separate runs on a busy machine differ more
// than the change could. The capture is one bench/generate.mjs made (e.g. by `node bench/run.mjs`).
// Usage: node bench/compare-model.mjs CAPTURE DIST_BEFORE DIST_AFTER   (ROUNDS=7 by default)
const [file, ...dists] = process.argv.slice(2);
if (file === undefined || dists.length !== 2) {
    process.stderr.write("usage: node bench/compare-model.mjs CAPTURE DIST_BEFORE DIST_AFTER\n");
    process.exit(2);
}
const mods = [];
for (const d of dists) {
    mods.push({
        d,
        read: (await import(`${d}/capture/pcapFile.js`)).readCaptureFile,
        WirePipeline: (await import(`${d}/wire/pipeline.js`)).WirePipeline,
        ProtocolDispatcher: (await import(`${d}/protocol/dispatcher.js`)).ProtocolDispatcher,
        sccpRoute: (await import(`${d}/sccp/stream.js`)).sccpRoute,
        ClusterModel: (await import(`${d}/cluster/model.js`)).ClusterModel,
    });
}
async function run(m) {
    const model = new m.ClusterModel({ onEvent: () => {} });
    const dispatcher = new m.ProtocolDispatcher(
        [m.sccpRoute([2000], { observer: model, records: false })],
        () => {},
        null,
    );
    const p = new m.WirePipeline(dispatcher);
    await m.read(file, p.onFrame);
    p.finish();
    return p.counters.frames;
}
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const res = mods.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
    for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
        const c0 = process.cpuUsage();
        const n = await run(mods[i]);
        const cu = process.cpuUsage(c0);
        if (r > 0) res[i].push(n / ((cu.user + cu.system) / 1e6));
    }
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ratios = res[0].map((x, k) => res[1][k] / x);
console.log(
    `model row: before ${(med(res[0]) / 1e6).toFixed(2)} M packets/s CPU | after ${(med(res[1]) / 1e6).toFixed(2)} | paired after/before ${ratios.map((x) => x.toFixed(2)).join(" ")} median ${med(ratios).toFixed(3)}`,
);

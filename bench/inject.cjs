#!/usr/bin/env node
// Child of bench/livecap.mjs: injects Ethernet frames on an interface with the `pcap` addon (pcap_inject)
// at a paced rate. Args (JSON): { interface, file, frames }. Loads up to `frames` frames of the pcap `file`
// (classic format, Ethernet), then on { type: "run", rate, seconds } injects them round-robin at `rate`
// frames/s and answers { type: "ran", sent, seconds }.
const { readFileSync } = require("node:fs");
const pcap = require("pcap");

const opts = JSON.parse(process.argv[2]);
const bytes = readFileSync(opts.file);
const frames = [];
for (let off = 24; off + 16 <= bytes.length && frames.length < opts.frames; ) {
    const len = bytes.readUInt32LE(off + 8);
    frames.push(Buffer.from(bytes.subarray(off + 16, off + 16 + len)));
    off += 16 + len;
}
// A session is needed for pcap_inject; its own capture filter matches nothing we send.
const session = pcap.createSession(opts.interface, { filter: "udp port 9", buffer_size: 1 << 20, promiscuous: false });
let next = 0;

function run(rate, seconds) {
    const t0 = process.hrtime.bigint();
    const total = Math.round(rate * seconds);
    let sent = 0;
    let failed = 0;
    return new Promise((resolve) => {
        const step = () => {
            const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
            const due = Math.min(total, Math.round(rate * elapsed));
            while (sent < due) {
                try {
                    session.inject(frames[next]);
                } catch {
                    failed++;
                }
                next = (next + 1) % frames.length;
                sent++;
            }
            if (sent >= total) resolve({ sent, failed, seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
            else setTimeout(step, 1); // bursts of ~1 ms of frames; the CPU is left to the capture
        };
        step();
    });
}

process.on("message", async (msg) => {
    if (msg.type === "run") process.send({ type: "ran", ...(await run(msg.rate, msg.seconds)) });
    else if (msg.type === "stop") {
        session.close();
        process.exit(0);
    }
});
process.send({ type: "loaded", frames: frames.length });

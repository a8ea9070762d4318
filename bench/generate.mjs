#!/usr/bin/env node
// Generates a large synthetic SCCP capture for the benchmarks: `phones` phones, each with its TCP
// connection to a CallManager, exchanging keepalives and call-control bursts (several SCCP messages per
// segment, as a CallManager sends them). Usage: node bench/generate.mjs OUT.pcap [packets] [phones]
import { PcapFileWriter } from "../dist/capture/pcapWriter.js";
import { buildTcpFrame } from "../dist/wire/build.js";
import { TcpFlag } from "../dist/wire/types.js";

/** One SCCP message: 12-byte header (length = 4 + body, header version, id) and body. */
function sccp(id, body = new Uint8Array(0), hv = 0) {
    const m = new Uint8Array(12 + body.length);
    const dv = new DataView(m.buffer);
    dv.setUint32(0, 4 + body.length, true);
    dv.setUint32(4, hv, true);
    dv.setUint32(8, id, true);
    m.set(body, 12);
    return m;
}

function u32s(...values) {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    for (const [i, v] of values.entries()) dv.setUint32(i * 4, v, true);
    return b;
}

function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
        out.set(p, off);
        off += p.length;
    }
    return out;
}

const KEEPALIVE = sccp(0x0000);
const KEEPALIVE_ACK = sccp(0x0100);
const OFFHOOK = sccp(0x0006);
const ONHOOK = sccp(0x0007);
function callState(state, line, ref) {
    return sccp(0x0111, u32s(state, line, ref, 0, 0, 0));
}
function startTone(tone, line, ref) {
    return sccp(0x0082, u32s(tone, 0, line, ref));
}
function setLamp(stimulus, instance, mode) {
    return sccp(0x0086, u32s(stimulus, instance, mode));
}

export function generate(path, packets = 1_200_000, phones = 2000) {
    const w = new PcapFileWriter(path);
    const cm = "10.0.0.10";
    const state = [];
    let ts = 1_780_000_000;
    for (let i = 0; i < phones; i++) {
        const addr = `10.1.${(i >> 8) & 0xff}.${i & 0xff}`;
        const port = 49152 + (i % 16000);
        state.push({ addr, port, cseq: 1000 + i * 7919, sseq: 5000 + i * 104729, ref: 1 });
        const s = state[i];
        const c2s = { srcAddr: addr, dstAddr: cm, srcPort: port, dstPort: 2000 };
        const s2c = { srcAddr: cm, dstAddr: addr, srcPort: 2000, dstPort: port };
        w.write(ts, buildTcpFrame({ ...c2s, seq: s.cseq - 1, ack: 0, flags: TcpFlag.SYN }));
        w.write(ts, buildTcpFrame({ ...s2c, seq: s.sseq - 1, ack: s.cseq, flags: TcpFlag.SYN | TcpFlag.ACK }));
        ts += 0.0001;
    }
    let messages = 0;
    let n = phones * 2;
    let k = 0;
    while (n < packets) {
        const s = state[k++ % phones];
        const c2s = { srcAddr: s.addr, dstAddr: cm, srcPort: s.port, dstPort: 2000 };
        const s2c = { srcAddr: cm, dstAddr: s.addr, srcPort: 2000, dstPort: s.port };
        const send = (dir, payload, count) => {
            if (dir === 0) {
                w.write(ts, buildTcpFrame({ ...c2s, seq: s.cseq, ack: s.sseq, payload }));
                s.cseq = (s.cseq + payload.length) >>> 0;
            } else {
                w.write(ts, buildTcpFrame({ ...s2c, seq: s.sseq, ack: s.cseq, payload }));
                s.sseq = (s.sseq + payload.length) >>> 0;
            }
            messages += count;
            n++;
            ts += 0.00005;
        };
        if (k % 4 !== 0) {
            send(0, KEEPALIVE, 1);
            send(1, KEEPALIVE_ACK, 1);
        } else {
            const ref = s.ref++;
            send(0, OFFHOOK, 1);
            send(1, concat(setLamp(9, 1, 2), callState(1, 1, ref), startTone(0x21, 1, ref)), 3);
            send(1, concat(startTone(0x23, 1, ref), callState(12, 1, ref)), 2);
            send(0, ONHOOK, 1);
            send(1, concat(callState(2, 1, ref), setLamp(9, 1, 1)), 2);
        }
    }
    w.close();
    return { packets: w.frames, messages };
}

if (import.meta.url === `file://${process.argv[1]}`) {
    const [path, packets, phones] = process.argv.slice(2);
    if (!path) {
        process.stderr.write("usage: node bench/generate.mjs OUT.pcap [packets] [phones]\n");
        process.exit(2);
    }
    const r = generate(path, Number(packets ?? 1_200_000), Number(phones ?? 2000));
    process.stdout.write(`${path}: ${r.packets} packets, ${r.messages} SCCP messages\n`);
}

/**
 * Hostile mirror-port traffic (reliability tests, `bench/hostile.mjs`): half-open floods, garbage on the
 * protocol ports, floods of tiny out-of-order segments and headers claiming huge lengths. Each attack is a
 * generator of Ethernet/IPv4/TCP frames with valid checksums: it calls `emit` once per frame (a frame
 * builder, sequence number, flags and payload; the caller writes the frame, e.g. into one reused buffer as
 * the pcap binding does) and yields after each.
 */
import { QBE_HEADER_SIZE, QBE_MAGIC } from "../qbe/codec.js";
import { TcpFrameBuilder } from "../wire/build.js";
import { TcpFlag } from "../wire/types.js";

/** One frame of an attack: capture time is filled in by the feeder. */
export type Emit = (b: TcpFrameBuilder, seq: number, flags: number, payload: Uint8Array | null) => void;
/** An attack: calls `emit` once per frame and yields after each. */
export type Attack = (emit: Emit) => Generator<void, void, void>;

const SYN = TcpFlag.SYN;
const DATA = TcpFlag.ACK | TcpFlag.PSH;

/** The address of attacker number i (10.200.0.0/16, then wrapping into 10.201.x.y, ...). */
export function attacker(i: number): string {
    return `10.${200 + ((i >>> 16) & 31)}.${(i >>> 8) & 255}.${i & 255}`;
}

/** Deterministic bytes (xorshift32). */
export function noise(n: number, seed = 1): Uint8Array {
    const out = new Uint8Array(n);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        out[i] = x & 0xff;
    }
    return out;
}

/** `count` SYNs, each from its own 4-tuple, to `port` on `server`; never answered. */
export function synFlood(count: number, port: number, server = "10.1.1.1", first = 0): Attack {
    return function* (emit) {
        for (let i = first; i < first + count; i++) {
            const b = new TcpFrameBuilder({
                srcAddr: attacker(i),
                dstAddr: server,
                srcPort: 1024 + (i % 60000),
                dstPort: port,
            });
            emit(b, (i * 2654435761) >>> 0, SYN, null);
            yield;
        }
    };
}

/**
 * Garbage on a protocol port: `conns` connections (half of them opened with a SYN, so the framer starts
 * in sync and must notice the garbage; half joined mid-stream) each sending `segments` segments of `size`
 * random bytes.
 */
export function garbage(conns: number, segments: number, size: number, port: number, first = 100_000): Attack {
    return function* (emit) {
        for (let c = 0; c < conns; c++) {
            const b = new TcpFrameBuilder({
                srcAddr: attacker(first + c),
                dstAddr: "10.1.1.1",
                srcPort: 2000 + c,
                dstPort: port,
            });
            let seq = (c * 7919 + 1) >>> 0;
            if (c % 2 === 0) {
                emit(b, seq, SYN, null);
                yield;
                seq = (seq + 1) >>> 0;
            }
            for (let s = 0; s < segments; s++) {
                emit(b, seq, DATA, noise(size, c * 1000 + s + 1));
                seq = (seq + size) >>> 0;
                yield;
            }
        }
    };
}

/**
 * Tiny out-of-order segments: `conns` connections, each sending `perConn` 1-byte segments with a
 * one-byte hole before each that never fills, round-robin across the connections (the worst case for buffering).
 * `fromK` continues the same connections where an earlier call stopped.
 */
export function tinyOutOfOrder(conns: number, perConn: number, port: number, first = 200_000, fromK = 0): Attack {
    return function* (emit) {
        const builders = Array.from(
            { length: conns },
            (_, c) =>
                new TcpFrameBuilder({
                    srcAddr: attacker(first + c),
                    dstAddr: "10.1.1.1",
                    srcPort: 3000 + c,
                    dstPort: port,
                }),
        );
        const one = new Uint8Array([0x41]);
        for (let c = 0; c < conns && fromK === 0; c++) {
            // open mid-stream with one in-order byte, so the stream position is known
            emit(builders[c]!, 1000, DATA, one);
            yield;
        }
        for (let k = fromK; k < fromK + perConn; k++) {
            for (let c = 0; c < conns; c++) {
                // every other byte: each segment lands beyond a hole, even after a hole is given up
                emit(builders[c]!, 1002 + 2 * k, DATA, one);
                yield;
            }
        }
    };
}

/** An SCCP header (little-endian length, version, id) claiming `length`. */
export function sccpHeader(length: number, id = 0x0000): Uint8Array {
    const h = new Uint8Array(12);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, length >>> 0, true);
    dv.setUint32(4, 0, true);
    dv.setUint32(8, id, true);
    return h;
}

/** A QBE header (little-endian words, magic at offset 8) claiming a frame of `total` bytes. */
export function qbeHeader(total: number): Uint8Array {
    const h = new Uint8Array(QBE_HEADER_SIZE);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, total - 8, true);
    dv.setUint32(8, QBE_MAGIC, true);
    dv.setUint32(20, QBE_HEADER_SIZE, true);
    dv.setUint32(24, total - QBE_HEADER_SIZE, true);
    dv.setUint32(28, 0, true);
    return h;
}

/**
 * Headers claiming huge lengths on `conns` connections per protocol: SCCP lengths of 4 GiB, just above the
 * 8 KiB maximum and just under it, QBE frames of 200 KiB (under the framer's cap, so it must wait for
 * them), each followed by a few bytes that never complete the message.
 */
export function hugeLengths(conns: number, sccpPort: number, qbePort: number, first = 300_000): Attack {
    return function* (emit) {
        for (let c = 0; c < conns; c++) {
            const sccp = new TcpFrameBuilder({
                srcAddr: attacker(first + c),
                dstAddr: "10.1.1.1",
                srcPort: 4000 + c,
                dstPort: sccpPort,
            });
            emit(sccp, 1, SYN, null);
            yield;
            // 4 GiB and just over the maximum are refused at once; 8,000 is plausible and must be waited for
            const len = c % 3 === 0 ? 0xfffffff0 : c % 3 === 1 ? 8193 : 8000;
            const p = new Uint8Array([...sccpHeader(len, 0x0000), ...noise(100, c + 7)]);
            emit(sccp, 2, DATA, p);
            yield;
            emit(sccp, 2 + p.length, DATA, noise(100, c + 9));
            yield;
            const qbe = new TcpFrameBuilder({
                srcAddr: attacker(first + c),
                dstAddr: "10.1.1.1",
                srcPort: 4000 + c,
                dstPort: qbePort,
            });
            emit(qbe, 1, SYN, null);
            yield;
            const q = new Uint8Array([...qbeHeader(200 * 1024), ...noise(200, c + 11)]);
            emit(qbe, 2, DATA, q);
            yield;
        }
    };
}

/** Attacks played one after another. */
export function sequence(...attacks: Attack[]): Attack {
    return function* (emit) {
        for (const a of attacks) yield* a(emit);
    };
}

/** Attacks interleaved frame by frame. */
export function interleave(...attacks: Attack[]): Attack {
    return function* (emit) {
        const its = attacks.map((a) => a(emit));
        let live = its.length;
        const done = new Array<boolean>(its.length).fill(false);
        while (live > 0) {
            for (let i = 0; i < its.length; i++) {
                if (done[i]) continue;
                if (its[i]!.next().done === true) {
                    done[i] = true;
                    live--;
                } else yield;
            }
        }
    };
}

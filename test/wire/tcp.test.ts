import t from "tap";
import { decodeFrame } from "../../src/wire/decodeFrame.js";
import { parseTcpOptions } from "../../src/wire/tcp.js";
import { newWireCounters, TcpFlag, type TcpSegment } from "../../src/wire/types.js";
import { ether, frame, ipv4, type TcpSpec, tcp, u16, u32 } from "../helpers/frameBuilders.js";

/** Decodes an Ethernet/IPv4 frame around the TCP header built from `spec`. */
function decode(spec: TcpSpec): { seg: TcpSegment | null; malformed: number } {
    const counters = newWireCounters();
    const seg = decodeFrame(frame(1, ether(ipv4(tcp(spec)), 0x0800)), counters);
    if (counters.tcp + counters.malformed !== 1) throw new Error("expected exactly one of tcp or malformed");
    return { seg, malformed: counters.malformed };
}

t.test("fixed header fields", async (t) => {
    const { seg } = decode({
        srcPort: 2000,
        dstPort: 65535,
        seq: 0xffffffff,
        ack: 0x80000000,
        flags: TcpFlag.SYN | TcpFlag.ACK | TcpFlag.ECE | TcpFlag.CWR,
        window: 65535,
        payload: [9, 8, 7],
    });
    t.match(seg, {
        ts: 1700000000.25,
        ipVersion: 4,
        srcAddr: "192.168.1.10",
        dstAddr: "10.0.0.1",
        srcPort: 2000,
        dstPort: 65535,
        seq: 4294967295,
        ack: 2147483648,
        flags: 0xd2,
        window: 65535,
    });
    t.same(seg?.options, {});
    t.same([...(seg?.payload ?? [])], [9, 8, 7]);
    t.equal(decode({ flags: TcpFlag.FIN | TcpFlag.PSH | TcpFlag.RST | TcpFlag.URG }).seg?.flags, 0x2d);
    t.equal(decode({ seq: 0 }).seg?.seq, 0);
});

t.test("data offset", async (t) => {
    t.equal(decode({ dataOffset: 4 }).malformed, 1, "below 5 words");
    t.equal(decode({ dataOffset: 0 }).malformed, 1);
    t.equal(decode({ dataOffset: 6 }).malformed, 1, "past the IP payload");
    t.equal(decode({ dataOffset: 6, payload: [1, 2, 3, 4] }).seg?.payload.length, 0, "payload bytes become options");
    t.equal(decode({ dataOffset: 15, options: new Array<number>(40).fill(1) }).seg?.payload.length, 0);
});

t.test("SYN options: MSS, window scale, SACK permitted, timestamps", async (t) => {
    const { seg } = decode({
        flags: TcpFlag.SYN,
        options: [2, 4, ...u16(1460), 4, 2, 8, 10, ...u32(0xdeadbeef), ...u32(0), 1, 3, 3, 7],
    });
    t.same(seg?.options, { mss: 1460, sackPermitted: true, tsVal: 0xdeadbeef, tsEcr: 0, windowScale: 7 });
});

t.test("SACK blocks (1 to 4) and timestamps", async (t) => {
    for (let n = 1; n <= 4; n++) {
        const edges = Array.from({ length: n }, (_, i): [number, number] => [
            0xfffff000 + i * 100,
            0xfffff000 + i * 100 + 50,
        ]);
        const ts = n < 4 ? [1, 1, 8, 10, ...u32(1), ...u32(2)] : [];
        const { seg } = decode({
            options: [...ts, 1, 1, 5, 2 + 8 * n, ...edges.flatMap(([l, r]) => [...u32(l), ...u32(r)])],
        });
        t.same(seg?.options.sack, edges, `${n} blocks`);
        if (n < 4) t.equal(seg?.options.tsEcr, 2);
    }
});

t.test("unknown options are skipped by length; EOL ends the list", async (t) => {
    const { seg } = decode({ options: [30, 6, 1, 2, 3, 4, 253, 2, 2, 4, ...u16(536), 0, 3, 3, 9] });
    t.same(seg?.options, { mss: 536 }, "window scale after EOL is ignored");
});

t.test("known options with a wrong length are skipped", async (t) => {
    const { seg } = decode({
        options: [
            2,
            5,
            1,
            2,
            3,
            3,
            2,
            4,
            3,
            0,
            5,
            4,
            1,
            2,
            5,
            11,
            ...new Array<number>(9).fill(0),
            8,
            6,
            1,
            2,
            3,
            4,
            3,
            3,
            2,
        ],
    });
    t.same(seg?.options, { windowScale: 2 });
});

t.test("malformed option lists stop parsing but keep the segment", async (t) => {
    const cases: Array<[string, number[], object]> = [
        ["length 0", [2, 4, ...u16(1000), 30, 0, 3, 3, 1], { mss: 1000 }],
        ["length 1", [3, 3, 4, 30, 1, 2, 4, 5, 6], { windowScale: 4 }],
        ["past the header", [4, 2, 8, 10, 1, 2], { sackPermitted: true }],
        ["kind without length byte at the end", [1, 1, 1, 2], {}],
    ];
    for (const [name, options, expected] of cases) {
        const { seg } = decode({ options, payload: [0xab] });
        t.same(seg?.options, expected, name);
        t.same([...(seg?.payload ?? [])], [0xab], name);
    }
});

t.test("parseTcpOptions on a bounded range", async (t) => {
    const bytes = new Uint8Array([2, 4, 5, 0xb4, 3, 3, 8]);
    t.same(parseTcpOptions(bytes, 0, 4), { mss: 1460 });
    t.same(parseTcpOptions(bytes, 0, 6), { mss: 1460 }, "window scale cut by the end");
    t.same(parseTcpOptions(bytes, 0, 0), {});
});
